//! A loopback HTTP server that models the AI Gateway dashboard API, quirks
//! included: creating a route deploys it; a new version's id appears only in the
//! version list; graphs under `version.data` as a JSON string or an array, with
//! `elements` left out; two envelope shapes; HTTP 200 with `success: false`;
//! 400 with code 7001 and a body path; 429 with `Retry-After`; pagination.
//! Every request is logged so tests can assert exactly what the client sent.

use std::io::Read as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

pub const TOKEN: &str = "test-token-7f3a9c";

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub auth: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Quirks {
    /// Lists as top-level `data` instead of `result` / `result.data`.
    pub data_envelope: bool,
    /// `version.data` as a JSON string (else an array).
    pub data_as_string: bool,
    /// Leave `elements` out of route and version objects.
    pub omit_elements: bool,
    /// Most items per page, whatever the client asks.
    pub max_per_page: Option<usize>,
    /// Answer the next N requests 429 with `Retry-After: 1`.
    pub rate_limit_next: usize,
    /// Answer the next N requests 503 without `Retry-After`.
    pub unavailable_next: usize,
    /// Answer the next N requests HTTP 200 with `success: false`.
    pub fail_next_200: usize,
    /// Reject elements whose model provider is this, with 400 / 7001.
    pub reject_provider: Option<String>,
}

#[derive(Debug, Default)]
struct Version {
    id: String,
    elements: Value,
    created_at: String,
}

#[derive(Debug, Default)]
struct Route {
    id: String,
    name: String,
    versions: Vec<Version>,
    deployments: Vec<(String, String, String)>,
}

#[derive(Debug, Default)]
pub struct State {
    routes: Vec<Route>,
    clock: u64,
    pub log: Vec<Logged>,
    pub quirks: Quirks,
}

