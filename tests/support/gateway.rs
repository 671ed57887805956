//! A loopback HTTP server that models the AI Gateway dashboard API with the
//! response types of Cloudflare's own SDKs; each shape below names its source.
//! The SDKs are generated from one OpenAPI spec, and agree:
//! - TypeScript: cloudflare/cloudflare-typescript, `src/resources/ai-gateway/dynamic-routing.ts`
//! - Go: cloudflare/cloudflare-go, `ai_gateway/dynamicrouting.go`
//! - Python: cloudflare/cloudflare-python, `src/cloudflare/types/ai_gateway/dynamic_routing_*_response.py`
//!
//! The three lists nest their array under the plural name beside `page` and
//! `per_page` (no total count); single objects sit under `result`; creating a
//! route deploys it; create-version and create-deployment answer route-like
//! objects with no version id; a GET version has `id`, `version_id`, `active`
//! as a string and `data` as a JSON string. Switches model what real answers
//! also do: `elements` missing, `null` or `[]` with the graph only in
//! `version.data` (as the Terraform provider's `normalizeDynamicRoutingResponse`
//! in cloudflare/terraform-provider-cloudflare
//! `internal/services/ai_gateway_dynamic_routing/custom.go` handles), `data` as
//! an array, lists under `result`, failures, and a hostile server. Every
//! request is logged so tests can assert exactly what the client sent.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

pub const TOKEN: &str = "test-token-7f3a9c";

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    /// The path and query exactly as received (still percent-encoded).
    pub path: String,
    pub body: Value,
    pub auth: Option<String>,
}

/// How route and version objects carry `elements`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Elements {
    /// `elements` holds the graph, as the SDK types declare.
    #[default]
    Present,
    /// No `elements` key; the graph is only in `version.data` / `data`.
    Missing,
    /// `"elements": null`.
    Null,
    /// `"elements": []`.
    Empty,
}

#[derive(Clone, Debug, Default)]
pub struct Quirks {
    // Shapes.
    /// Lists under `result.data.<plural>` (what one third-party client reads).
    pub result_wrapper: bool,
    /// How `elements` is carried.
    pub elements: Elements,
    /// `version.data` / `data` as the array itself (the SDK types say a JSON string).
    pub data_as_array: bool,
    /// Most items per page, whatever the client asks (echoed in `per_page`).
    pub max_per_page: Option<usize>,
    /// Leave the optional `is_valid` out of versions.
    pub omit_is_valid: bool,
    /// Versions created through the API are marked `is_valid: false`.
    pub new_versions_invalid: bool,
    // Failures.
    /// Answer the next N requests 429.
    pub rate_limit_next: usize,
    /// Answer the next N requests 503.
    pub unavailable_next: usize,
    /// The `Retry-After` header on 429, 502 and 503 answers (none when `None`).
    pub retry_after: Option<String>,
    /// Answer the next N requests HTTP 200 with `success: false`.
    pub fail_next_200: usize,
    /// Reject elements whose model provider is this, with 400 / 7001.
    pub reject_provider: Option<String>,
    // A hostile server.
    /// Error messages quote the request's Authorization header, with control characters.
    pub echo_auth_in_errors: bool,
    /// Answer the next N requests 400 with a 5 MB body that quotes the Authorization header.
    pub huge_error_next: usize,
    /// Route and version ids hold `../` and control characters.
    pub hostile_ids: bool,
    /// Carry out the next N POSTs, then answer 502.
    pub post_502_after: usize,
    /// Answer the next N POSTs 502 without carrying them out.
    pub post_502_before: usize,
    /// Carry out the next N POSTs, then answer bytes that are not HTTP (no answer).
    pub post_unanswered_after: usize,
    /// Answer the next N POSTs with bytes that are not HTTP, without carrying them out.
    pub post_unanswered_before: usize,
    /// The route list never ends: every page is full of routes not seen before.
    pub pages_forever: bool,
    /// The route list ignores `page`: every page holds the first page's routes.
    pub repeat_pages: bool,
    /// List items carry no graph (no `elements`, no `version.data`), so a client
    /// must read each route it needs.
    pub list_without_graph: bool,
}

