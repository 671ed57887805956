//! The pictures a review looks at, checked on the text they are made of: the
//! simulation plot (SVG) draws no drop where the traffic merely ended inside a
//! bucket and labels its axis with round values; the route diagrams (Mermaid
//! and DOT) dash fallback edges and draw an end reached with no model
//! answering apart from the end of a served request.

#[path = "support/scratch.rs"]
mod scratch;
use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::simulate::{Simulator, parse_line};
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use assert_cmd::Command;
use scratch::scratch;

const ONE_MODEL: &str = "start: m
nodes:
  m:
    model: openai/m
    timeout: 1s
    retries: 0
    success: done
    fallback: done
  done: end
";

fn program(yaml: &str) -> Program {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "r.yaml", yaml, Format::Yaml);
    assert!(checked.is_ok(), "{:?}", checked.diagnostics);
    checked.program.unwrap()
}

/// The plot of `times` (seconds) through one model, in `bucket`-second buckets.
fn plot(times: impl IntoIterator<Item = f64>, bucket: u64) -> String {
    let p = program(ONE_MODEL);
    let mut sim = Simulator::new(&p, 0).with_timeline(bucket);
    for (i, t) in times.into_iter().enumerate() {
        let line = format!(r#"{{"t": {t}}}"#);
        let n = i as u64 + 1;
        sim.feed(&parse_line(&line, n).unwrap(), n).unwrap();
    }
    sim.finish().timeline_svg("t")
}

/// The points of each `<polyline>` whose attributes contain `with`.
fn lines(svg: &str, with: &str) -> Vec<Vec<(f64, f64)>> {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(with))
        .map(|l| {
            let pts = l
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            pts.split(' ')
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// The value labels of the gridlines, bottom to top.
fn ticks(svg: &str) -> Vec<f64> {
    svg.lines()
        .filter(|l| l.starts_with("<line"))
        .filter_map(|l| {
            let label = l.rsplit("text-anchor=\"end\">").next()?;
            label.strip_suffix("</text>")?.parse().ok()
        })
        .collect()
}

#[test]
fn a_partial_last_bucket_draws_no_drop() {
    // One request a second from 0 to 569: nine full minutes of 60, then a
    // minute the traffic left after 30 seconds.
    let svg = plot((0..570).map(f64::from), 60);
    let solid = lines(&svg, "stroke-width");
    let solid: Vec<_> = solid.iter().filter(|l| l.len() > 2).collect::<Vec<_>>();
    // The model's line and the errors line; the model's is level at 60.
    let model = solid
        .iter()
        .find(|l| l.iter().all(|p| p.1 < 390.0 - 1.0))
        .expect("a line above zero");
    assert_eq!(model.len(), 9, "nine full buckets drawn solid");
    let level = model[0].1;
    assert!(model.iter().all(|p| (p.1 - level).abs() < 0.01));
    // The last bucket is dashed and drawn at the rate it saw: no drop.
    let partial = lines(&svg, "stroke-dasharray");
    assert!(!partial.is_empty(), "{svg}");
    let last = partial
        .iter()
        .map(|l| l[1])
        .find(|p| (p.1 - level).abs() < 0.01);
    assert!(last.is_some(), "the last bucket drops: {partial:?}\n{svg}");
    assert!(
        svg.contains("last bucket (dashed) covered 30s of its 1m"),
        "{svg}"
    );
}

#[test]
fn a_partial_first_bucket_is_scaled_too_and_a_sliver_is_left_out() {
    // Traffic starts 45 s into the first minute (15 s covered: drawn at its
    // rate) and ends 5 s into the last (too little to draw a rate from).
    let svg = plot((45..305).map(f64::from), 60);
    assert!(
        svg.contains("first bucket (dashed) covered 15s of its 1m"),
        "{svg}"
    );
    assert!(
        svg.contains("last bucket left out: traffic covered 5s of its 1m"),
        "{svg}"
    );
    let solid = lines(&svg, "stroke-width=\"1.5\" points");
    let model = solid
        .iter()
        .find(|l| l.iter().all(|p| p.1 < 389.0))
        .unwrap();
    // Minutes 1-4 full; minute 0 dashed at the same level; minute 5 not drawn.
    assert_eq!(model.len(), 4);
    let dashed = lines(&svg, "stroke-dasharray");
    assert!(dashed.iter().any(|l| (l[0].1 - model[0].1).abs() < 0.01));
}

#[test]
fn full_buckets_are_drawn_as_counted() {
    let svg = plot((0..600).map(f64::from), 60);
    assert!(!svg.contains("stroke-dasharray"), "{svg}");
    assert!(!svg.contains("class=\"note\""), "{svg}");
}

#[test]
fn gridlines_carry_round_values() {
    // 159 requests in the busiest bucket: 0/50/100/150/200, not 0/40/80/119/159.
    let mut times = Vec::new();
    for (minute, n) in [(0, 159u32), (1, 100), (2, 120)] {
        for k in 0..n {
            times.push(f64::from(minute * 60) + f64::from(k) * 60.0 / f64::from(n));
        }
    }
    // Close the last minute so that it is full.
    times.push(180.0);
    times.push(181.0);
    let svg = plot(times, 60);
    assert_eq!(ticks(&svg), vec![0.0, 50.0, 100.0, 150.0, 200.0], "{svg}");
    // A small count gets whole-number steps.
    let svg = plot((0..3).map(|k| f64::from(k) * 20.0), 60);
    assert_eq!(ticks(&svg), vec![0.0, 1.0, 2.0, 3.0], "{svg}");
}

fn graph(format: &str, route: &str) -> String {
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["graph", route, "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fallback_edges_are_dashed_and_success_edges_are_not() {
    let dot = graph("dot", "routes/tiers.yaml");
    let fallbacks: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("label=\"fallback\""))
        .collect();
    assert!(fallbacks.len() >= 3, "{dot}");
    assert!(
        fallbacks.iter().all(|l| l.contains("style=dashed")),
        "{dot}"
    );
    assert!(
        dot.lines()
            .filter(|l| l.contains("->") && !l.contains("fallback"))
            .all(|l| !l.contains("dashed")),
        "{dot}"
    );
    let mermaid = graph("mermaid", "routes/tiers.yaml");
    assert_eq!(
        mermaid.matches("-. fallback .->").count(),
        fallbacks.len(),
        "{mermaid}"
    );
    assert!(!mermaid.contains("-- \"fallback\" -->"), "{mermaid}");
}

#[test]
fn an_end_reached_with_no_model_answering_is_drawn_apart() {
    // tiers: `tiny` failing leads to `done` with no model having answered;
    // every other edge into `done` is a model's success.
    let dot = graph("dot", "routes/tiers.yaml");
    let apart: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("no model answered"))
        .collect();
    assert_eq!(apart.len(), 1, "{dot}");
    assert!(apart[0].contains("shape=octagon"), "{dot}");
    let twin = apart[0].trim().split(' ').next().unwrap();
    let into_twin: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains(&format!("-> {twin} ")))
        .collect();
    assert_eq!(into_twin.len(), 1, "{dot}");
    assert!(into_twin[0].contains("fallback"), "{dot}");
    // The served end keeps the success edges.
    let served = twin.trim_end_matches('x');
    assert_eq!(
        dot.lines()
            .filter(|l| l.contains(&format!("-> {served} ")) && l.contains("success"))
            .count(),
        3,
        "{dot}"
    );
    let mermaid = graph("mermaid", "routes/tiers.yaml");
    assert!(
        mermaid.contains(&format!("{twin}[[\"done<br/>no model answered\"]]")),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(&format!("class {twin} unanswered")),
        "{mermaid}"
    );
}

#[test]
fn an_end_only_reached_without_an_answer_is_drawn_once() {
    let tmp = scratch("pictures");
    let dir = tmp.path();
    let path = dir.join("blocked.yaml");
    // `blocked` is reached only when the limit refuses: before any model.
    std::fs::write(
        &path,
        "start: l\nnodes:\n  l:\n    rate_limit: 1\n    window: 1m\n    key: metadata.user_id\n    success: m\n    fallback: blocked\n  m:\n    model: openai/m\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n  blocked: end\n",
    )
    .unwrap();
    let dot = graph("dot", path.to_str().unwrap());
    // `done` is reached both ways (m answered, or m failed): it appears twice;
    // `blocked` only without an answer: once, apart.
    assert!(dot.contains("label=\"done\"]"), "{dot}");
    assert!(dot.contains("label=\"done\\nno model answered\""), "{dot}");
    assert!(!dot.contains("label=\"blocked\"]"), "{dot}");
    assert!(
        dot.contains("label=\"blocked\\nno model answered\""),
        "{dot}"
    );
}
