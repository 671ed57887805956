//! Routes, versions and deployments on the dashboard API, read tolerantly: lists
//! under `result.data`, `data` or `result`; a route under `result.route`,
//! `route` or `result`; a graph under `elements` or `version.data` (a JSON
//! string or the array itself); pages followed until they run out.

use serde_json::{Value, json};

use super::ApiError;
use super::client::Client;

/// A route as the API describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteInfo {
    /// The route id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The deployed version, when the route object says.
    pub deployed_version: Option<String>,
    /// The graph, when the object carries it.
    pub elements: Option<Vec<Value>>,
}

/// A version of a route.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionInfo {
    /// The version id.
    pub id: String,
    /// When it was created (as the API writes it).
    pub created_at: String,
    /// Whether the API marks it active (`"true"` as a string on the wire).
    pub active: bool,
    /// Its graph, when the object carries it.
    pub elements: Option<Vec<Value>>,
}

/// A deployment of a version.
#[derive(Clone, Debug, PartialEq)]
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

/// The object an envelope carries: `result.route`, `route`, `result`, or the body.
fn object_of(doc: &Value) -> &Value {
    doc.get("result")
        .and_then(|r| r.get("route").or(Some(r)))
        .filter(|r| r.is_object())
        .or_else(|| doc.get("route"))
        .unwrap_or(doc)
}

/// The items of a list envelope and whether another page may follow.
fn items_of(doc: &Value, page: u64, per_page: u64) -> (Vec<Value>, bool) {
    let arr = doc
        .get("result")
        .and_then(|r| r.get("data").or(Some(r)))
        .and_then(Value::as_array)
        .or_else(|| doc.get("data").and_then(Value::as_array))
        .cloned()
        .unwrap_or_default();
    let info = doc
        .get("result_info")
        .or_else(|| doc.get("result").and_then(|r| r.get("result_info")));
    let total_pages = info
        .and_then(|i| i.get("total_pages"))
        .and_then(Value::as_u64);
    let total = info
        .and_then(|i| i.get("total_count"))
        .and_then(Value::as_u64);
    let more = match (total_pages, total) {
        (Some(tp), _) => page < tp,
        (None, Some(t)) => page * per_page < t,
        (None, None) => arr.len() as u64 >= per_page,
    };
    let more = more && !arr.is_empty();
    (arr, more)
}

/// The graph of a route or version object: `elements`, else `version.data` or
/// `data`, each an array or a JSON string holding one.
pub fn elements_of(obj: &Value) -> Option<Vec<Value>> {
    let pick = |v: &Value| -> Option<Vec<Value>> {
        match v {
            Value::Array(a) => Some(a.clone()),
            Value::String(s) => match serde_json::from_str::<Value>(s).ok()? {
                Value::Array(a) => Some(a),
                Value::Object(o) => o.get("elements").and_then(Value::as_array).cloned(),
                _ => None,
            },
            Value::Object(o) => o.get("elements").and_then(Value::as_array).cloned(),
            _ => None,
        }
    };
    obj.get("elements")
        .and_then(pick)
        .or_else(|| {
            obj.get("version")
                .and_then(|v| v.get("data"))
                .and_then(pick)
        })
        .or_else(|| obj.get("data").and_then(pick))
}

fn route_of(v: &Value) -> Option<RouteInfo> {
    Some(RouteInfo {
        id: text(v, "id")?,
        name: text(v, "name").unwrap_or_default(),
        deployed_version: v
            .get("deployment")
            .and_then(|d| text(d, "version_id"))
            .or_else(|| {
                v.get("version")
                    .filter(|ver| is_active(ver))
                    .and_then(|ver| text(ver, "version_id"))
            }),
        elements: elements_of(v),
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
        id: text(v, "version_id").or_else(|| text(v, "id"))?,
        created_at: text(v, "created_at").unwrap_or_default(),
        active: is_active(v),
        elements: elements_of(v),
    })
}

const PER_PAGE: u64 = 50;

impl Client {
    fn list(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        for page in 1..=1000u64 {
            let sep = if path.contains('?') { '&' } else { '?' };
            let doc = self.call(
                "GET",
                &format!("{path}{sep}page={page}&per_page={PER_PAGE}"),
                None,
            )?;
            let (items, more) = items_of(&doc, page, PER_PAGE);
            out.extend(items);
            if !more {
                break;
            }
        }
        Ok(out)
    }

    /// Every route of the gateway (all pages).
    pub fn routes(&self) -> Result<Vec<RouteInfo>, ApiError> {
        Ok(self.list("/routes")?.iter().filter_map(route_of).collect())
    }

