//! What `apply` would do: each route file against the version the gateway has
//! deployed, compared by meaning. The file's route is reduced to what the
//! gateway stores (our extensions `sticky` and `window_mode` and the metadata
//! declarations never reach it), the deployed elements are read back through
//! the same reader and writer, and the two element sets are compared without
//! regard to order; a difference is described by [`crate::diff`], in the same
//! words as `aig-route diff`. Only GETs are sent: one listing of the routes
//! (all its pages) and at most one read per route whose listing entry does not
//! carry its deployed graph.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{self, ApiError, Client, RouteInfo};
use crate::diff::{Change, ChangeKind};
use crate::syntax::ast::Route;

/// A route file as the command line read it.
#[derive(Clone, Debug)]
pub struct Local {
    /// The path, as given or found.
    pub path: String,
    /// The route's name, when the file could be read far enough to know it.
    pub name: Option<String>,
    /// The route when the file is free of errors; otherwise why it is not.
    pub route: Result<Route, String>,
}

/// What `apply` would do for one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Action {
    /// No route of that name: apply creates it (which deploys it).
    Create,
    /// The deployed version differs in meaning: apply adds and deploys a version.
    Update,
    /// The deployed version means the same.
    Unchanged,
    /// The file has errors (or names a route another file names): nothing is sent.
    Invalid,
    /// A route on the gateway that no file names: apply leaves it alone.
    Unmanaged,
}

impl Action {
    /// `create`, `update`, `unchanged`, `invalid` or `unmanaged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Invalid => "invalid",
            Action::Unmanaged => "unmanaged",
        }
    }
}

/// One line of the plan.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The route's name (empty when an invalid file could not be read that far).
    pub name: String,
    /// The file that holds it (none for an unmanaged route).
    pub file: Option<String>,
    /// What apply would do.
    pub action: Action,
    /// The route's id on the gateway, when it exists.
    pub route_id: Option<String>,
    /// The deployed version, when the gateway says.
    pub deployed_version: Option<String>,
    /// For an update, what changes, in `diff`'s words.
    pub changes: Vec<Change>,
    /// Our extensions in the file that will not reach the gateway.
    pub dropped: Vec<String>,
    /// Why the entry is invalid.
    pub problem: Option<String>,
    /// The elements apply sends (create and update).
    pub elements: Vec<Value>,
}

impl Entry {
    fn new(name: &str, file: Option<&str>, action: Action) -> Entry {
        Entry {
            name: name.to_string(),
            file: file.map(str::to_string),
            action,
            route_id: None,
            deployed_version: None,
            changes: Vec::new(),
            dropped: Vec::new(),
            problem: None,
            elements: Vec::new(),
        }
    }
}

/// The whole plan: the files in the order given, then unmanaged routes by name.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Every entry.
    pub entries: Vec<Entry>,
}

impl Plan {
    /// How many entries have `action`.
    pub fn count(&self, action: Action) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }

    /// Whether apply would send anything, or cannot run (an invalid file).
    pub fn has_changes(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e.action, Action::Create | Action::Update | Action::Invalid))
    }

    /// `2 to create, 1 to update, 9 unchanged, 1 unmanaged` (and `, 1 invalid`
    /// when there are invalid files).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} to create, {} to update, {} unchanged, {} unmanaged",
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Unchanged),
            self.count(Action::Unmanaged)
        );
        let invalid = self.count(Action::Invalid);
        if invalid > 0 {
            s.push_str(&format!(", {invalid} invalid"));
        }
        s
    }
}

/// The deployed graph of a listed route and the deployed version's id: from
/// the listing when its entry carries the graph of the deployed version (its
/// `version.data` or its `elements`), else from one read (the deployed version
/// when the listing names it, else the route).
pub fn deployed_graph(
    client: &Client,
    route: &RouteInfo,
) -> Result<(Option<String>, Vec<Value>), ApiError> {
    if let Some(graph) = graph_in(route) {
        return Ok((route.deployed_version.clone(), graph));
    }
    let missing = |r: &RouteInfo| {
        ApiError::Unexpected(format!(
            "route `{}` ({}): the gateway does not say what its deployed version holds",
            crate::escape::terminal(&r.name),
            crate::escape::terminal(&r.id)
        ))
    };
    match &route.deployed_version {
        Some(v) => {
            let version = client.version(&route.id, v)?;
            let graph = version.elements.ok_or_else(|| missing(route))?;
            Ok((Some(v.clone()), graph))
        }
        None => {
            let fresh = client.route(&route.id)?;
            let graph = graph_in(&fresh).ok_or_else(|| missing(&fresh))?;
            Ok((fresh.deployed_version.clone(), graph))
        }
    }
}

/// The graph of the deployed version as a route object carries it: its
/// `version`'s when that is the deployed one, else its own `elements`.
fn graph_in(route: &RouteInfo) -> Option<Vec<Value>> {
    let deployed = route.deployed_version.as_deref();
    match &route.version {
        Some(v) if deployed.is_none_or(|d| d == v.id) => {
            v.elements.clone().or_else(|| route.elements.clone())
        }
        Some(_) => None,
        None if deployed.is_some() => route.elements.clone(),
        None => None,
    }
}

/// Elements by id, so that the order they are written in does not count.
fn by_id(elements: &[Value]) -> BTreeMap<String, Vec<&Value>> {
    let mut m: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for e in elements {
        let id = e.get("id").map(Value::to_string).unwrap_or_default();
        m.entry(id).or_default().push(e);
    }
    m
}

