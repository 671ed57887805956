//! Stable diagnostic codes, one range per stage.
//!
//! Codes never change meaning once released; retired codes are not reused.
//! `E01xx` reading a file, `E02xx` graph structure, `E03xx` node properties,
//! `E04xx` conditions, `E05xx` talking to the gateway API, `W06xx` warnings,
//! `E07xx`/`W07xx` route test files (`aig-route test`), `E08xx` the project
//! file `aig-route.toml`, `E09xx`/`W09xx` its path policies.

use std::fmt;

macro_rules! codes {
    ($($name:ident = $code:literal, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code { $(#[doc = $summary] $name,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as written in output, such as `E0204`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// The code written as `code` (any case), such as `w0608`.
            pub fn parse(code: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(code.trim()))
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$name => $summary,)* }
            }
        }
    };
}

codes! {
    Syntax = "E0101", "the file is not well-formed YAML, JSON or DSL";
    DuplicateKey = "E0102", "a key appears twice in one mapping or object";
    UnknownKey = "E0103", "a key that the format does not define";
    WrongType = "E0104", "a value of the wrong type (a list where a mapping belongs, ...)";
    MissingKey = "E0105", "a required key is missing";
    BadValue = "E0106", "a value that cannot be read (a malformed duration, amount, model or enum)";
    LimitExceeded = "E0107", "the input exceeds a safety limit (size, depth, nodes, alias expansion)";
    Schema = "E0108", "the file does not match the route schema (`aig-route schema`)";
    UnreadableFile = "E0109", "the file cannot be read or is not UTF-8";
    StartCount = "E0201", "a route needs exactly one start node";
    NoEnd = "E0202", "a route needs at least one end node";
    DuplicateId = "E0203", "two nodes share one id";
    DanglingOutput = "E0204", "an output names a node that does not exist";
    Cycle = "E0205", "the graph has a cycle";
    NoPathToEnd = "E0206", "a node from which no end node can be reached";
    MissingOutput = "E0207", "a node lacks one of the outputs its kind requires";
    UnknownOutput = "E0208", "an output name that the node kind does not have";
    EmptyRoute = "E0209", "the route has no nodes";
    BadShare = "E0301", "a percentage share that is malformed, zero or negative";
    SharesNot100 = "E0302", "percentage shares that do not add up to 100%";
    BadLimit = "E0303", "a limit that is not a positive finite number, or is above 10^15";
    BadWindow = "E0304", "a window that is not a positive whole number of seconds";
    BadTimeout = "E0305", "a timeout or retries count that is negative, not whole or too large";
    BadKey = "E0306", "a limit key or sticky field that is not `metadata.<name>`";
    UnwritableShares = "E0307", "more equal shares in one split than the gateway's JSON can tell apart";
    ConditionSyntax = "E0401", "a condition that does not parse";
    UnknownOperator = "E0402", "a condition operator that does not exist";
    BadField = "E0403", "a condition reads a field other than `metadata.<name>`";
    BadOperand = "E0404", "an operator given an operand of the wrong shape";
    UndeclaredKey = "E0405", "a metadata key read but not declared, when the route declares its metadata";
    DeclaredType = "E0406", "a field compared with a value of another type than the one declared";
    ApiError = "E0501", "the gateway API rejected a request";
    Unreachable = "W0601", "a node that cannot be reached from start";
    DeadBranch = "W0602", "a branch that can never be taken";
    TypeMismatch = "W0603", "a field compared with values of different types";
    TooManyKeys = "W0604", "more than 5 distinct metadata keys are read";
    TooManyShares = "W0605", "a percentage node with more than 5 outputs";
    SameModelFallback = "W0606", "a model whose fallback reaches the same provider and model";
    UnknownProvider = "W0607", "a provider slug the gateway does not know";
    NotHonoured = "W0608", "a feature the hosted gateway may not honour";
    KeyMayBeMissing = "W0609", "a limit key or sticky field that requests may lack";
    UnusedAllow = "W0610", "an `aig-route: allow` comment that silences nothing";
    BareTimeout = "W0611", "a timeout written as a bare number under 1000, which means milliseconds";
    ConfusableIds = "W0612", "two node ids that look alike (case, invisible characters, look-alike letters)";
    TestRoute = "E0701", "a test file's route cannot be read or has errors";
    TestUnknownNode = "E0702", "a test names a node the route does not have";
    TestNotModel = "E0703", "a test expects or fails a node that is not a model";
    TestMetadata = "E0704", "test metadata the gateway could not carry (nested, null, more than 5 entries)";
    TestCaseName = "E0705", "a test case without a name, or two cases with one name";
    TestUnreadKey = "W0706", "test metadata sets a key the route never reads";
    ConfigSyntax = "E0801", "the project file `aig-route.toml` is not well-formed TOML";
    ConfigKey = "E0802", "a key the project file does not define";
    ConfigValue = "E0803", "a project-file value of the wrong type, or one that cannot be read";
    PolicyProvider = "E0901", "a model of a provider the project's `providers` policy does not list";
    PolicyTimeout = "E0902", "a model whose timeout exceeds the project's `max-timeout`";
    PolicyFallback = "E0903", "a provider's outage that leaves requests unserved (`fallback-to-other-provider`)";
    PolicyForbid = "E0904", "a request a `forbid` rule matches can reach a forbidden model";
    PolicyUndecided = "W0905", "a path policy the bounded search could not decide for one node";
}

impl Code {
    /// Whether the code is a warning's (`W....`); only those can be allowed or denied.
    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