    /// The route named `name`, if any.
    pub fn find_route(&self, name: &str) -> Result<Option<RouteInfo>, ApiError> {
        Ok(self.routes()?.into_iter().find(|r| r.name == name))
    }

    /// One route.
    pub fn route(&self, id: &str) -> Result<RouteInfo, ApiError> {
        let doc = self.call("GET", &format!("/routes/{id}"), None)?;
        route_of(object_of(&doc))
            .ok_or_else(|| ApiError::Unexpected(format!("GET /routes/{id} returned no route")))
    }

    /// Creates a route; the service deploys it at once.
    pub fn create_route(&self, name: &str, elements: &[Value]) -> Result<RouteInfo, ApiError> {
        let doc = self.call(
            "POST",
            "/routes",
            Some(&json!({"name": name, "elements": elements})),
        )?;
        route_of(object_of(&doc))
            .ok_or_else(|| ApiError::Unexpected("POST /routes returned no route id".into()))
    }

    /// Every version of a route, oldest first.
    pub fn versions(&self, route: &str) -> Result<Vec<VersionInfo>, ApiError> {
        let mut v: Vec<VersionInfo> = self
            .list(&format!("/routes/{route}/versions"))?
            .iter()
            .filter_map(version_of)
            .collect();
        v.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(v)
    }

    /// One version.
    pub fn version(&self, route: &str, version: &str) -> Result<VersionInfo, ApiError> {
        let doc = self.call("GET", &format!("/routes/{route}/versions/{version}"), None)?;
        version_of(object_of(&doc))
            .ok_or_else(|| ApiError::Unexpected(format!("no version `{version}` in the response")))
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
                ApiError::Unexpected(format!("version `{}` has no elements", version.id))
            }),
        }
    }

    /// Creates a version and returns its id. The response does not name it, so
    /// the id is the one that appears in the version list and was not there before.
    pub fn create_version(&self, route: &str, elements: &[Value]) -> Result<String, ApiError> {
        let before: Vec<String> = self.versions(route)?.into_iter().map(|v| v.id).collect();
        let doc = self.call(
            "POST",
            &format!("/routes/{route}/versions"),
            Some(&json!({"elements": elements})),
        )?;
        if let Some(id) = object_of(&doc).get("version_id").and_then(Value::as_str) {
            return Ok(id.to_string());
        }
        let after = self.versions(route)?;
        after
            .iter()
            .rev()
            .find(|v| !before.contains(&v.id))
            .map(|v| v.id.clone())
            .ok_or_else(|| {
                ApiError::Unexpected("the new version does not appear in the version list".into())
            })
    }

    /// Deploys a version.
    pub fn deploy(&self, route: &str, version: &str) -> Result<(), ApiError> {
        self.call(
            "POST",
            &format!("/routes/{route}/deployments"),
            Some(&json!({"version_id": version})),
        )?;
        Ok(())
    }

    /// Deployments of a route, oldest first.
    pub fn deployments(&self, route: &str) -> Result<Vec<DeploymentInfo>, ApiError> {
        let mut d: Vec<DeploymentInfo> = self
            .list(&format!("/routes/{route}/deployments"))?
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
        d.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
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
    fn graphs_are_found_wherever_the_api_puts_them() {
        let els = json!([{"id": "start"}]);
        assert_eq!(
            elements_of(&json!({"elements": els})),
            Some(vec![json!({"id": "start"})])
        );
        assert_eq!(
            elements_of(&json!({"version": {"data": els.to_string()}})),
            Some(vec![json!({"id": "start"})])
        );
        assert_eq!(
            elements_of(&json!({"version": {"data": els}})),
            Some(vec![json!({"id": "start"})])
        );
        assert_eq!(
            elements_of(&json!({"data": els.to_string()})),
            Some(vec![json!({"id": "start"})])
        );
        assert_eq!(elements_of(&json!({"version": {}})), None);
    }

    #[test]
    fn lists_are_read_from_either_envelope() {
        let a = json!({"success": true, "result": {"data": [1, 2]}, "result_info": {"page": 1, "total_pages": 2}});
        assert_eq!(items_of(&a, 1, 2), (vec![json!(1), json!(2)], true));
        let b = json!({"success": true, "data": [3]});
        assert_eq!(items_of(&b, 1, 2), (vec![json!(3)], false));
        let c = json!({"success": true, "result": [4, 5]});
        assert_eq!(items_of(&c, 1, 2), (vec![json!(4), json!(5)], true));
    }
}
