//! The long form of every diagnostic code, for `aig-route explain CODE`: what it
//! means, an example that triggers it, and how to fix it.
//!
//! The match has no wildcard arm, so a new code does not compile until it is
//! explained here.

use super::Code;

/// A code explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// What the code means and why it matters.
    pub what: &'static str,
    /// A small input that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

const fn x(what: &'static str, example: &'static str, fix: &'static str) -> Explanation {
    Explanation { what, example, fix }
}

impl Code {
    /// The long form of the code.
    pub fn explain(self) -> Explanation {
        match self {
            Code::Syntax => x(
                "The file cannot be read as YAML, JSON or the route DSL at all: a bracket or quote is not closed, indentation is inconsistent, or a DSL keyword is misspelt. The position points at the first fault.",
                "nodes:\n  plan:\n    if: metadata.plan == \"paid\n    then: big",
                "Close the string or bracket at the position shown. For the DSL, the message says what was expected there.",
            ),
            Code::DuplicateKey => x(
                "A key appears twice in one YAML mapping or JSON object. Most parsers silently keep the last value, so half of what you wrote would be lost.",
                "split:\n  50%: a\n  50%: b      # the second `50%` replaces the first",
                "Remove or rename one of the two keys. For equal split shares, use the list form (`split: [{50%: a}, {50%: b}]`).",
            ),
            Code::UnknownKey => x(
                "A key the format does not define, usually a typo. It would otherwise be ignored without a word.",
                "nodes:\n  main:\n    model: openai/gpt-4.1\n    timout: 30s",
                "Use the key suggested by \"did you mean\", or remove it.",
            ),
            Code::WrongType => x(
                "A value has the wrong shape: a list where a mapping belongs, a number where text belongs.",
                "nodes:\n  main: [openai/gpt-4.1]",
                "Write the value in the shape the message names, such as a mapping with `model:`.",
            ),
            Code::MissingKey => x(
                "A key the node or file needs is not there, such as a model's `timeout` or a rate or budget limit's `key` (the gateway's API refuses a limit without one).",
                "nodes:\n  main:\n    model: openai/gpt-4.1\n    success: done",
                "Add the key the message names.",
            ),
            Code::BadValue => x(
                "A value cannot be read: a malformed duration, amount, model name or one of a fixed set of words.",
                "    timeout: 30 seconds",
                "Write it as the message shows, such as `30s`, `$50` or `openai/gpt-4.1`.",
            ),
            Code::LimitExceeded => x(
                "The input is larger than a safety bound: file size, nesting depth, number of nodes or values after YAML alias expansion. The bounds protect every command from hostile input.",
                "a YAML file whose aliases expand to millions of values",
                "Shrink the input, or raise the bound with `--max-file-size`, `--max-depth`, `--max-nodes` or `--max-values` if the route is real.",
            ),
            Code::Schema => x(
                "The YAML file does not match the route's JSON Schema (`aig-route schema`); a safety net behind the readers' own checks.",
                "name: r\nnodes: 3   # a number where the nodes mapping belongs",
                "Follow the message; editors that use the schema show the same fault as you type.",
            ),
            Code::UnreadableFile => x(
                "The file cannot be opened, is a directory, or is not UTF-8 text.",
                "aig-route validate missing.yaml",
                "Check the path and permissions; save the file as UTF-8.",
            ),
            Code::StartCount => x(
                "A route has exactly one entry point. None means requests go nowhere; two leave the gateway to pick one.",
                "nodes:\n  a: {model: openai/x, timeout: 1s, retries: 0, success: done, fallback: done}\n  done: end",
                "Add `start: <first node>` (YAML), `start -> <node>` (DSL) or one start element (JSON).",
            ),
            Code::NoEnd => x(
                "Every route needs at least one end node for requests to finish at.",
                "start: main\nnodes:\n  main: {model: openai/x, timeout: 1s, retries: 0, success: main2, fallback: main2}",
                "Add `done: end` and point the last outputs at it.",
            ),
            Code::DuplicateId => x(
                "Two nodes share one id, so outputs naming it are ambiguous.",
                "route r {\n  a: end\n  a: end\n}",
                "Rename one of them and update the outputs that mean it.",
            ),
            Code::DanglingOutput => x(
                "An output names a node that does not exist, usually a typo.",
                "  plan:\n    if: metadata.plan == \"paid\"\n    then: larg\n    else: small",
                "Use the id suggested by \"did you mean\", or add the node.",
            ),
            Code::Cycle => x(
                "The outputs form a loop; a request could go round forever. The message names the nodes on the cycle.",
                "  a: {model: openai/x, timeout: 1s, retries: 0, success: done, fallback: b}\n  b: {model: openai/y, timeout: 1s, retries: 0, success: done, fallback: a}",
                "Break the loop: end one of the fallbacks at another model or at `end`.",
            ),
            Code::NoPathToEnd => x(
                "From this node no end node can be reached, so a request there can never finish.",
                "a node whose every output leads into a cycle",
                "Give the node (or a node after it) an output that reaches an end.",
            ),
            Code::MissingOutput => x(
                "A node lacks an output its kind requires: `then`/`else` for a condition (`true`/`false` in gateway JSON), `success`/`fallback` for limits and models, `next` for start.",
                "  main:\n    model: openai/gpt-4.1\n    timeout: 30s\n    retries: 0\n    success: done",
                "Add the missing output; `fallback: done` ends the request unserved.",
            ),
            Code::UnknownOutput => x(
                "An output name the node kind does not have, such as `else` on a model.",
                "  main:\n    model: openai/gpt-4.1\n    timeout: 30s\n    retries: 0\n    success: done\n    else: done",
                "Use the output suggested by \"did you mean\".",
            ),
            Code::EmptyRoute => x(
                "The route has no nodes at all.",
                "name: r\nnodes: {}",
                "Add a start, at least one model and an end.",
            ),
            Code::BadShare => x(
                "A split share is not a positive percentage such as `90%` or `12.5%`.",
                "  split:\n    90: main\n    10%: canary",
                "Write every share as a positive percentage with `%`.",
            ),
            Code::SharesNot100 => x(
                "A split's shares must add up to exactly 100%, otherwise some requests have no share.",
                "  split:\n    90%: main\n    5%: canary",
                "Adjust the shares so they add up to 100%.",
            ),
            Code::BadLimit => x(
                "A rate or budget limit must be a positive finite number of requests or dollars.",
                "  free_limit:\n    rate_limit: 0\n    window: 1h",
                "Use a positive number, such as `rate_limit: 100` or `budget: $50`.",
            ),
            Code::BadWindow => x(
                "A limit's window must be a positive whole number of seconds (the gateway counts in seconds).",
                "    window: 1.5s",
                "Use whole seconds, such as `window: 90s` or `window: 1h`.",
            ),
            Code::BadTimeout => x(
                "A model's timeout or retry count is negative, not whole, or too large (a timeout over a day, more than 1000 retries).",
                "    retries: -1",
                "Use a non-negative whole number (timeouts in milliseconds or a duration such as `30s`).",
            ),
            Code::BadKey => x(
                "A limit `key` or split `sticky` field must name request metadata: `metadata.<key>` (dots belong to the key, as in `metadata.cf.user_id`), or `metadata[\"odd key\"]` with the key as a JSON string.",
                "    key: user_id",
                "Write `key: metadata.user_id`.",
            ),
            Code::UnwritableShares => x(
                "A split has more equal shares than the gateway's JSON format can write as distinct keys.",
                "a split with many shares of the same percentage",
                "Make the shares differ slightly, or split in two levels.",
            ),
            Code::ConditionSyntax => x(
                "A condition does not parse. The message says what was expected and catches the usual slips: `=` for `==`, `and` for `&&`, single quotes.",
                "    if: metadata.plan = 'paid'",
                "Write `metadata.plan == \"paid\"`.",
            ),
            Code::UnknownOperator => x(
                "A Mongo-style condition uses an operator that does not exist.",
                "{\"metadata.plan\": {\"$eqq\": \"paid\"}}",
                "Use the operator suggested (`$eq`, `$ne`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`, `$exists`, `$and`, `$or`, `$not`).",
            ),
            Code::BadField => x(
                "Conditions can only read request metadata (`metadata.<key>`, or `metadata[\"odd key\"]` for a key with other characters); the gateway exposes nothing else to routes.",
                "    if: headers.plan == \"paid\"",
                "Send the value as `cf-aig-metadata` and read `metadata.plan`.",
            ),
            Code::BadOperand => x(
                "An operator got an operand of the wrong shape, such as `$in` with a single value.",
                "{\"metadata.tier\": {\"$in\": 3}}",
                "Give `$in`/`$nin` a list, comparisons a string, number or boolean.",
            ),
            Code::UndeclaredKey => x(
                "The route declares its metadata (`metadata:` in YAML, `metadata { }` in the DSL, a `metadata` object in JSON), so the declarations are its schema: a condition, limit key or sticky field reading another key is almost always a typo that would silently never match.",
                "metadata:\n  plan: string\nnodes:\n  c:\n    if: metadata.plna == \"paid\"",
                "Correct the key (see \"did you mean\"), or declare it with the others.",
            ),
            Code::DeclaredType => x(
                "A field is compared with a value of another type than declared. Comparisons are type-strict (`\"2\"` never equals `2`), so the comparison can never be true for a request that follows the declarations.",
                "metadata:\n  tier: number\nnodes:\n  c:\n    if: metadata.tier == \"2\"",
                "Compare with a value of the declared type (`metadata.tier == 2`), or fix the declaration.",
            ),
            Code::ApiError => x(
                "The gateway's dashboard API refused a request (push, pull, versions, deploy). The message carries the server's words, escaped.",
                "aig-route push r.yaml --account A --gateway G   # with a token lacking permission",
                "Check the account and gateway ids and that `CLOUDFLARE_API_TOKEN` may edit AI Gateway.",
            ),
            Code::Unreachable => x(
                "No path from start leads to this node; it is dead weight or a missing output.",
                "  old_model:\n    model: openai/gpt-4\n    ...   # no output names `old_model`",
                "Point an output at it, or delete it.",
            ),
            Code::DeadBranch => x(
                "A branch can never be taken because earlier conditions on every path already decide this test.",
                "  paid:\n    if: metadata.plan == \"paid\"\n    else: again\n  again:\n    if: metadata.plan == \"paid\"   # always false here",
                "Remove the redundant test or fix the condition.",
            ),
            Code::TypeMismatch => x(
                "Without declarations, one field is compared with values of different types in different places; one of them never matches.",
                "    if: metadata.tier == 2 || metadata.tier == \"2\"",
                "Compare with one type, or declare the field's type under `metadata:` (then a mismatch is error E0406).",
            ),
            Code::TooManyKeys => x(
                "The route reads more than 5 distinct metadata keys; the gateway forwards at most 5 entries per request and drops the rest silently.",
                "conditions on metadata.a, .b, .c, .d, .e and .f",
                "Read at most 5 keys, for example by combining two into one value.",
            ),
            Code::TooManyShares => x(
                "A split with more than 5 outputs; the dashboard may not show or keep them all.",
                "  split:\n    20%: a\n    20%: b\n    20%: c\n    20%: d\n    10%: e\n    10%: f",
                "Split in two levels.",
            ),
            Code::SameModelFallback => x(
                "A model's fallback reaches the same provider and model again, so an outage fails twice before anything else is tried.",
                "  main: {model: openai/gpt-4.1, ..., fallback: retry}\n  retry: {model: openai/gpt-4.1, ...}",
                "Fall back to another model or provider; use `retries` for retrying the same one.",
            ),
            Code::UnknownProvider => x(
                "A provider slug the gateway does not list, often a typo.",
                "    model: opneai/gpt-4.1",
                "Use the slug suggested by \"did you mean\"; allow the warning if the provider is new.",
            ),
            Code::NotHonoured => x(
                "A feature aig-route evaluates but the hosted gateway may not honour: sticky splits, sliding windows, operators other than `$eq`, `$ne`, `$in`, `$and`, `$or`.",
                "    sticky: metadata.user_id",
                "Test the deployed route with real requests, then allow the warning (`--allow W0608`, or `# aig-route: allow W0608` on the node).",
            ),
            Code::KeyMayBeMissing => x(
                "Requests without the limit's key (or the split's sticky field) all share one counter or bucket, so one such caller can use up the limit for all of them.",
                "  free_limit:\n    rate_limit: 100\n    key: metadata.user_id   # no test that user_id exists",
                "Test `exists metadata.user_id` before the node, or allow the warning if that is intended.",
            ),
            Code::UnusedAllow => x(
                "A `# aig-route: allow CODE` comment silences nothing: the node has no such warning (any more), the code is unknown or an error's, or the comment is next to no node.",
                "  done: end   # aig-route: allow W0601",
                "Remove the stale comment, or put it at the end of the node's first line or alone on the line above it.",
            ),
            Code::BareTimeout => x(
                "A model timeout written as a bare number under 1000: a bare number means milliseconds, so `timeout: 30` waits 30 ms, not 30 s.",
                "    timeout: 30",
                "Write the unit: `timeout: 30s` (or `30ms` if milliseconds are meant).",
            ),
            Code::ConfusableIds => x(
                "Two node ids that differ only in case, in invisible characters (a zero-width space) or in letters that look the same (a Cyrillic `о` for a Latin `o`, by the skeletons of Unicode Technical Standard #39). The gateway sees two nodes; a reader sees one, so an output meant for one leads to the other.",
                "  done: end\n  Done: end",
                "Rename one of the two so that they read differently.",
            ),
            Code::TestRoute => x(
                "A test file's route cannot be read or has errors; the route's own diagnostics follow.",
                "route: missing.yaml",
                "Fix the route (or the path to it) first.",
            ),
            Code::TestUnknownNode => x(
                "A test names a node the route does not have.",
                "fail: [mian]",
                "Use the id suggested by \"did you mean\".",
            ),
            Code::TestNotModel => x(
                "A test expects or fails a node that is not a model; only models answer or fail.",
                "fail: [free_limit]",
                "Name a model node.",
            ),
            Code::TestMetadata => x(
                "Test metadata the gateway could not carry: nested values, null, or more than 5 entries.",
                "metadata: {plan: {tier: 1}}",
                "Use at most 5 flat string, number or boolean entries.",
            ),
            Code::TestCaseName => x(
                "A test case has no name, or two cases share one, so results cannot be told apart.",
                "cases:\n  - metadata: {plan: paid}",
                "Give every case a unique `name`.",
            ),
            Code::TestUnreadKey => x(
                "Test metadata sets a key the route never reads; probably a typo, and it cannot change the outcome.",
                "metadata: {plna: paid}",
                "Correct the key or remove it.",
            ),
            Code::ConfigSyntax => x(
                "The project file `aig-route.toml` is not valid TOML.",
                "allow = [\"W0608\"",
                "Fix the TOML at the position shown; strings need quotes.",
            ),
            Code::ConfigKey => x(
                "A key the project file does not define, usually a typo. Known keys: `allow`, `deny`, `deny-warnings`, `[policy]` with `providers`, `max-timeout`, `fallback-to-other-provider` and `[[policy.forbid]]` with `when` and `models`.",
                "alow = [\"W0608\"]",
                "Use the key suggested by \"did you mean\".",
            ),
            Code::ConfigValue => x(
                "A project-file value of the wrong type or that cannot be read: an unknown or error code in `allow`/`deny`, a malformed duration, a model not written `provider/model`, a `forbid` without `models`, a `when` that reads something other than metadata.",
                "[policy]\nmax-timeout = \"60 seconds\"",
                "Write the value as the message shows, such as `max-timeout = \"60s\"`.",
            ),
            Code::PolicyProvider => x(
                "A model uses a provider that the project's `providers` policy does not list. Reported at the model's provider, with the path from start that reaches it and an example request replayed through the evaluator.",
                "[policy]\nproviders = [\"openai\"]\n# route: model: groq/llama-3",
                "Use an allowed provider, or add the provider to `providers`.",
            ),
            Code::PolicyTimeout => x(
                "A model's per-attempt timeout is longer than the project's `max-timeout` (a duration such as `\"60s\"`; a bare number means milliseconds).",
                "[policy]\nmax-timeout = \"60s\"\n# route: timeout: 90s",
                "Lower the timeout, or raise `max-timeout`.",
            ),
            Code::PolicyFallback => x(
                "With `fallback-to-other-provider = true`: when every model of one provider fails and every other model answers, a request that reached that provider ends unserved. Decided on the graph, once per provider; the path and a replayed example request show how.",
                "  main: {model: openai/gpt-4.1, ..., fallback: small}\n  small: {model: openai/gpt-4.1-mini, ..., fallback: done}",
                "Give the last model of the chain a fallback that reaches a model of another provider.",
            ),
            Code::PolicyForbid => x(
                "A request that matches a `[[policy.forbid]]` rule's `when` can reach, and be answered by, one of its `models`. Decided on the graph with the condition solver, not by sampling; the example request is replayed through the evaluator before it is printed.",
                "[[policy.forbid]]\nwhen = 'metadata.plan == \"free\"'\nmodels = [\"openai/gpt-4.1\"]",
                "Add a condition before the model that sends those requests elsewhere, or change the rule.",
            ),
            Code::PolicyUndecided => x(
                "The path search behind `forbid` or `fallback-to-other-provider` hit its bound (edges tried, solver calls, paths replayed, or a split share too narrow to land with a request id) before it could prove or refute a violation at this node. No violation is claimed; none is ruled out.",
                "# a model behind hundreds of conditionals whose conditions keep contradicting each other",
                "Simplify the paths before the node, or cover the case with a route test; add `W0905` to `deny` to fail CI on it.",
            ),
        }
    }
}
