//! A project directory for one test, and the real binary run in it.

use std::path::Path;

use assert_cmd::Command;

/// A fresh directory for one test, holding `files`; removed with them when the
/// guard drops, also when the test fails.
pub fn dir(name: &str, files: &[(&str, &str)]) -> Project {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("aig-route-policy-{name}-"))
        .tempdir()
        .expect("a scratch directory");
    let d = tmp.path();
    for (path, text) in files {
        let p = d.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    Project(tmp)
}

/// A project directory, used as the path it is; removed when dropped.
pub struct Project(tempfile::TempDir);

impl std::ops::Deref for Project {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

pub fn run(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    (out.status.code().unwrap_or(-1), text)
}
