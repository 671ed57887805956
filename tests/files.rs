//! Files under attack: writes replace only regular files, through a private
//! temporary file, keeping the mode; walks stay in the tree, skip what is not a
//! regular file, survive loops and name what they cannot read.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

#[path = "support/scratch.rs"]
mod support;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

/// A fresh directory for one test, removed when the guard drops.
fn scratch(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = support::scratch(&format!("files-{name}"));
    let dir = tmp.path().to_path_buf();
    (tmp, dir)
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success());
}

const ROUTE: &str = "routes/canary.yaml";

/// Converts the example route to YAML at `out`: (exit code, stderr).
fn convert_to(out: &Path) -> (Option<i32>, String) {
    let o = cmd()
        .args(["convert", ROUTE, "--to", "json", "-o"])
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Names in `dir` (to see that no temporary file is left behind).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_write_keeps_the_mode_and_leaves_no_temporary_file() {
    let (_dir_tmp, dir) = scratch("mode");
    let out = dir.join("out.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, err) = convert_to(&out);
    assert_eq!(code, Some(0), "{err}");
    let meta = std::fs::metadata(&out).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("\"elements\"")
    );
    assert_eq!(names(&dir), ["out.json"]);
    // fmt rewrites in place the same way.
    let route = dir.join("r.yaml");
    std::fs::write(&route, "start: a\nnodes:\n    a: end\n").unwrap();
    std::fs::set_permissions(&route, std::fs::Permissions::from_mode(0o600)).unwrap();
    cmd().arg("fmt").arg(&route).assert().success();
    assert_eq!(
        std::fs::read_to_string(&route).unwrap(),
        "start: a\nnodes:\n  a: end\n"
    );
    assert_eq!(
        std::fs::metadata(&route).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    assert_eq!(names(&dir), ["out.json", "r.yaml"]);
    // Owner and group too, where this user may set them (root may).
    if std::os::unix::fs::chown(&out, Some(65534), Some(65534)).is_ok() {
        let (code, err) = convert_to(&out);
        assert_eq!(code, Some(0), "{err}");
        let meta = std::fs::metadata(&out).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
        assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    }
}

#[test]
fn a_symlinked_target_is_refused_and_left_alone() {
    let (_dir_tmp, dir) = scratch("symlink");
    let real = dir.join("real.json");
    std::fs::write(&real, "precious").unwrap();
    let link = dir.join("out.json");
    symlink(&real, &link).unwrap();
    let (code, err) = convert_to(&link);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names(&dir), ["out.json", "real.json"]);
    // A dangling link too: writing would create the file it names.
    let dangling = dir.join("dangling.json");
    symlink(dir.join("nowhere.json"), &dangling).unwrap();
    let (code, err) = convert_to(&dangling);
    assert_eq!(code, Some(2), "{err}");
    assert!(!dir.join("nowhere.json").exists());
}

#[test]
fn a_hard_linked_target_is_refused() {
    let (_dir_tmp, dir) = scratch("hardlink");
    let a = dir.join("a.json");
    std::fs::write(&a, "shared").unwrap();
    std::fs::hard_link(&a, dir.join("b.json")).unwrap();
    let (code, err) = convert_to(&a);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("2 hard links"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("b.json")).unwrap(),
        "shared"
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "shared");
}

#[test]
fn a_fifo_or_directory_target_is_refused_without_blocking() {
    let (_dir_tmp, dir) = scratch("fifo-target");
    let fifo = dir.join("out.json");
    mkfifo(&fifo);
    let (code, err) = convert_to(&fifo);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("a FIFO"), "{err}");
    let (code, err) = convert_to(&dir);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("a directory"), "{err}");
    assert_eq!(names(&dir), ["out.json"]);
}

#[test]
fn a_fifo_named_as_a_route_is_refused_without_blocking() {
    let (_dir_tmp, dir) = scratch("fifo-route");
    let fifo = dir.join("r.yaml");
    mkfifo(&fifo);
    let out = cmd().arg("validate").arg(&fifo).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("a FIFO, not a regular file"), "{err}");
}

#[test]
fn walks_stay_in_the_tree_and_have_no_depth_cut_off() {
    let (_dir_tmp, dir) = scratch("walk");
    let route = std::fs::read_to_string(ROUTE).unwrap();
    std::fs::write(dir.join("top.yaml"), &route).unwrap();
    // Deeper than any fixed bound a walk might have had.
    let mut deep = dir.clone();
    for i in 0..40 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("deep.yaml"), &route).unwrap();
    // Loops through links, a link out of the tree, and a FIFO named like a route.
    symlink(&dir, dir.join("self")).unwrap();
    symlink("..", dir.join("d0").join("up")).unwrap();
    let (_outside_tmp, outside) = scratch("walk-outside");
    std::fs::write(outside.join("elsewhere.yaml"), "not: [a route").unwrap();
    symlink(outside.join("elsewhere.yaml"), dir.join("linked.yaml")).unwrap();
    mkfifo(&dir.join("pipe.yaml"));

    let out = cmd().arg("validate").arg(&dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("ok: 2 files checked"), "{err}");
    assert!(err.contains("pipe.yaml`: it is a FIFO"), "{err}");
    assert!(err.contains("linked.yaml`: a symbolic link"), "{err}");
    assert!(
        err.contains("self`: a symbolic link to a directory"),
        "{err}"
    );
    assert!(!err.contains("elsewhere"), "{err}");

    // fmt on the same tree does not reach the file outside it either.
    cmd().args(["fmt", "--check"]).arg(&dir).assert().success();
}

#[test]
fn an_unreadable_directory_is_named_and_the_walk_goes_on() {
    let (_dir_tmp, dir) = scratch("unreadable");
    let route = std::fs::read_to_string(ROUTE).unwrap();
    std::fs::write(dir.join("a.yaml"), &route).unwrap();
    let locked = dir.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("b.yaml"), &route).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads it anyway: then both files are simply found.
    let readable = std::fs::read_dir(&locked).is_ok();
    let out = cmd().arg("validate").arg(&dir).output().unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if readable {
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(err.contains("2 files checked"), "{err}");
    } else {
        assert_eq!(out.status.code(), Some(2), "{err}");
        let named = format!("cannot read directory `{}`", locked.display());
        assert!(err.contains(&named), "{err}");
        assert!(err.contains("1 file checked"), "{err}");
    }
}

#[test]
fn file_names_and_contents_never_forge_lines_or_escapes() {
    let (_dir_tmp, dir) = scratch("names");
    let name = "a\n::error::forged\u{1b}[2J.yaml";
    std::fs::write(
        dir.join(name),
        "start: d\nnodes:\n    d: end\n    x: \"\u{1b}]0;title\u{7}\"\n",
    )
    .unwrap();
    mkfifo(&dir.join("p\n::add-mask::x.yaml"));
    for args in [
        vec!["validate"],
        vec!["fmt", "--check"],
        vec!["fmt"],
        vec!["validate", "--format", "github"],
    ] {
        let out = cmd().args(&args).arg(&dir).output().unwrap();
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains('\u{1b}'), "{args:?}: {text}");
            assert!(!text.contains('\u{7}'), "{args:?}: {text}");
            for line in text.lines() {
                assert!(
                    !line.starts_with("::error::forged") && !line.starts_with("::add-mask"),
                    "{args:?}: {text}"
                );
            }
        }
    }
}