pub struct Gateway {
    pub base: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Gateway {
    pub fn start(quirks: Quirks) -> Gateway {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            quirks,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            // Bounded: stops when the test drops the gateway, or after 60 s.
            let started = std::time::Instant::now();
            while !sp.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
                if let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(20)) {
                    handle(&st, req);
                }
            }
        });
        Gateway {
            base: format!("http://127.0.0.1:{port}/client/v4"),
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// Adds a route with one deployed version, as if created earlier.
    pub fn seed_route(&self, name: &str, elements: Value) -> String {
        let mut s = self.state.lock().unwrap();
        let id = s.create(name, elements);
        s.log.clear();
        id
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn writes(&self) -> Vec<Logged> {
        self.log()
            .into_iter()
            .filter(|l| l.method != "GET")
            .collect()
    }

    pub fn quirks(&self, f: impl FnOnce(&mut Quirks)) {
        f(&mut self.state.lock().unwrap().quirks);
    }

    pub fn deployed(&self, name: &str) -> Option<String> {
        let s = self.state.lock().unwrap();
        s.routes
            .iter()
            .find(|r| r.name == name)?
            .deployments
            .last()
            .map(|d| d.1.clone())
    }

    pub fn version_count(&self, name: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.routes
            .iter()
            .find(|r| r.name == name)
            .map_or(0, |r| r.versions.len())
    }
}

impl State {
    fn tick(&mut self) -> String {
        self.clock += 1;
        format!(
            "2026-01-01T00:{:02}:{:02}Z",
            self.clock / 60,
            self.clock % 60
        )
    }

    fn create(&mut self, name: &str, elements: Value) -> String {
        let n = self.routes.len() + 1;
        let at = self.tick();
        let route = Route {
            id: format!("rt{n:04}"),
            name: name.into(),
            versions: vec![Version {
                id: format!("v{n:04}-1"),
                elements,
                created_at: at.clone(),
            }],
            deployments: vec![(format!("d{n:04}-1"), format!("v{n:04}-1"), at)],
        };
        self.routes.push(route);
        format!("rt{n:04}")
    }

    fn graph(&self, elements: &Value) -> Value {
        if self.quirks.data_as_string {
            Value::String(elements.to_string())
        } else {
            elements.clone()
        }
    }

    fn route_json(&self, r: &Route) -> Value {
        let deployed = r
            .deployments
            .last()
            .map(|d| d.1.clone())
            .unwrap_or_default();
        let v = r.versions.iter().find(|v| v.id == deployed);
        let mut o = json!({
            "id": r.id, "name": r.name, "gateway_id": "gw", "created_at": "2026-01-01T00:00:00Z", "modified_at": "2026-01-01T00:00:00Z",
            "deployment": {"deployment_id": r.deployments.last().map(|d| d.0.clone()), "version_id": deployed, "created_at": r.deployments.last().map(|d| d.2.clone())},
            "version": {"version_id": deployed, "active": "true", "data": v.map(|v| self.graph(&v.elements)), "created_at": v.map(|v| v.created_at.clone())},
        });
        if !self.quirks.omit_elements {
            o["elements"] = v.map_or(Value::Null, |v| v.elements.clone());
        }
        o
    }

    fn version_json(&self, r: &Route, v: &Version) -> Value {
        let active = r.deployments.last().is_some_and(|d| d.1 == v.id);
        let mut o = json!({
            "id": v.id, "version_id": v.id, "active": if active { "true" } else { "false" }, "created_at": v.created_at,
            "modified_at": v.created_at, "data": self.graph(&v.elements), "gateway_id": "gw", "name": r.name,
        });
        if !self.quirks.omit_elements {
            o["elements"] = v.elements.clone();
        }
        o
    }
}

fn ok(result: Value) -> (u16, Value, Option<u64>) {
    (
        200,
        json!({"success": true, "errors": [], "messages": [], "result": result}),
        None,
    )
}

fn error(status: u16, code: i64, message: &str, path: Option<Value>) -> (u16, Value, Option<u64>) {
    let mut e = json!({"code": code, "message": message});
    if let Some(p) = path {
        e["path"] = p;
    }
    (
        status,
        json!({"success": false, "errors": [e], "messages": [], "result": null}),
        None,
    )
}

fn list(s: &State, items: Vec<Value>, query: &str) -> (u16, Value, Option<u64>) {
    let param = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let page = param("page").unwrap_or(1).max(1);
    let per = param("per_page")
        .unwrap_or(20)
        .min(s.quirks.max_per_page.unwrap_or(usize::MAX))
        .max(1);
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip((page - 1) * per).take(per).collect();
    let info = json!({"page": page, "per_page": per, "count": slice.len(), "total_count": total, "total_pages": total.div_ceil(per)});
    if s.quirks.data_envelope {
        (
            200,
            json!({"success": true, "errors": [], "messages": [], "data": slice, "result_info": info}),
            None,
        )
    } else {
        (
            200,
            json!({"success": true, "errors": [], "messages": [], "result": {"data": slice}, "result_info": info}),
            None,
        )
    }
}

/// The 7001 check the service applies to graphs: every model needs a provider it knows.
fn check_elements(s: &State, elements: &Value) -> Option<(u16, Value, Option<u64>)> {
    let els = elements.as_array()?;
    for (i, e) in els.iter().enumerate() {
        let provider = e.pointer("/properties/provider").and_then(Value::as_str);
        if provider.is_some() && provider == s.quirks.reject_provider.as_deref() {
            return Some(error(
                400,
                7001,
                "Invalid",
                Some(json!(["body", "elements", i, "properties", "provider"])),
            ));
        }
    }
    None
}

fn handle(state: &Arc<Mutex<State>>, mut req: tiny_http::Request) {
    let mut body = String::new();
    let _ = req.as_reader().read_to_string(&mut body);
    let method = req.method().as_str().to_string();
    let url = req.url().to_string();
    let auth = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_string());
    let mut s = state.lock().unwrap();
    let body_json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    s.log.push(Logged {
        method: method.clone(),
        path: url.clone(),
        body: body_json.clone(),
        auth: auth.clone(),
    });
    let (status, doc, retry) = if auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        error(401, 10000, "Authentication error", None)
    } else if s.quirks.rate_limit_next > 0 {
        s.quirks.rate_limit_next -= 1;
        let (st, d, _) = error(
            429,
            971,
            "Please wait and consider throttling your request speed",
            None,
        );
        (st, d, Some(1))
    } else if s.quirks.unavailable_next > 0 {
        s.quirks.unavailable_next -= 1;
        error(503, 1000, "service unavailable", None)
    } else if s.quirks.fail_next_200 > 0 {
        s.quirks.fail_next_200 -= 1;
        error(200, 1001, "internal error, please retry later", None)
    } else {
        route(&mut s, &method, &url, &body_json)
    };
    drop(s);
    let mut resp = tiny_http::Response::from_string(doc.to_string())
        .with_status_code(status)
        .with_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
    if let Some(r) = retry {
        resp =
            resp.with_header(tiny_http::Header::from_bytes("Retry-After", r.to_string()).unwrap());
    }
    let _ = req.respond(resp);
}