#[derive(Debug)]
struct Version {
    id: String,
    elements: Value,
    created_at: String,
    is_valid: bool,
}

#[derive(Debug)]
struct Deployment {
    id: String,
    version_id: String,
    created_at: String,
}

#[derive(Debug)]
struct Route {
    id: String,
    name: String,
    created_at: String,
    versions: Vec<Version>,
    deployments: Vec<Deployment>,
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

/// The prefix every modelled path has.
pub const PREFIX: &str = "/client/v4/accounts/acc1/ai-gateway/gateways/gw";

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
            // Stops when the test drops the gateway; the request count bounds a
            // runaway client.
            let mut served = 0u32;
            while !sp.load(Ordering::SeqCst) && served < 20_000 {
                if let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(20)) {
                    handle(&st, req);
                    served += 1;
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

    /// Adds a version to a route without deploying it, as if pushed earlier.
    pub fn seed_version(&self, name: &str, elements: Value, is_valid: bool) -> String {
        let mut s = self.state.lock().unwrap();
        let ri = s.routes.iter().position(|r| r.name == name).unwrap();
        let id = s.add_version(ri, elements);
        s.routes[ri].versions.last_mut().unwrap().is_valid = is_valid;
        s.log.clear();
        id
    }

    /// Someone edits a route in the dashboard: a new version, deployed.
    pub fn dashboard_edit(&self, name: &str, elements: Value) -> String {
        let mut s = self.state.lock().unwrap();
        let ri = s.routes.iter().position(|r| r.name == name).unwrap();
        let id = s.add_version(ri, elements);
        s.add_deployment(ri, id.clone());
        s.log.clear();
        id
    }

    /// Someone deletes a route in the dashboard.
    pub fn dashboard_delete(&self, name: &str) {
        let mut s = self.state.lock().unwrap();
        s.routes.retain(|r| r.name != name);
        s.log.clear();
    }

    /// The deployed elements of a route.
    pub fn deployed_elements(&self, name: &str) -> Option<Value> {
        let s = self.state.lock().unwrap();
        let r = s.routes.iter().find(|r| r.name == name)?;
        Some(s.deployed_version(r).elements.clone())
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

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }

    pub fn deployed(&self, name: &str) -> Option<String> {
        let s = self.state.lock().unwrap();
        s.routes
            .iter()
            .find(|r| r.name == name)?
            .deployments
            .last()
            .map(|d| d.version_id.clone())
    }

    pub fn route_count(&self, name: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.routes.iter().filter(|r| r.name == name).count()
    }

    pub fn version_count(&self, name: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.routes
            .iter()
            .find(|r| r.name == name)
            .map_or(0, |r| r.versions.len())
    }

    pub fn route_id(&self, name: &str) -> Option<String> {
        let s = self.state.lock().unwrap();
        s.routes
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.id.clone())
    }
}

