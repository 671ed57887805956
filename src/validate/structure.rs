//! Start, end and outputs: the shape every route must have.

use super::Finding;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::RouteGraph;
use crate::source::Span;
use crate::syntax::ast::NodeKind;

pub(super) fn check(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    let route = g.route;
    let format = g.format;
    if route.name.value.trim().is_empty() {
        diags.push(Finding::EmptyName.at(route.name.span, format));
    }
    if route.nodes.is_empty() {
        diags.push(Finding::NoNodes.at(route.name.span, format));
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
        [] => diags.push(Finding::NoStart.at(
            Span {
                end: 0,
                ..route.nodes[0].span
            },
            format,
        )),
        [_] => {}
        [first, rest @ ..] => {
            for other in rest {
                let second = Finding::SecondStart {
                    id: other.id.value.clone(),
                };
                diags.push(
                    second
                        .at(other.id.span, format)
                        .with_secondary(first.id.span, "the first start node"),
                );
            }
        }
    }
    if !route.nodes.iter().any(|n| matches!(n.kind, NodeKind::End)) && !said(Code::NoEnd, diags) {
        diags.push(Finding::NoEndNode.at(
            Span {
                end: 0,
                ..route.nodes[0].span
            },
            format,
        ));
    }
    for node in &route.nodes {
        let missing: Vec<&str> = node
            .kind
            .slots()
            .filter(|(_, t)| t.is_none())
            .map(|(slot, _)| slot.name_in(format).unwrap_or_default())
            .collect();
        if let NodeKind::Percentage { branches, .. } = &node.kind
            && branches.is_empty()
        {
            let id = node.id.value.clone();
            diags.push(Finding::NoShares { id }.at(node.id.span, format));
        }
        if missing.is_empty() {
            continue;
        }
        let missing = Finding::MissingOutputs {
            kind: node.kind.describe(),
            id: node.id.value.clone(),
            outputs: missing,
        };
        diags.push(missing.at(node.id.span, format));
    }
}
