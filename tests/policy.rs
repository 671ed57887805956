//! What a team states once: strictness flags, inline suppressions, the project
//! file `aig-route.toml`, and `explain`, through the real binary. The path
//! policies the file holds are in `policy_paths.rs`.

use std::path::Path;

#[path = "support/project.rs"]
mod project;
use project::{dir, run};

/// A route with one W0608 (sticky split) and one W0609 (a key requests may lack).
const WARNED: &str = "\
start: s
nodes:
  s:
    split:
      60%: lim
      40%: done
    sticky: metadata.user_id
  lim:
    rate_limit: 10
    window: 60s
    key: metadata.team
    success: done
    fallback: done
  done: end
";

#[test]
fn strictness_flags_take_comma_lists_and_reject_unknown_codes() {
    let d = dir("strict", &[("r.yaml", WARNED)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("W0608") && out.contains("W0609"), "{out}");

    let (code, out) = run(&d, &["validate", "r.yaml", "--allow", "W0608,W0609"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 warnings") && !out.contains("W060"), "{out}");

    let (code, out) = run(&d, &["validate", "r.yaml", "--deny", "W0609"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[W0609]") && out.contains("warning[W0608]"),
        "{out}"
    );
    assert!(out.contains("made an error by `--deny W0609`"), "{out}");

    let (code, out) = run(
        &d,
        &["validate", "r.yaml", "--deny-warnings", "--allow", "w0608"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[W0609]") && !out.contains("W0608"),
        "{out}"
    );

    let (code, out) = run(&d, &["validate", "r.yaml", "--allow", "W0608,W6009"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("`W6009` is not a diagnostic code; did you mean `W0609`?"),
        "{out}"
    );
    let (code, out) = run(&d, &["validate", "r.yaml", "--deny", "E0204"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("only warnings"), "{out}");
}

#[test]
fn inline_suppressions_silence_one_node_and_stale_ones_warn() {
    let text = WARNED
        .replace("  s:\n", "  s:  # aig-route: allow W0608\n")
        .replace("  lim:\n", "  # aig-route: allow W0609\n  lim:\n")
        .replace("  done: end\n", "  done: end  # aig-route: allow W0601\n");
    let d = dir("inline", &[("r.yaml", &text)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("W0608") && !out.contains("W0609"), "{out}");
    assert!(
        out.contains("warning[W0610]: `allow W0601` silences nothing"),
        "{out}"
    );
    assert!(out.contains("r.yaml:15:33"), "{out}");
}

#[test]
fn the_project_file_is_found_upwards_and_flags_override_it() {
    let d = dir(
        "project",
        &[
            (
                "aig-route.toml",
                "allow = [\"W0608\"]\ndeny = [\"W0609\"]\n",
            ),
            ("routes/r.yaml", WARNED),
            ("other.toml", "deny-warnings = true\n"),
        ],
    );
    let sub = d.join("routes");
    let (code, out) = run(&sub, &["validate", "r.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[W0609]") && !out.contains("W0608"),
        "{out}"
    );
    // A flag beats the file in both directions.
    let (code, out) = run(
        &sub,
        &["validate", "r.yaml", "--allow", "W0609", "--deny", "W0608"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[W0608]") && !out.contains("W0609"),
        "{out}"
    );
    let (code, out) = run(&sub, &["validate", "r.yaml", "--no-config"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&sub, &["validate", "r.yaml", "--config", "../other.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[W0608]") && out.contains("`--deny-warnings`"),
        "{out}"
    );
}

#[test]
fn a_wrong_project_file_is_reported_located_and_stops_the_command() {
    let toml = "alow = [\"W0608\"]\ndeny = [\"W6009\", \"E0204\"]\n\n[policy]\nmax-timeout = \"60x\"\nprovider = [\"openai\"]\n\n[[policy.forbid]]\nwhen = 'metadata.plan = \"free\"'\nmodels = [\"gpt-4\"]\n";
    let d = dir("badtoml", &[("aig-route.toml", toml), ("r.yaml", WARNED)]);
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 2, "{out}");
    for want in [
        "error[E0802]: unknown key `alow`",
        "aig-route.toml:1:1",
        "did you mean `allow`?",
        "error[E0803]: `W6009` is not a diagnostic code",
        "did you mean `W0609`?",
        "aig-route.toml:2:10",
        "`E0204` is an error",
        "aig-route.toml:5:16",
        "unknown key `policy.provider`",
        "did you mean `providers`?",
        "error[E0401]",
        "aig-route.toml:9:23",
        "`gpt-4` is not `provider/model`",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let (code, _) = run(&d, &["validate", "r.yaml", "--no-config"]);
    assert_eq!(code, 0);
    let d = dir(
        "syntax",
        &[
            ("aig-route.toml", "allow = [\"W0608\"\n"),
            ("r.yaml", WARNED),
        ],
    );
    let (code, out) = run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("error[E0801]") && out.contains("aig-route.toml:"),
        "{out}"
    );
}

#[test]
fn explain_gives_every_code_its_long_form_and_completions_cover_the_flags() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, list) = run(here, &["explain"]);
    assert_eq!(code, 0);
    let codes: Vec<&str> = list.lines().map(|l| &l[..5]).collect();
    assert!(
        codes.len() >= 50 && codes.contains(&"W0610") && codes.contains(&"E0904"),
        "{list}"
    );
    for c in codes {
        let (code, out) = run(here, &["explain", &c.to_ascii_lowercase()]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.starts_with(c) && out.contains("\nExample:\n    ") && out.contains("\nFix: "),
            "{out}"
        );
    }
    let (code, out) = run(here, &["explain", "W6009"]);
    assert_eq!(code, 2);
    assert!(out.contains("did you mean `W0609`?"), "{out}");
    // A broken project file does not stop commands that read no route.
    let d = dir("explain", &[("aig-route.toml", "alow = 1\n")]);
    assert_eq!(run(&d, &["explain", "E0802"]).0, 0);

    for shell in ["bash", "zsh", "fish"] {
        let (code, out) = run(here, &["completions", shell]);
        assert_eq!(code, 0, "{out}");
        for word in ["validate", "explain", "deny-warnings", "no-config"] {
            assert!(out.contains(word), "{shell} completions lack {word}");
        }
    }
    assert_eq!(run(here, &["completions", "tcsh"]).0, 2);
}
