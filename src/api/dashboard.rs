//! Routes, versions and deployments on the dashboard API, as typed calls: list
//! every route (full objects), get a route or a version, create a route, a
//! version or a deployment. Objects sit under `result`; a route's graph is
//! `elements`, or, when that is missing, `null` or `[]`, `version.data` (a JSON
//! string or the array itself), as the Terraform provider reads it. Create
//! answers name no version id, so the version list says which one is new.

use serde_json::{Value, json};

use super::ApiError;
use super::base::segment;
use super::client::{Client, Posted};

/// A route as the API describes it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RouteInfo {
    /// The route id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The deployed version, when the route object says.
    pub deployed_version: Option<String>,
    /// The graph, when the object carries it.
    pub elements: Option<Vec<Value>>,
    /// The route's `version` object (the deployed version), when present.
    pub version: Option<VersionInfo>,
}

/// A version of a route.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VersionInfo {
    /// The version id.
    pub id: String,
    /// When it was created (as the API writes it).
    pub created_at: String,
    /// Whether the API marks it active (`"true"` as a string on the wire).
    pub active: bool,
    /// The service's own verdict on the version, when it gives one.
    pub is_valid: Option<bool>,
    /// Its graph, when the object carries it.
    pub elements: Option<Vec<Value>>,
}

/// A deployment of a version.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeploymentInfo {
    /// The deployment id.
    pub id: String,
    /// The version deployed.
    pub version_id: String,
    /// When.
    pub created_at: String,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The object an envelope carries: `result`, `result.route` (PATCH), or `route`.
fn object_of(doc: &Value) -> &Value {
    doc.get("result")
        .filter(|r| r.is_object())
        .map(|r| r.get("route").filter(|x| x.is_object()).unwrap_or(r))
        .or_else(|| doc.get("route"))
        .unwrap_or(doc)
}

/// A graph: an array, or a JSON string holding one.
fn graph(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) => Some(a.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(s).ok()? {
            Value::Array(a) => Some(a),
            _ => None,
        },
        _ => None,
    }
}

/// The graph of a route or version object: `elements` when it is a non-empty
/// array; otherwise (missing, `null`, `[]`) `version.data` of a route or `data`
/// of a version, each an array or a JSON string holding one.
pub fn elements_of(obj: &Value) -> Option<Vec<Value>> {
    let own = obj
        .get("elements")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    if let Some(a) = own {
        return Some(a.clone());
    }
    obj.get("version")
        .and_then(|v| v.get("data"))
        .and_then(graph)
        .or_else(|| obj.get("data").and_then(graph))
        .or_else(|| {
            // An empty `elements` with nothing else is an empty graph.
            obj.get("elements")
                .and_then(Value::as_array)
                .map(|_| Vec::new())
        })
}

fn is_active(v: &Value) -> bool {
    match v.get("active") {
        Some(Value::String(s)) => s == "true",
        Some(Value::Bool(b)) => *b,
        _ => false,
    }
}

fn version_of(v: &Value) -> Option<VersionInfo> {
    Some(VersionInfo {
        // A GET version answers both `id` and `version_id`; the version is the latter.
        id: text(v, "version_id").or_else(|| text(v, "id"))?,
        created_at: text(v, "created_at").unwrap_or_default(),
        active: is_active(v),
        is_valid: v.get("is_valid").and_then(Value::as_bool),
        elements: elements_of(v),
    })
}

fn route_of(v: &Value) -> Option<RouteInfo> {
    let version = v
        .get("version")
        .filter(|x| x.is_object())
        .and_then(version_of);
    Some(RouteInfo {
        id: text(v, "id")?,
        name: text(v, "name").unwrap_or_default(),
        deployed_version: v
            .get("deployment")
            .and_then(|d| text(d, "version_id"))
            .filter(|s| !s.is_empty())
            .or_else(|| version.as_ref().filter(|x| x.active).map(|x| x.id.clone())),
        elements: elements_of(v),
        version,
    })
}

fn oldest_first<T>(items: &mut [T], key: impl Fn(&T) -> (&str, &str)) {
    items.sort_by(|a, b| key(a).cmp(&key(b)));
}

