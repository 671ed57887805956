//! Finding files under directories (`validate DIR`, `fmt DIR`, `test DIR`).
//!
//! A walk lists what is in the tree and nothing else: it never follows a
//! symbolic link (one that matches is skipped with a warning: name it on the
//! command line to read it), so it cannot leave the tree or loop through links;
//! a directory met twice (a bind mount of its own parent) is skipped with a
//! warning. It has no depth limit and no recursion: a stack of directories still
//! to read. A file that is not a regular file (a FIFO, which would block the
//! read, a socket, a device) is skipped with a warning. A directory or entry
//! that cannot be read is an error naming that path, and the walk goes on.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::escape::terminal;

/// What a walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// Matching files, sorted within each input.
    pub files: Vec<String>,
    /// What was skipped, and why.
    pub warnings: Vec<String>,
    /// What could not be read.
    pub errors: Vec<String>,
}

/// Files as given, and every file under the directories among `inputs` whose
/// name `keep` accepts (hidden entries skipped).
pub fn collect(inputs: &[PathBuf], keep: fn(&str) -> bool) -> Found {
    let mut found = Found::default();
    for input in inputs {
        if input.is_dir() {
            let start = found.files.len();
            walk(input, keep, &mut found);
            // Component-wise order: the order a depth-first walk over sorted
            // entries gives.
            found.files[start..].sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        } else {
            found.files.push(input.to_string_lossy().into_owned());
        }
    }
    found
}

fn shown(p: &Path) -> String {
    terminal(&p.to_string_lossy()).into_owned()
}

fn walk(root: &Path, keep: fn(&str) -> bool, found: &mut Found) {
    let mut seen = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if let Ok(meta) = std::fs::metadata(&dir)
            && !seen.insert(identity(&meta, &dir))
        {
            found.warnings.push(format!(
                "skipping `{}`: a directory already walked (a mount of one of its parents?)",
                shown(&dir)
            ));
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                found.errors.push(format!(
                    "cannot read directory `{}`: {}",
                    shown(&dir),
                    words(&e)
                ));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    found.errors.push(format!(
                        "cannot read an entry of `{}`: {}",
                        shown(&dir),
                        words(&e)
                    ));
                    continue;
                }
            };
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let kind = match entry.file_type() {
                Ok(k) => k,
                Err(e) => {
                    found
                        .errors
                        .push(format!("cannot read `{}`: {}", shown(&path), words(&e)));
                    continue;
                }
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                let to_dir = path.is_dir();
                if to_dir || keep(&name) {
                    found.warnings.push(format!(
                        "skipping `{}`: a symbolic link{} (walks do not follow links; name it on the command line to read it)",
                        shown(&path),
                        if to_dir { " to a directory" } else { "" }
                    ));
                }
            } else if keep(&name) {
                if kind.is_file() {
                    found.files.push(path.to_string_lossy().into_owned());
                } else {
                    let what = std::fs::symlink_metadata(&path)
                        .map(|m| super::write::kind_words(&m))
                        .unwrap_or("not a regular file");
                    found.warnings.push(format!(
                        "skipping `{}`: it is {what}, not a regular file",
                        shown(&path)
                    ));
                }
            }
        }
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata, _: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata, dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "it no longer exists".into(),
        _ => e.to_string(),
    }
}
