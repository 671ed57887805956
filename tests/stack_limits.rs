//! Routes at every default limit (nodes, file size, nesting depth, values) go
//! through every stage — validate, convert to each format and read back, fmt,
//! compile and evaluate — on a thread with a 1 MiB stack. Nothing over a route
//! may recurse as deep as the route is long; what recursion is left (over one
//! condition, one nested value) is bounded by the depth limit.

use aig_route::check::{check, check_text};
use aig_route::emit;
use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::fmt::format_file;
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};

const STACK: usize = 1 << 20;

/// Runs `f` on a thread with a 1 MiB stack; a stack overflow aborts the test binary.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Every stage on `text`, which must validate without errors. With `read_back`,
/// each converted copy is also read and compiled again (costly at 100,000 nodes
/// in a debug build, so the largest route only converts).
fn every_stage(name: &str, text: &str, format: Format, metadata: &str, read_back: bool) {
    let mut sources = SourceMap::new();
    let (id, checked) = check_text(&mut sources, name, text, format);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: {:?}",
        &errors[..errors.len().min(3)]
    );
    let route = &checked.parsed.as_ref().unwrap().route;
    let program = checked.program.as_ref().expect("a valid route compiles");

    // Convert to every format; each reads back to the same program.
    let json = serde_json::to_string(&emit::to_json(route).unwrap()).unwrap();
    for (out, f) in [
        (emit::to_yaml(route), Format::Yaml),
        (emit::to_dsl(route), Format::Dsl),
        (json, Format::Json),
    ] {
        if !read_back {
            continue;
        }
        // Formats differ in size (gateway JSON is the wordiest): the file-size
        // bound guards what a file costs to read, so the copy gets room for its
        // own size; every other bound stays at its default.
        let limits = Limits {
            max_file_bytes: out.len().max(Limits::default().max_file_bytes),
            ..Limits::default()
        };
        let copy = sources.add("converted", out);
        let back = check(&sources, copy, f, &limits);
        assert!(
            back.is_ok(),
            "{name} as {f:?}: {:?}",
            back.diagnostics.first()
        );
        let again = back.program.expect("a valid copy compiles");
        assert_eq!(again.canonical(), program.canonical(), "{name} as {f:?}");
    }

    if format != Format::Json {
        format_file(&sources, id, format, &Limits::default()).unwrap();
    }

    let mut req = Request::new(program);
    req.set_metadata_json(program, metadata).unwrap();
    let (mut session, mut store) = (Session::new(7), MemoryStore::new());
    let d = program
        .decide(&mut session, &req, &mut store, 0.0)
        .expect("the request belongs to this program");
    assert!(
        d.model.is_some() || !d.path.is_empty(),
        "{name}: no decision"
    );
}

/// A chain of conditionals at the node limit (start and end included), in the
/// compact flow style so that it also sits just under the file-size limit.
fn node_limit_yaml() -> String {
    let limits = Limits::default();
    let chain = limits.max_nodes - 2;
    let mut s = String::from("start: n0\nnodes:\n");
    for i in 0..chain {
        let next = if i + 1 == chain {
            "done".to_string()
        } else {
            format!("n{}", i + 1)
        };
        s.push_str(&format!(
            "  n{i}: {{if: 'metadata.k == \"v{i}\"', then: {next}, else: {next}}}\n"
        ));
    }
    s.push_str("  done: end\n");
    assert!(s.len() <= limits.max_file_bytes, "{} bytes", s.len());
    assert!(s.len() > limits.max_file_bytes * 3 / 4, "{} bytes", s.len());
    s
}

#[test]
fn a_route_at_the_node_and_size_limits() {
    small_stack(|| every_stage("nodes.yaml", &node_limit_yaml(), Format::Yaml, "{}", false));
}

/// The same chain in the DSL, at the node limit.
#[test]
fn a_dsl_route_at_the_node_limit() {
    small_stack(|| {
        let limits = Limits::default();
        let chain = limits.max_nodes - 2;
        let mut s = String::from("route nodes {\n  start -> n0\n");
        for i in 0..chain {
            let next = if i + 1 == chain {
                "done".to_string()
            } else {
                format!("n{}", i + 1)
            };
            s.push_str(&format!(
                "  n{i}: if metadata.k == \"v{i}\" {{ then -> {next} else -> {next} }}\n"
            ));
        }
        s.push_str("  done: end\n}\n");
        assert!(s.len() <= limits.max_file_bytes, "{} bytes", s.len());
        every_stage("nodes.route", &s, Format::Dsl, "{}", false);
    });
}