/// The changes from the deployed `remote` elements to `ours` (the file's route
/// as the gateway stores it); empty when they mean the same.
pub fn compare(name: &str, ours: &[Value], remote: &[Value]) -> Vec<Change> {
    let theirs = api::canonical_remote(name, remote);
    let (a, b) = (by_id(&theirs), by_id(ours));
    if a == b {
        return Vec::new();
    }
    let whole = |text: String| Change {
        kind: ChangeKind::Changed,
        node: String::new(),
        field: "elements".into(),
        old: String::new(),
        new: String::new(),
        text,
    };
    let old = match api::route_from_elements(name, remote) {
        Ok(r) => r,
        Err(e) => {
            return vec![whole(format!(
                "the deployed version cannot be read ({e}); apply replaces it with the file's route"
            ))];
        }
    };
    let new = match api::route_from_elements(name, ours) {
        Ok(r) => r,
        Err(e) => return vec![whole(format!("the file's route cannot be sent ({e})"))],
    };
    let changes = crate::diff::diff(&old, &new);
    if !changes.is_empty() {
        return changes;
    }
    // Stored differently in a way the semantic diff does not name: say which
    // elements, as stored and as the file has them.
    a.keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|id| a.get(*id) != b.get(*id))
        .map(|id| {
            let show = |m: &BTreeMap<String, Vec<&Value>>| {
                m.get(id).map_or("(none)".to_string(), |v| {
                    v.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            };
            whole(format!(
                "element {id} is stored as {} and the file has {}",
                show(&a),
                show(&b)
            ))
        })
        .collect()
}

/// The plan for `files` against the routes the gateway lists.
pub fn plan(client: &Client, files: &[Local]) -> Result<Plan, ApiError> {
    let remote = client.routes()?;
    let mut by_name: BTreeMap<&str, Vec<&RouteInfo>> = BTreeMap::new();
    for r in &remote {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    let mut named: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in files {
        if let Some(n) = &f.name {
            named.entry(n.as_str()).or_default().push(&f.path);
        }
    }
    let mut entries = Vec::new();
    for f in files {
        let name = f.name.as_deref().unwrap_or("");
        let mut e = Entry::new(name, Some(&f.path), Action::Invalid);
        let listed = by_name.get(name).map(Vec::as_slice).unwrap_or(&[]);
        if let [one] = listed {
            e.route_id = Some(one.id.clone());
            e.deployed_version = one.deployed_version.clone();
        }
        let naming: &[&str] = named.get(name).map(Vec::as_slice).unwrap_or(&[]);
        let route = match &f.route {
            Err(why) => {
                e.problem = Some(why.clone());
                entries.push(e);
                continue;
            }
            Ok(r) => r,
        };
        e.dropped = api::not_honoured(route);
        if naming.len() > 1 {
            // The same words for every file involved, so the error is said once.
            e.problem = Some(format!(
                "route `{name}` is named by `{}`; keep it in one file",
                naming.join("` and by `")
            ));
            entries.push(e);
            continue;
        }
        if listed.len() > 1 {
            let ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
            e.problem = Some(format!(
                "the gateway has {} routes named `{name}` ({}); delete the extra ones in the dashboard",
                listed.len(),
                ids.join(", ")
            ));
            entries.push(e);
            continue;
        }
        e.elements = match api::wire_elements(route) {
            Ok(els) => els,
            Err(err) => {
                e.problem = Some(err.to_string());
                entries.push(e);
                continue;
            }
        };
        match listed.first() {
            None => e.action = Action::Create,
            Some(r) => {
                let (version, graph) = deployed_graph(client, r)?;
                e.deployed_version = version;
                e.changes = compare(name, &e.elements, &graph);
                e.action = if e.changes.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Update
                };
            }
        }
        entries.push(e);
    }
    for (name, routes) in &by_name {
        if named.contains_key(name) {
            continue;
        }
        for r in routes {
            let mut e = Entry::new(name, None, Action::Unmanaged);
            e.route_id = Some(r.id.clone());
            e.deployed_version = r.deployed_version.clone();
            entries.push(e);
        }
    }
    Ok(Plan { entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canary() -> (Route, Vec<Value>) {
        let text = include_str!("../../routes/canary.yaml");
        let mut sources = crate::source::SourceMap::new();
        let (_, checked) = crate::check::check_text(
            &mut sources,
            "canary.yaml",
            text,
            crate::syntax::Format::Yaml,
        );
        let route = checked.parsed.unwrap().route;
        let wire = api::wire_elements(&route).unwrap();
        (route, wire)
    }

    #[test]
    fn the_order_elements_are_stored_in_and_dropped_extensions_are_no_change() {
        let (route, ours) = canary();
        assert!(!api::not_honoured(&route).is_empty(), "canary is sticky");
        let mut stored = ours.clone();
        stored.reverse();
        assert_eq!(compare("canary", &ours, &stored), Vec::new());
    }

    #[test]
    fn a_difference_is_told_in_the_words_of_diff() {
        let (_, ours) = canary();
        let mut stored = ours.clone();
        let split = stored.iter_mut().find(|e| e["id"] == "split").unwrap();
        split["outputs"] =
            json!({"50%": {"elementId": "current"}, "50.0%": {"elementId": "candidate"}});
        let texts: Vec<String> = compare("canary", &ours, &stored)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(
            texts,
            [
                "split `split`: `candidate` 50% → 10%",
                "split `split`: `current` 50% → 90%"
            ]
        );
    }

    #[test]
    fn a_deployed_version_that_cannot_be_read_is_a_change_that_says_so() {
        let (_, ours) = canary();
        let changes = compare("canary", &ours, &[json!({"id": "start", "type": "nope"})]);
        assert_eq!(changes.len(), 1);
        assert!(
            changes[0]
                .text
                .starts_with("the deployed version cannot be read ("),
            "{}",
            changes[0].text
        );
    }
}