impl Client {
    /// Every route of the gateway (all pages), as full objects.
    pub fn routes(&self) -> Result<Vec<RouteInfo>, ApiError> {
        let items = self.list("/routes", "routes")?;
        items
            .iter()
            .map(|v| {
                route_of(v).ok_or_else(|| {
                    ApiError::Unexpected(format!(
                        "{}: a route in the list has no `id`",
                        self.request_name("GET", "/routes")
                    ))
                })
            })
            .collect()
    }

    /// The route named `name`, if the whole list has one; an error when it has several.
    pub fn find_route(&self, name: &str) -> Result<Option<RouteInfo>, ApiError> {
        let mut found: Vec<RouteInfo> = self
            .routes()?
            .into_iter()
            .filter(|r| r.name == name)
            .collect();
        if found.len() > 1 {
            let ids: Vec<String> = found
                .iter()
                .map(|r| format!("`{}`", crate::escape::terminal(&r.id)))
                .collect();
            return Err(ApiError::Ambiguous(format!(
                "the gateway has {} routes named `{}` ({}); delete the extra ones in the dashboard, then run again",
                found.len(),
                crate::escape::terminal(name),
                ids.join(", ")
            )));
        }
        Ok(found.pop())
    }

    /// One route.
    pub fn route(&self, id: &str) -> Result<RouteInfo, ApiError> {
        let path = format!("/routes/{}", segment(id));
        let (doc, _) = self.get(&path)?;
        route_of(object_of(&doc)).ok_or_else(|| {
            ApiError::Unexpected(format!(
                "{}: no route in the answer",
                self.request_name("GET", &path)
            ))
        })
    }

    /// Creates a route; the service deploys it at once. After a failed attempt
    /// the route list says whether it was created.
    pub fn create_route(&self, name: &str, elements: &[Value]) -> Result<RouteInfo, ApiError> {
        let body = json!({"name": name, "elements": elements});
        match self.post("/routes", &body, || self.find_route(name))? {
            Posted::Confirmed(route) => Ok(route),
            Posted::Answered(doc) => route_of(object_of(&doc)).ok_or_else(|| {
                ApiError::Unexpected(format!(
                    "{}: the answer names no route id",
                    self.request_name("POST", "/routes")
                ))
            }),
        }
    }

    /// Every version of a route, oldest first.
    pub fn versions(&self, route: &str) -> Result<Vec<VersionInfo>, ApiError> {
        let path = format!("/routes/{}/versions", segment(route));
        let mut v: Vec<VersionInfo> = self
            .list(&path, "versions")?
            .iter()
            .filter_map(version_of)
            .collect();
        oldest_first(&mut v, |x| (&x.created_at, &x.id));
        Ok(v)
    }

    /// One version.
    pub fn version(&self, route: &str, version: &str) -> Result<VersionInfo, ApiError> {
        let path = format!("/routes/{}/versions/{}", segment(route), segment(version));
        let (doc, _) = self.get(&path)?;
        version_of(object_of(&doc)).ok_or_else(|| {
            ApiError::Unexpected(format!(
                "{}: no version in the answer",
                self.request_name("GET", &path)
            ))
        })
    }

    /// The graph of a version, fetched when the listing did not carry it.
    pub fn version_elements(
        &self,
        route: &str,
        version: &VersionInfo,
    ) -> Result<Vec<Value>, ApiError> {
        match &version.elements {
            Some(e) => Ok(e.clone()),
            None => self.version(route, &version.id)?.elements.ok_or_else(|| {
                ApiError::Unexpected(format!(
                    "version `{}` carries no graph (no `elements`, no `data`)",
                    crate::escape::terminal(&version.id)
                ))
            }),
        }
    }

    /// Creates a version and returns its id. See [`Client::create_version_info`].
    pub fn create_version(&self, route: &str, elements: &[Value]) -> Result<String, ApiError> {
        self.create_version_info(route, elements).map(|v| v.id)
    }