/// A path segment as the model reads it: percent-decoded.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl State {
    fn tick(&mut self) -> String {
        self.clock += 1;
        format!(
            "2026-01-01T{:02}:{:02}:{:02}Z",
            self.clock / 3600,
            self.clock / 60 % 60,
            self.clock % 60
        )
    }

    fn id(&self, kind: &str, n: String) -> String {
        if self.quirks.hostile_ids {
            format!("../{kind}{n}\u{1b}[2J\n")
        } else {
            format!("{kind}{n}")
        }
    }

    fn create(&mut self, name: &str, elements: Value) -> String {
        let n = self.routes.len() + 1;
        let at = self.tick();
        let id = self.id("rt", format!("{n:04}"));
        self.routes.push(Route {
            id: id.clone(),
            name: name.into(),
            created_at: at,
            versions: Vec::new(),
            deployments: Vec::new(),
        });
        let v = self.add_version(n - 1, elements);
        self.add_deployment(n - 1, v);
        id
    }

    fn add_version(&mut self, ri: usize, elements: Value) -> String {
        let at = self.tick();
        let id = self.id(
            "v",
            format!("{:04}-{}", ri + 1, self.routes[ri].versions.len() + 1),
        );
        self.routes[ri].versions.push(Version {
            id: id.clone(),
            elements,
            created_at: at,
            is_valid: true,
        });
        id
    }

    fn add_deployment(&mut self, ri: usize, version_id: String) {
        let at = self.tick();
        let id = self.id(
            "d",
            format!("{:04}-{}", ri + 1, self.routes[ri].deployments.len() + 1),
        );
        self.routes[ri].deployments.push(Deployment {
            id,
            version_id,
            created_at: at,
        });
    }

    /// `data` as the SDK types declare it (a JSON string), or the array itself.
    fn data(&self, elements: &Value) -> Value {
        if self.quirks.data_as_array {
            elements.clone()
        } else {
            Value::String(elements.to_string())
        }
    }

    fn set_elements(&self, o: &mut Value, elements: &Value) {
        match self.quirks.elements {
            Elements::Present => o["elements"] = elements.clone(),
            Elements::Missing => {}
            Elements::Null => o["elements"] = Value::Null,
            Elements::Empty => o["elements"] = json!([]),
        }
    }

    fn set_is_valid(&self, o: &mut Value, v: &Version) {
        if !self.quirks.omit_is_valid {
            o["is_valid"] = json!(v.is_valid);
        }
    }

    fn deployed_version<'r>(&self, r: &'r Route) -> &'r Version {
        let d = r
            .deployments
            .last()
            .expect("a route is deployed when created");
        r.versions.iter().find(|v| v.id == d.version_id).unwrap()
    }

    /// A route object. Source: `DynamicRoutingGetResponse` (TypeScript), which is
    /// also `DynamicRoutingCreateResponse` and each item of
    /// `DynamicRoutingListResponse.Data.routes` (Go: `DynamicRoutingGetResponse`,
    /// `DynamicRoutingListResponseDataRoute`): id, account_tag, created_at,
    /// modified_at, deployment {created_at, deployment_id, version_id}, elements,
    /// gateway_id, name, version {active, created_at, data, version_id, is_valid?}.
    fn route_json(&self, r: &Route) -> Value {
        let d = r.deployments.last().unwrap();
        let v = self.deployed_version(r);
        let mut version = json!({
            "active": "true", "created_at": v.created_at, "data": self.data(&v.elements), "version_id": v.id,
        });
        self.set_is_valid(&mut version, v);
        let mut o = json!({
            "id": r.id, "account_tag": "acc1", "created_at": r.created_at, "modified_at": d.created_at,
            "deployment": {"created_at": d.created_at, "deployment_id": d.id, "version_id": d.version_id},
            "gateway_id": "gw", "name": r.name, "version": version,
        });
        self.set_elements(&mut o, &v.elements);
        o
    }

    /// What creating a version or a deployment answers. Source:
    /// `DynamicRoutingCreateVersionResponse` and `DynamicRoutingCreateDeploymentResponse`
    /// (TypeScript; Go `DynamicRoutingNewVersionResponse`, `DynamicRoutingNewDeploymentResponse`;
    /// Python `dynamic_routing_create_version_response.py`,
    /// `dynamic_routing_create_deployment_response.py`): id, account_tag, created_at,
    /// elements, gateway_id, modified_at, name; no version id.
    fn route_like_json(&self, r: &Route, elements: &Value, at: &str) -> Value {
        let mut o = json!({
            "id": r.id, "account_tag": "acc1", "created_at": r.created_at, "gateway_id": "gw",
            "modified_at": at, "name": r.name,
        });
        self.set_elements(&mut o, elements);
        o
    }

    /// A GET version. Source: `DynamicRoutingGetVersionResponse` (TypeScript; Go
    /// `DynamicRoutingGetVersionResponse`; Python `dynamic_routing_get_version_response.py`,
    /// which also declares `is_valid: Optional[bool]`): id (the route's), account_tag,
    /// active ("true"/"false"), created_at, data (a JSON string), elements, gateway_id,
    /// modified_at, name, version_id, is_valid?.
    fn version_json(&self, r: &Route, v: &Version) -> Value {
        let active = r.deployments.last().is_some_and(|d| d.version_id == v.id);
        let mut o = json!({
            "id": r.id, "account_tag": "acc1", "active": if active { "true" } else { "false" },
            "created_at": v.created_at,
            "data": self.data(&v.elements), "gateway_id": "gw", "modified_at": v.created_at,
            "name": r.name, "version_id": v.id,
        });
        self.set_is_valid(&mut o, v);
        self.set_elements(&mut o, &v.elements);
        o
    }

    /// An item of the version list. Source: `DynamicRoutingListVersionsResponse.Data.Version`
    /// (TypeScript; Go `DynamicRoutingListVersionsResponseDataVersion`; Python `DataVersion`
    /// in `dynamic_routing_list_versions_response.py`): active, created_at, data,
    /// version_id; `is_valid?` as on a GET version (the service's verdict, optional).
    fn version_item(&self, r: &Route, v: &Version) -> Value {
        let active = r.deployments.last().is_some_and(|d| d.version_id == v.id);
        let mut o = json!({
            "active": if active { "true" } else { "false" }, "created_at": v.created_at,
            "data": self.data(&v.elements), "version_id": v.id,
        });
        self.set_is_valid(&mut o, v);
        o
    }

    /// A failure. Source: the v4 envelope every SDK reads errors from,
    /// `{"success": false, "errors": [{"code", "message"}], "messages", "result": null}`
    /// (TypeScript and Python raise `APIStatusError` with the body; Go's `apierror.Error`
    /// decodes `errors`). `path` on a 7001 validation error is not in any SDK type:
    /// it is what users report the service sends.
    fn error(
        &self,
        status: u16,
        code: i64,
        message: &str,
        path: Option<Value>,
        auth: &str,
    ) -> Answer {
        let message = if self.quirks.echo_auth_in_errors {
            format!("{message} (request had Authorization: {auth}\u{1b}[31m\r\n::add-mask::x)")
        } else {
            message.to_string()
        };
        let mut e = json!({"code": code, "message": message});
        if let Some(p) = path {
            e["path"] = p;
        }
        Answer::json(
            status,
            json!({"success": false, "errors": [e], "messages": [], "result": null}),
        )
    }
}

