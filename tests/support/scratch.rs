//! Scratch directories for tests: each is removed when its guard is dropped, so
//! a test leaves nothing behind in the temporary directory, also when it fails
//! (a failing assertion unwinds and drops the guard).

use tempfile::TempDir;

/// A new, empty directory named `aig-route-{tag}-…` under the system's
/// temporary directory, removed with everything in it when the guard drops.
/// Keep the guard alive for as long as the test uses the directory
/// (`let tmp = scratch("x"); let dir = tmp.path();`).
pub fn scratch(tag: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("aig-route-{tag}-"))
        .tempdir()
        .expect("a scratch directory in the temporary directory")
}