fn route(s: &mut State, method: &str, url: &str, body: &Value) -> (u16, Value, Option<u64>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let Some(rest) = path.strip_prefix("/client/v4/accounts/acc1/ai-gateway/gateways/gw/routes")
    else {
        return error(404, 7003, "No route for that URI", None);
    };
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match (method, parts.as_slice()) {
        ("GET", []) => {
            let items = s
                .routes
                .iter()
                .map(|r| json!({"id": r.id, "name": r.name, "gateway_id": "gw"}))
                .collect();
            list(s, items, query)
        }
        ("POST", []) => {
            if let Some(e) = check_elements(s, &body["elements"]) {
                return e;
            }
            let name = body["name"].as_str().unwrap_or("").to_string();
            let id = s.create(&name, body["elements"].clone());
            let r = s.routes.iter().find(|r| r.id == id).unwrap();
            ok(s.route_json(r))
        }
        (_, [id, more @ ..]) => {
            let Some(ri) = s.routes.iter().position(|r| r.id == *id) else {
                return error(404, 7002, "Route not found", None);
            };
            match (method, more) {
                ("GET", []) => ok(s.route_json(&s.routes[ri])),
                ("GET", ["versions"]) => {
                    let r = &s.routes[ri];
                    let items = r.versions.iter().map(|v| s.version_json(r, v)).collect();
                    list(s, items, query)
                }
                ("POST", ["versions"]) => {
                    if let Some(e) = check_elements(s, &body["elements"]) {
                        return e;
                    }
                    let at = s.tick();
                    let n = s.routes[ri].versions.len() + 1;
                    let vid = format!("v{}-{n}", &s.routes[ri].id[2..]);
                    s.routes[ri].versions.push(Version {
                        id: vid,
                        elements: body["elements"].clone(),
                        created_at: at,
                    });
                    // Route-like answer; no version_id (as the published spec shows).
                    let mut o = s.route_json(&s.routes[ri]);
                    if let Value::Object(m) = &mut o {
                        m.remove("version");
                    }
                    ok(o)
                }
                ("GET", ["versions", vid]) => {
                    match s.routes[ri].versions.iter().find(|v| v.id == *vid) {
                        Some(v) => ok(s.version_json(&s.routes[ri], v)),
                        None => error(404, 7002, "Version not found", None),
                    }
                }
                ("POST", ["deployments"]) => {
                    let vid = body["version_id"].as_str().unwrap_or("").to_string();
                    if !s.routes[ri].versions.iter().any(|v| v.id == vid) {
                        return error(400, 7001, "Invalid", Some(json!(["body", "version_id"])));
                    }
                    let at = s.tick();
                    let n = s.routes[ri].deployments.len() + 1;
                    let did = format!("d{}-{n}", &s.routes[ri].id[2..]);
                    s.routes[ri].deployments.push((did, vid, at));
                    ok(s.route_json(&s.routes[ri]))
                }
                ("GET", ["deployments"]) => {
                    let items = s.routes[ri]
                        .deployments
                        .iter()
                        .map(|(d, v, at)| json!({"deployment_id": d, "version_id": v, "created_at": at}))
                        .collect();
                    list(s, items, query)
                }
                _ => error(405, 7000, "Method not allowed", None),
            }
        }
        _ => error(405, 7000, "Method not allowed", None),
    }
}