struct Answer {
    status: u16,
    body: String,
    retry_after: Option<String>,
    /// Send bytes that are not an HTTP answer instead.
    garbled: bool,
}

impl Answer {
    fn json(status: u16, doc: Value) -> Answer {
        Answer {
            status,
            body: doc.to_string(),
            retry_after: None,
            garbled: false,
        }
    }
}

/// A single object. Source: the SDKs unwrap `result` from every single-object
/// answer (TypeScript `_thenUnwrap((obj) => obj.result)`; Go `...ResponseEnvelope.Result`).
fn ok(result: Value) -> Answer {
    Answer::json(
        200,
        json!({"success": true, "errors": [], "messages": [], "result": result}),
    )
}

/// One page of a list. Source: `DynamicRoutingListResponse`,
/// `DynamicRoutingListVersionsResponse`, `DynamicRoutingListDeploymentsResponse`
/// (TypeScript; Go `DynamicRoutingListResponseData` and likewise): `{"data":
/// {<plural>: [...], "page", "per_page", "order_by", "order_by_direction"},
/// "success"}`, no total count. With `result_wrapper`, the same object under `result`.
fn list(s: &State, plural: &str, items: Vec<Value>, query: &str) -> Answer {
    let (page, per) = paging(s, query);
    let start = if s.quirks.repeat_pages {
        0
    } else {
        (page - 1) * per
    };
    let slice: Vec<Value> = items.into_iter().skip(start).take(per).collect();
    page_answer(s, plural, slice, page, per)
}

fn paging(s: &State, query: &str) -> (usize, usize) {
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
    (page, per)
}

