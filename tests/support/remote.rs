//! Running the real binary against the loopback gateway model.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

use super::gateway::{Gateway, TOKEN};

/// The binary, pointed at `gw` with the test token; the timeout only stops a hang.
pub fn cmd(gw: &Gateway) -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("CLOUDFLARE_API_TOKEN", TOKEN)
        .env("CLOUDFLARE_ACCOUNT_ID", "acc1")
        .env("AIG_GATEWAY_ID", "gw")
        .env("AIG_API_BASE", &gw.base)
        .timeout(Duration::from_secs(30));
    c
}

pub fn run(c: &mut Command, args: &[&str]) -> (Option<i32>, String, String) {
    let out = c.args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// What our export sends for a file (the wire form: no sticky, no window_mode).
pub fn wire(file: &str) -> Value {
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", file, "--to", "json"])
        .output()
        .unwrap();
    let mut doc = json_of(&String::from_utf8_lossy(&out.stdout));
    for e in doc["elements"].as_array_mut().unwrap() {
        if let Some(p) = e.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("sticky");
            p.remove("window_mode");
            if p.is_empty() {
                e.as_object_mut().unwrap().remove("properties");
            }
        }
    }
    doc["elements"].take()
}