    /// Creates a version and returns it as the version list shows it, with the
    /// service's verdict (`is_valid`) when the list gives one. The answer does not
    /// name the version, so it is the one that appears in the version list and was
    /// not there before (the one holding these elements, if several appeared at
    /// once); no request beyond that list is needed to learn the verdict.
    pub fn create_version_info(
        &self,
        route: &str,
        elements: &[Value],
    ) -> Result<VersionInfo, ApiError> {
        let before: Vec<String> = self.versions(route)?.into_iter().map(|v| v.id).collect();
        let new_one = || -> Result<Option<VersionInfo>, ApiError> {
            let mut fresh: Vec<VersionInfo> = self
                .versions(route)?
                .into_iter()
                .filter(|v| !before.contains(&v.id))
                .collect();
            let at = fresh
                .iter()
                .rposition(|v| v.elements.as_deref() == Some(elements))
                .or_else(|| fresh.len().checked_sub(1));
            Ok(at.map(|i| fresh.swap_remove(i)))
        };
        let path = format!("/routes/{}/versions", segment(route));
        match self.post(&path, &json!({"elements": elements}), new_one)? {
            Posted::Confirmed(v) => Ok(v),
            Posted::Answered(doc) => {
                let answer = object_of(&doc);
                if answer.get("version_id").and_then(Value::as_str).is_some() {
                    if let Some(v) = version_of(answer) {
                        return Ok(v);
                    }
                }
                new_one()?.ok_or_else(|| {
                    ApiError::Unexpected(format!(
                        "{}: the new version does not appear in the version list",
                        self.request_name("POST", &path)
                    ))
                })
            }
        }
    }

    /// Deploys a version. After a failed attempt the route says whether it is
    /// now the deployed one.
    pub fn deploy(&self, route: &str, version: &str) -> Result<(), ApiError> {
        let path = format!("/routes/{}/deployments", segment(route));
        let deployed = || -> Result<Option<()>, ApiError> {
            let r = self.route(route)?;
            Ok((r.deployed_version.as_deref() == Some(version)).then_some(()))
        };
        self.post(&path, &json!({"version_id": version}), deployed)?;
        Ok(())
    }

    /// Deployments of a route, oldest first.
    pub fn deployments(&self, route: &str) -> Result<Vec<DeploymentInfo>, ApiError> {
        let path = format!("/routes/{}/deployments", segment(route));
        let mut d: Vec<DeploymentInfo> = self
            .list(&path, "deployments")?
            .iter()
            .filter_map(|v| {
                Some(DeploymentInfo {
                    id: text(v, "deployment_id")
                        .or_else(|| text(v, "id"))
                        .unwrap_or_default(),
                    version_id: text(v, "version_id")?,
                    created_at: text(v, "created_at").unwrap_or_default(),
                })
            })
            .collect();
        oldest_first(&mut d, |x| (&x.created_at, &x.id));
        Ok(d)
    }

    /// The deployed version id: from the route object, else the latest deployment.
    pub fn deployed_version(&self, route: &RouteInfo) -> Result<Option<String>, ApiError> {
        if let Some(v) = &route.deployed_version {
            return Ok(Some(v.clone()));
        }
        Ok(self.deployments(&route.id)?.pop().map(|d| d.version_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_come_from_version_data_when_elements_are_missing_null_or_empty() {
        let els = json!([{"id": "start"}]);
        let one = Some(vec![json!({"id": "start"})]);
        assert_eq!(elements_of(&json!({"elements": els})), one);
        for elements in [None, Some(Value::Null), Some(json!([]))] {
            for data in [els.clone(), Value::String(els.to_string())] {
                let mut route = json!({"version": {"data": data}});
                let mut version = json!({"data": data});
                if let Some(e) = &elements {
                    route["elements"] = e.clone();
                    version["elements"] = e.clone();
                }
                assert_eq!(elements_of(&route), one, "{route}");
                assert_eq!(elements_of(&version), one, "{version}");
            }
        }
        assert_eq!(elements_of(&json!({"version": {}})), None);
        assert_eq!(elements_of(&json!({"elements": []})), Some(vec![]));
    }

    #[test]
    fn a_get_version_answer_is_read_by_version_id_with_active_as_a_string() {
        let v = version_of(&json!({"id": "route-1", "version_id": "v2", "active": "false", "data": "[]", "is_valid": false})).unwrap();
        assert_eq!(v.id, "v2");
        assert!(!v.active);
        assert_eq!(v.is_valid, Some(false));
        assert_eq!(v.elements, Some(vec![]));
    }
}
