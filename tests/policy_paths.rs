//! Path policies from `aig-route.toml`, through the real binary: each kind of
//! violation as a golden diagnostic, the project file driving them, flags over
//! it, and example requests that `aig-route eval` confirms.

#[path = "support/project.rs"]
mod project;
use project::{dir, run};

/// Plans and tiers: paid requests reach `large`; the rest pass a rate limit to
/// `small`, then `tiny` (another provider) when the limit is used up.
const TIERS: &str = "\
metadata:
  plan: string
  tier: number
start: plan
nodes:
  plan:
    if: metadata.plan == \"paid\"
    then: big_tier
    else: free_limit
  big_tier:
    if: metadata.tier >= 2 && metadata.plan != \"paid\"
    then: large
    else: small
  free_limit:
    rate_limit: 100
    window: 1h
    key: metadata.plan
    success: small
    fallback: tiny
  large:
    model: openai/gpt-4.1
    timeout: 60s
    retries: 2
    success: done
    fallback: small
  small:
    model: openai/gpt-4.1-mini
    timeout: 30s
    retries: 1
    success: done
    fallback: tiny
  tiny:
    model: workers-ai/llama
    timeout: 20s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn path_policies_are_errors_at_the_node_with_a_replayed_example() {
    let toml = "\
[policy]
providers = [\"openai\", \"anthropic\"]
max-timeout = \"25s\"
fallback-to-other-provider = true

[[policy.forbid]]
when = 'metadata.plan == \"free\"'
models = [\"openai/gpt-4.1-mini\"]
";
    let d = dir("paths", &[("aig-route.toml", toml), ("r.yaml", TIERS)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 1, "{out}");
    for want in [
        // providers: at the provider, with a path and a request that gets there.
        "error[E0901]: model `tiny` uses provider `workers-ai`",
        "r.yaml:33:12",
        // max-timeout: every model above 25s.
        "error[E0902]: model `small` waits up to 30s per attempt",
        "r.yaml:28:14",
        // fallback: workers-ai down leaves `tiny`'s requests unserved.
        "error[E0903]: when provider `workers-ai` is down, requests reaching `tiny` are not served",
        "path: start → plan → free_limit → tiny → done",
        "example request: metadata {}, with `tiny` failing",
        "with `free_limit` used up (replayed through the evaluator)",
        // forbid: a free request reaches `small` through the rate limit.
        "error[E0904]: requests matching `metadata.plan == \"free\"` can be served by `openai/gpt-4.1-mini` at `small`",
        "path: start → plan → free_limit → small",
        "example request: metadata {\"plan\":\"free\"} (replayed through the evaluator)",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // `large` is behind contradictory conditions (plan == paid, then plan != paid):
    // its 60s timeout is a violation, but no request reaches it, so no example.
    assert!(out.contains("model `large` waits up to 60s"), "{out}");
    assert!(out.contains("no request reaches this node today"), "{out}");
    // openai down: `small` falls back to `tiny` (workers-ai), so no E0903 for openai.
    assert!(!out.contains("provider `openai` is down"), "{out}");
}

#[test]
fn a_forbid_rule_is_decided_on_the_graph_not_by_sampling() {
    // Only `metadata.tier` values between 7 and 8 reach `large` for a free plan:
    // a sampler would rarely hit them; the solver finds one and the evaluator
    // confirms it.
    let route = TIERS
        .replace(
            "if: metadata.plan == \"paid\"\n",
            "if: metadata.plan == \"paid\" || (metadata.tier > 7 && metadata.tier < 8)\n",
        )
        .replace(
            "metadata.tier >= 2 && metadata.plan != \"paid\"",
            "metadata.tier > 7",
        );
    let forbid =
        "[[policy.forbid]]\nwhen = 'metadata.plan == \"free\"'\nmodels = [\"openai/gpt-4.1\"]\n";
    let d = dir("forbid", &[("aig-route.toml", forbid), ("r.yaml", &route)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[E0904]") && out.contains("`openai/gpt-4.1` at `large`"),
        "{out}"
    );
    assert!(
        out.contains("path: start → plan → big_tier → large"),
        "{out}"
    );
    assert!(
        out.contains("metadata {\"plan\":\"free\",\"tier\":7.5}"),
        "{out}"
    );
    // `large` needs tier > 7 on every path, so a rule about tier <= 7 holds.
    let never = "[[policy.forbid]]\nwhen = 'metadata.tier <= 7'\nmodels = [\"openai/gpt-4.1\"]\n";
    let d = dir("never", &[("aig-route.toml", never), ("r.yaml", &route)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("E0904"), "{out}");
}
#[test]
fn a_violation_behind_a_one_percent_split_is_found_and_replayed() {
    let route = "\
start: s
nodes:
  s:
    split:
      99%: cheap
      1%: big
  big:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: cheap
  cheap:
    model: openai/gpt-4.1-mini
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";
    let forbid = "[[policy.forbid]]\nmodels = [\"openai/gpt-4.1\"]\n";
    let d = dir("split", &[("aig-route.toml", forbid), ("r.yaml", route)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[E0904]: requests can be served by `openai/gpt-4.1` at `big`"),
        "{out}"
    );
    assert!(out.contains("path: start → s → big"), "{out}");
    assert!(out.contains(", request id `req-"), "{out}");
    // The id printed really lands in the 1% share: eval agrees.
    let id = out
        .split("request id `")
        .nth(1)
        .unwrap()
        .split('`')
        .next()
        .unwrap()
        .to_string();
    let (code, eval) = run(
        &d,
        &[
            "eval",
            "r.yaml",
            "--metadata",
            "{}",
            "--id",
            &id,
            "--no-config",
        ],
    );
    assert_eq!(code, 0, "{eval}");
    assert!(eval.contains("served by `big`"), "{eval}");
}

/// `validate` in a fresh project holding `toml` and `route`, its output with the
/// project's directory written `[project]`.
fn golden(name: &str, toml: &str, route: &str) -> (i32, String) {
    let d = dir(name, &[("aig-route.toml", toml), ("r.yaml", route)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    (code, out.replace(&*d.to_string_lossy(), "[project]"))
}

/// A main model with a fallback chain, for one rule at a time.
const CHAIN: &str = "\
name: chain
start: plan
nodes:
  plan:
    if: metadata.plan == \"paid\"
    then: main
    else: cheap
  main:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 1
    success: done
    fallback: backup
  backup:
    model: anthropic/claude-sonnet-4
    timeout: 90s
    retries: 0
    success: done
    fallback: done
  cheap:
    model: groq/llama-3.1-8b
    timeout: 10s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn golden_providers() {
    let (code, out) = golden(
        "g-providers",
        "[policy]\nproviders = [\"openai\", \"anthropic\", \"grok\"]\n",
        CHAIN,
    );
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("policy_providers", out);
}

#[test]
fn golden_max_timeout() {
    let (code, out) = golden("g-timeout", "[policy]\nmax-timeout = \"1m\"\n", CHAIN);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("policy_max_timeout", out);
}

#[test]
fn golden_fallback_to_other_provider() {
    let (code, out) = golden(
        "g-fallback",
        "[policy]\nfallback-to-other-provider = true\n",
        CHAIN,
    );
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("policy_fallback", out);
}

#[test]
fn golden_forbid() {
    let toml = "[[policy.forbid]]\nwhen = 'metadata.plan != \"enterprise\"'\nmodels = [\"anthropic/claude-sonnet-4\"]\n";
    let (code, out) = golden("g-forbid", toml, CHAIN);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("policy_forbid", out);
}

/// `n` conditionals in a chain, both outputs to the next, then a test `when`
/// contradicts: 2^n paths to try, none of which a matching request takes.
fn exponential(n: usize) -> String {
    let mut s = String::from("name: wide\nstart: c0\nnodes:\n");
    for i in 0..n {
        s += &format!(
            "  c{i}:\n    if: metadata.k{} == {i}\n    then: c{}\n    else: c{}\n",
            i % 4,
            i + 1,
            i + 1
        );
    }
    s += &format!(
        "  c{n}:\n    if: metadata.x == 2\n    then: big\n    else: done\n  big:\n    model: openai/gpt-4.1\n    timeout: 30s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n"
    );
    s
}

const FORBID_X1: &str =
    "[[policy.forbid]]\nwhen = 'metadata.x == 1'\nmodels = [\"openai/gpt-4.1\"]\n";

#[test]
fn golden_undecided() {
    let (code, out) = golden("g-undecided", FORBID_X1, &exponential(30));
    assert_eq!(code, 0, "{out}");
    let w0905: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("warning[W0905]"))
        .collect();
    assert_eq!(w0905.len(), 1, "{out}");
    let ours = &out[out.find("warning[W0905]").unwrap()..];
    let ours = &ours[..ours.find("\n\n").unwrap()];
    insta::assert_snapshot!("policy_undecided", ours);
    // With a `when` the last test agrees with, the first path tried is real.
    let (code, out) = golden(
        "g-decided",
        &FORBID_X1.replace("== 1", "== 2"),
        &exponential(30),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[E0904]") && !out.contains("W0905"),
        "{out}"
    );
}

#[test]
fn flags_override_the_project_files_policies() {
    let route = exponential(30);
    let d = dir(
        "flags",
        &[
            ("aig-route.toml", FORBID_X1),
            ("other.toml", "[policy]\nproviders = [\"anthropic\"]\n"),
            ("r.yaml", &route),
        ],
    );
    // A bound hit is a warning: `--deny` makes CI fail on it, `--allow` drops it.
    let (code, out) = run(&d, &["validate", "r.yaml", "--deny", "W0905"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[W0905]"), "{out}");
    let (code, out) = run(&d, &["validate", "r.yaml", "--allow", "W0905"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("W0905"), "{out}");
    // So does a comment on the node, as for any warning (and it is not stale).
    let marked = route.replace("  big:\n", "  # aig-route: allow W0905\n  big:\n");
    std::fs::write(d.join("marked.yaml"), marked).unwrap();
    let (code, out) = run(&d, &["validate", "marked.yaml", "--deny-warnings"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("W0905") && !out.contains("W0610"), "{out}");
    // `--no-config` drops the policies; `--config` takes another file's.
    let (code, out) = run(&d, &["validate", "r.yaml", "--no-config"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("W09") && !out.contains("E09"), "{out}");
    let (code, out) = run(&d, &["validate", "r.yaml", "--config", "other.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[E0901]") && !out.contains("W0905"),
        "{out}"
    );
}

#[test]
fn every_command_that_reads_a_route_enforces_the_policies() {
    let d = dir(
        "commands",
        &[
            ("aig-route.toml", "[policy]\nproviders = [\"openai\"]\n"),
            ("r.yaml", CHAIN),
        ],
    );
    for args in [
        &["eval", "r.yaml", "--metadata", "{}"][..],
        &["convert", "r.yaml", "--to", "json"][..],
        &["graph", "r.yaml"][..],
    ] {
        let (code, out) = run(&d, args);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(out.contains("error[E0901]"), "{args:?}: {out}");
    }
    let (code, out) = run(&d, &["eval", "r.yaml", "--metadata", "{}", "--no-config"]);
    assert_eq!(code, 0, "{out}");
}

/// The value of `key "..."` or `key {...}` in a diagnostic note.
fn after<'a>(out: &'a str, key: &str, close: char) -> Option<&'a str> {
    let rest = &out[out.find(key)? + key.len()..];
    Some(&rest[..rest.find(close)? + usize::from(close == '}')])
}

#[test]
fn a_forbid_violations_example_request_evaluated_reaches_the_model() {
    // Free requests pass a split and two failing models before `big`: the
    // example says which fail, and `eval` with those failures reaches `big`.
    let route = "\
name: deep
start: plan
nodes:
  plan:
    if: metadata.plan == \"free\" && metadata.tier in [3, 4]
    then: s
    else: done
  s:
    split:
      80%: done
      20%: first
  first:
    model: groq/a
    timeout: 10s
    retries: 0
    success: done
    fallback: second
  second:
    model: groq/b
    timeout: 10s
    retries: 0
    success: done
    fallback: big
  big:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";
    let toml =
        "[[policy.forbid]]\nwhen = 'metadata.plan == \"free\"'\nmodels = [\"openai/gpt-4.1\"]\n";
    let d = dir("replayed", &[("aig-route.toml", toml), ("r.yaml", route)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("path: start → plan → s → first → second → big → done"),
        "{out}"
    );
    assert!(out.contains("with `first`, `second` failing"), "{out}");
    let metadata = after(&out, "example request: metadata ", '}').expect(&out);
    let id = after(&out, "request id `", '`').expect(&out);
    let (code, eval) = run(
        &d,
        &[
            "eval",
            "r.yaml",
            "--no-config",
            "--metadata",
            metadata,
            "--id",
            id,
            "--fail",
            "first",
            "--fail",
            "second",
        ],
    );
    assert_eq!(code, 0, "{eval}");
    assert!(eval.contains("served by `big`"), "{eval}");
}