/// Gateway JSON spends more bytes on a node than the file-size limit leaves
/// for the node limit, so its largest route is a chain that fills the file.
#[test]
fn a_json_route_at_the_size_limit() {
    small_stack(|| {
        let limits = Limits::default();
        let element = |i: usize, next: &str| {
            format!(
                r#",{{"id":"n{i}","type":"conditional","properties":{{"conditions":{{"metadata.k":"v{i}"}}}},"outputs":{{"true":{{"elementId":"{next}"}},"false":{{"elementId":"{next}"}}}}}}"#
            )
        };
        let head = r#"{"name":"size","elements":[{"id":"start","type":"start","outputs":{"next":{"elementId":"n0"}}}"#;
        let tail = r#",{"id":"e","type":"end","outputs":{}}]}"#;
        // As many conditionals as fit, each a little longer than the last.
        let room = limits.max_file_bytes - head.len() - tail.len();
        let mut chain = 0;
        let mut used = 0;
        while used + element(chain, &format!("n{}", chain + 1)).len() <= room {
            used += element(chain, &format!("n{}", chain + 1)).len();
            chain += 1;
        }
        let mut s = String::with_capacity(limits.max_file_bytes);
        s.push_str(head);
        for i in 0..chain {
            let next = if i + 1 == chain {
                "e".to_string()
            } else {
                format!("n{}", i + 1)
            };
            s.push_str(&element(i, &next));
        }
        s.push_str(tail);
        assert!(s.len() <= limits.max_file_bytes, "{} bytes", s.len());
        assert!(s.len() > limits.max_file_bytes - 200, "{} bytes", s.len());
        every_stage("size.json", &s, Format::Json, "{}", false);
    });
}

/// A fallback chain of models: each model's fallback leads to the next.
#[test]
fn a_long_fallback_chain() {
    small_stack(|| {
        let n = 2_000;
        let mut s = String::from("start: m0\nnodes:\n");
        for i in 0..n {
            let next = if i + 1 == n {
                "done".to_string()
            } else {
                format!("m{}", i + 1)
            };
            s.push_str(&format!(
                "  m{i}: {{model: openai/gpt-{i}, timeout: 1s, retries: 0, success: done, fallback: {next}}}\n"
            ));
        }
        s.push_str("  done: end\n");
        every_stage("fallbacks.yaml", &s, Format::Yaml, "{}", true);
    });
}

/// Conditions nested to the depth limit, as parentheses, as `!` and as Mongo
/// objects, and DSL blocks nested to it.
#[test]
fn routes_at_the_depth_limit() {
    small_stack(|| {
        let depth = Limits::default().max_depth;
        let parens = format!(
            "{}metadata.a == \"x\"{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let nots = format!("{}metadata.a == \"x\"", "!".repeat(depth));
        for cond in [parens, nots] {
            let yaml = format!(
                "start: c\nnodes:\n  c:\n    if: '{cond}'\n    then: m\n    else: done\n  m: {{model: openai/gpt-4.1, timeout: 1s, retries: 0, success: done, fallback: done}}\n  done: end\n"
            );
            every_stage("deep.yaml", &yaml, Format::Yaml, r#"{"a":"x"}"#, true);
        }
        // DSL: conditionals nested inline, each in the previous one's `then`.
        let levels = depth - 1;
        let mut dsl = String::from("route deep {\n  start -> c0\n  c0: ");
        for i in 0..levels {
            dsl.push_str(&format!(
                "if metadata.a == \"x{i}\" {{ then -> c{}: ",
                i + 1
            ));
        }
        dsl.push_str(
            "model openai/gpt-4.1 timeout 1s retries 0 { success -> done fallback -> done }",
        );
        dsl.push_str(&" else -> done }".repeat(levels));
        dsl.push_str("\n  done: end\n}\n");
        every_stage("deep.route", &dsl, Format::Dsl, r#"{"a":"x0"}"#, true);
    });
}

/// One condition holding as many values as the value limit leaves room for.
#[test]
fn a_route_at_the_value_limit() {
    small_stack(|| {
        let limits = Limits::default();
        // Leave room for the rest of the document (about 40 values).
        let n = limits.max_values - 64;
        let mut s = String::with_capacity(n * 2 + 400);
        s.push_str(r#"{"name":"many","elements":[{"id":"start","type":"start","outputs":{"next":{"elementId":"c"}}},{"id":"c","type":"conditional","properties":{"conditions":{"metadata.a":{"$in":["#);
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&(i % 10).to_string());
        }
        s.push_str(r#"]}}},"outputs":{"true":{"elementId":"m"},"false":{"elementId":"e"}}},{"id":"m","type":"model","properties":{"provider":"openai","model":"gpt-4.1","timeout":1000,"retries":0},"outputs":{"success":{"elementId":"e"},"fallback":{"elementId":"e"}}},{"id":"e","type":"end","outputs":{}}]}"#);
        assert!(s.len() <= limits.max_file_bytes);
        every_stage("many.json", &s, Format::Json, r#"{"a":3}"#, false);
    });
}
