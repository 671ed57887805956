//! Shared by the benches: generated routes of a given size.

/// A valid YAML route of about `n` nodes: a chain of conditionals, splits and
/// limits fanning into models, every output leading forward.
pub fn generated_route(n: usize) -> String {
    generated(n, false)
}

/// The same shape, but every model's outputs end the route, so a request's
/// path is a handful of nodes however large the route is.
pub fn generated_route_short_paths(n: usize) -> String {
    generated(n, true)
}

fn generated(n: usize, short: bool) -> String {
    let mut out = String::from("name: generated\nstart: n0\nnodes:\n");
    for i in 0..n {
        let next = |k: usize| {
            if i + k < n {
                format!("n{}", i + k)
            } else {
                "done".to_string()
            }
        };
        match i % 4 {
            0 => {
                out += &format!(
                    "  n{i}:\n    if: metadata.plan == \"p{}\" && metadata.tier >= {}\n    then: {}\n    else: {}\n",
                    i % 7,
                    i % 3,
                    next(1),
                    next(2)
                )
            }
            1 => {
                out += &format!(
                    "  n{i}:\n    split:\n      70%: {}\n      30%: {}\n    sticky: metadata.user_id\n",
                    next(1),
                    next(3)
                )
            }
            2 => {
                out += &format!(
                    "  n{i}:\n    rate_limit: 100\n    window: 1h\n    key: metadata.user_id\n    success: {}\n    fallback: {}\n",
                    next(1),
                    next(2)
                )
            }
            _ => {
                let (success, fallback) = if short {
                    ("done".to_string(), "done".to_string())
                } else {
                    (next(1), next(2))
                };
                out += &format!(
                    "  n{i}:\n    model: openai/m{}\n    timeout: 30s\n    retries: 1\n    success: {success}\n    fallback: {fallback}\n",
                    i % 5
                )
            }
        }
    }
    out += "  done: end\n";
    out
}

/// A bench's `main`: with `AIG_ROUTE_COUNT` set, runs `count` on its value
/// once and exits (for `benches/count-instructions.sh`, under callgrind);
/// otherwise runs the criterion `benches`.
pub fn count_or_bench(count: fn(&str), benches: fn()) {
    if let Ok(spec) = std::env::var("AIG_ROUTE_COUNT") {
        count(&spec);
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
