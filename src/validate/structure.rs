//! Start, end and outputs: the shape every route must have.

use crate::diagnostic::{Code, Diagnostic};
use crate::graph::RouteGraph;
use crate::source::Span;
use crate::syntax::ast::NodeKind;

pub(super) fn check(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    let route = g.route;
    if route.name.value.trim().is_empty() {
        diags.push(
            Diagnostic::error(
                Code::BadValue,
                route.name.span,
                "the route has an empty name",
            )
            .help("name it: clients call it as `dynamic/<name>`"),
        );
    }
    if route.nodes.is_empty() {
        diags.push(
            Diagnostic::error(Code::EmptyRoute, route.name.span, "the route has no nodes")
                .help("add a start node, at least one model and an end"),
        );
        return;
    }
    let starts: Vec<_> = route
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Start { .. }))
        .collect();
    // The reader may already have said why (`start:` missing in YAML): once is enough.
    let said = |code: Code, diags: &[Diagnostic]| diags.iter().any(|d| d.code == code);
    match starts.as_slice() {
        [] if said(Code::StartCount, diags) => {}
        [] => diags.push(
            Diagnostic::error(
                Code::StartCount,
                Span {
                    end: 0,
                    ..route.nodes[0].span
                },
                "the route has no start node",
            )
            .help("add a node of type `start` whose `next` output leads to the first decision"),
        ),
        [_] => {}
        [first, rest @ ..] => {
            for other in rest {
                diags.push(
                    Diagnostic::error(
                        Code::StartCount,
                        other.id.span,
                        format!("`{}` is a second start node", other.id.value),
                    )
                    .with_secondary(first.id.span, "the first start node")
                    .help("a route has exactly one start; join the two paths after it"),
                );
            }
        }
    }
    if !route.nodes.iter().any(|n| matches!(n.kind, NodeKind::End)) && !said(Code::NoEnd, diags) {
        diags.push(
            Diagnostic::error(
                Code::NoEnd,
                Span {
                    end: 0,
                    ..route.nodes[0].span
                },
                "the route has no end node",
            )
            .help("add an end node (`done: end` in YAML) and lead the models' outputs to it"),
        );
    }
    for node in &route.nodes {
        let missing: Vec<&str> = node
            .kind
            .slots()
            .filter(|(_, t)| t.is_none())
            .map(|(slot, _)| slot.name_in(g.format).unwrap_or_default())
            .collect();
        if let NodeKind::Percentage { branches, .. } = &node.kind {
            if branches.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::MissingOutput,
                        node.id.span,
                        format!("split `{}` has no shares", node.id.value),
                    )
                    .help(
                        "give it shares that add up to 100%, such as `90%: main` and `10%: canary`",
                    ),
                );
            }
        }
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        diags.push(
            Diagnostic::error(
                Code::MissingOutput,
                node.id.span,
                format!(
                    "{} `{}` has no {list} output{}",
                    node.kind.describe(),
                    node.id.value,
                    if missing.len() > 1 { "s" } else { "" }
                ),
            )
            .note(format!(
                "a {} needs every one of its outputs",
                node.kind.describe()
            ))
            .help(format!("add {list} naming the node to go to")),
        );
    }
}