fn page_answer(s: &State, plural: &str, items: Vec<Value>, page: usize, per: usize) -> Answer {
    let mut data = json!({"page": page, "per_page": per, "order_by": "created_at", "order_by_direction": "asc"});
    data[plural] = Value::Array(items);
    if s.quirks.result_wrapper {
        ok(json!({ "data": data }))
    } else {
        Answer::json(200, json!({"data": data, "success": true}))
    }
}

/// The 7001 check the service applies to graphs: every model needs a provider it knows.
fn check_elements(s: &State, elements: &Value, auth: &str) -> Option<Answer> {
    let els = elements.as_array()?;
    for (i, e) in els.iter().enumerate() {
        let provider = e.pointer("/properties/provider").and_then(Value::as_str);
        if provider.is_some() && provider == s.quirks.reject_provider.as_deref() {
            return Some(s.error(
                400,
                7001,
                "Invalid",
                Some(json!(["body", "elements", i, "properties", "provider"])),
                auth,
            ));
        }
    }
    None
}

fn handle(state: &Arc<Mutex<State>>, mut req: tiny_http::Request) {
    let mut body = String::new();
    let _ = req.as_reader().take(1 << 20).read_to_string(&mut body);
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
    let auth = auth.unwrap_or_default();
    let answer = answer(&mut s, &method, &url, &body_json, &auth);
    drop(s);
    if answer.garbled {
        // No HTTP answer: the client sees a broken reply, as when a connection
        // drops after the service acted.
        let mut w = req.into_writer();
        let _ = w.write_all(b"\x00 not http\r\n\r\n");
        let _ = w.flush();
        return;
    }
    let mut resp = tiny_http::Response::from_string(answer.body)
        .with_status_code(answer.status)
        .with_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
    if let Some(r) = answer.retry_after {
        resp = resp.with_header(tiny_http::Header::from_bytes("Retry-After", r).unwrap());
    }
    let _ = req.respond(resp);
}

fn answer(s: &mut State, method: &str, url: &str, body: &Value, auth: &str) -> Answer {
    let retry = |s: &State, mut a: Answer| {
        a.retry_after = s.quirks.retry_after.clone();
        a
    };
    if auth != format!("Bearer {TOKEN}") {
        return s.error(401, 10000, "Authentication error", None, auth);
    }
    if s.quirks.huge_error_next > 0 {
        s.quirks.huge_error_next -= 1;
        let message = format!("{auth} {}", "A".repeat(5 << 20));
        return Answer::json(
            400,
            json!({"success": false, "errors": [{"code": 1000, "message": message}]}),
        );
    }
    if s.quirks.rate_limit_next > 0 {
        s.quirks.rate_limit_next -= 1;
        let a = s.error(
            429,
            971,
            "Please wait and consider throttling your request speed",
            None,
            auth,
        );
        return retry(s, a);
    }
    if s.quirks.unavailable_next > 0 {
        s.quirks.unavailable_next -= 1;
        let a = s.error(503, 1000, "service unavailable", None, auth);
        return retry(s, a);
    }
    if s.quirks.fail_next_200 > 0 {
        s.quirks.fail_next_200 -= 1;
        return s.error(200, 1001, "internal error, please retry later", None, auth);
    }
    if method == "POST" && s.quirks.post_502_before > 0 {
        s.quirks.post_502_before -= 1;
        let a = s.error(502, 1002, "bad gateway", None, auth);
        return retry(s, a);
    }
    if method == "POST" && s.quirks.post_unanswered_before > 0 {
        s.quirks.post_unanswered_before -= 1;
        return Answer {
            garbled: true,
            ..Answer::json(200, Value::Null)
        };
    }
    let a = route(s, method, url, body, auth);
    if method == "POST" && s.quirks.post_unanswered_after > 0 && a.status == 200 {
        s.quirks.post_unanswered_after -= 1;
        return Answer { garbled: true, ..a };
    }
    if method == "POST" && s.quirks.post_502_after > 0 && a.status == 200 {
        s.quirks.post_502_after -= 1;
        let a = s.error(502, 1002, "bad gateway", None, auth);
        return retry(s, a);
    }
    a
}

fn route(s: &mut State, method: &str, url: &str, body: &Value, auth: &str) -> Answer {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let Some(rest) = path.strip_prefix(&format!("{PREFIX}/routes")) else {
        return s.error(404, 7003, "No route for that URI", None, auth);
    };
    let parts: Vec<String> = rest
        .split('/')
        .filter(|p| !p.is_empty())
        .map(decode)
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match (method, parts.as_slice()) {
        ("GET", []) if s.quirks.pages_forever => {
            let (page, per) = paging(s, query);
            let items = (0..per)
                .map(|i| json!({"id": format!("ghost-{page}-{i}"), "name": format!("ghost-{page}-{i}"), "gateway_id": "gw", "elements": []}))
                .collect();
            page_answer(s, "routes", items, page, per)
        }
        ("GET", []) => {
            let items = s
                .routes
                .iter()
                .map(|r| {
                    let mut o = s.route_json(r);
                    if s.quirks.list_without_graph {
                        o.as_object_mut().unwrap().remove("elements");
                        o["version"].as_object_mut().unwrap().remove("data");
                    }
                    o
                })
                .collect();
            list(s, "routes", items, query)
        }
        ("POST", []) => {
            if let Some(e) = check_elements(s, &body["elements"], auth) {
                return e;
            }
            let name = body["name"].as_str().unwrap_or("").to_string();
            s.create(&name, body["elements"].clone());
            ok(s.route_json(s.routes.last().unwrap()))
        }
        (_, [id, more @ ..]) => {
            let Some(ri) = s.routes.iter().position(|r| r.id == *id) else {
                return s.error(404, 7002, "Route not found", None, auth);
            };
            match (method, more) {
                ("GET", []) => ok(s.route_json(&s.routes[ri])),
                ("GET", ["versions"]) => {
                    let r = &s.routes[ri];
                    let items = r.versions.iter().map(|v| s.version_item(r, v)).collect();
                    list(s, "versions", items, query)
                }
                ("POST", ["versions"]) => {
                    if let Some(e) = check_elements(s, &body["elements"], auth) {
                        return e;
                    }
                    s.add_version(ri, body["elements"].clone());
                    let invalid = s.quirks.new_versions_invalid;
                    let r = &mut s.routes[ri];
                    r.versions.last_mut().unwrap().is_valid = !invalid;
                    let r = &s.routes[ri];
                    let v = r.versions.last().unwrap();
                    ok(s.route_like_json(r, &v.elements, &v.created_at))
                }
                ("GET", ["versions", vid]) => {
                    let r = &s.routes[ri];
                    match r.versions.iter().find(|v| v.id == *vid) {
                        Some(v) => ok(s.version_json(r, v)),
                        None => s.error(404, 7002, "Version not found", None, auth),
                    }
                }
                ("POST", ["deployments"]) => {
                    let vid = body["version_id"].as_str().unwrap_or("").to_string();
                    if !s.routes[ri].versions.iter().any(|v| v.id == vid) {
                        return s.error(
                            400,
                            7001,
                            "Invalid",
                            Some(json!(["body", "version_id"])),
                            auth,
                        );
                    }
                    s.add_deployment(ri, vid);
                    let r = &s.routes[ri];
                    let v = s.deployed_version(r);
                    let at = r.deployments.last().unwrap().created_at.clone();
                    ok(s.route_like_json(r, &v.elements, &at))
                }
                ("GET", ["deployments"]) => {
                    // Source: `DynamicRoutingListDeploymentsResponse.Data.Deployment`
                    // (TypeScript; Go `DynamicRoutingListDeploymentsResponseDataDeployment`;
                    // Python `dynamic_routing_list_deployments_response.py`):
                    // created_at, deployment_id, version_id.
                    let items = s.routes[ri]
                        .deployments
                        .iter()
                        .map(|d| json!({"created_at": d.created_at, "deployment_id": d.id, "version_id": d.version_id}))
                        .collect();
                    list(s, "deployments", items, query)
                }
                _ => s.error(405, 7000, "Method not allowed", None, auth),
            }
        }
        _ => s.error(405, 7000, "Method not allowed", None, auth),
    }
}
