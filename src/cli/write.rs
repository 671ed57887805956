//! Replacing a file safely (`fmt`, `convert -o`, `pull -o`, `--plot`,
//! `--timeline`).
//!
//! The rules, also in the README:
//! - Only a new path or a regular file with a single link is replaced. A device
//!   node, FIFO, socket or directory is refused (run as root, a rename over
//!   `/dev/null` would replace the device itself); so is a file with several hard
//!   links, since the others would keep the old content without a word.
//! - A symbolic link is refused, never followed nor replaced: name the file it
//!   points to. A link planted where a report is written cannot redirect it.
//! - The new content goes to a temporary file beside the target, created
//!   exclusively (`O_CREAT | O_EXCL`, which never follows a link) under an
//!   unpredictable name, flushed, given the old file's mode (and owner and group
//!   where permitted), then renamed over the target: readers see the old file or
//!   the new one, never a part.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` under the rules above. A failure leaves the
/// target as it was; the error says why in words (without the path, which the
/// caller names).
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let before = replaceable(path)?;
    let (dir, name) = dir_and_name(path);
    let (tmp, mut file) = create_temp(dir, &name, before.is_none())?;
    let result = (|| {
        file.write_all(contents)?;
        if let Some(old) = &before {
            keep_mode_and_owner(&file, old)?;
        }
        file.sync_all()?;
        // Checked again just before the rename: a target swapped for a link or
        // a device in the meantime is refused, not replaced.
        let now = replaceable(path)?;
        if identity(now.as_ref()) != identity(before.as_ref()) {
            return Err(io::Error::other(
                "it was replaced by another file while being written; run again",
            ));
        }
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the directory is; not every system lets a
        // directory be opened for that, and the data is already on disk.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `contents` to a new file at `path` and never replaces anything (what
/// `import` does without `--force`): the finished temporary file is hard-linked
/// into place, which fails with `AlreadyExists` when something appeared at
/// `path` meanwhile; where the file system has no hard links, the check comes
/// just before the rename.
pub fn write_atomic_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let exists = || io::Error::new(io::ErrorKind::AlreadyExists, "it exists");
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let (dir, name) = dir_and_name(path);
    let (tmp, mut file) = create_temp(dir, &name, true)?;
    let result = (|| {
        file.write_all(contents)?;
        file.sync_all()?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
            Err(_) if std::fs::symlink_metadata(path).is_ok() => Err(exists()),
            Err(_) => std::fs::rename(&tmp, path),
        }
    })();
    // Linked: the temporary name goes; renamed: it is gone already.
    let _ = std::fs::remove_file(&tmp);
    result
}

/// The directory a file is written in (`.` for a bare name) and its file name.
fn dir_and_name(path: &Path) -> (&Path, String) {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (dir, name)
}

/// What is at `path` now: `None` for nothing, the metadata of a regular file
/// with one link, or the error that says why it may not be replaced.
fn replaceable(path: &Path) -> io::Result<Option<Metadata>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    let kind = meta.file_type();
    if kind.is_symlink() {
        return refuse(
            "it is a symbolic link, and aig-route never writes through one; name the file it points to"
                .into(),
        );
    }
    if !kind.is_file() {
        return refuse(format!(
            "it is {}, and only regular files are replaced",
            kind_words(&meta)
        ));
    }
    let links = link_count(&meta);
    if links > 1 {
        return refuse(format!(
            "it has {links} hard links, and replacing it would leave the others with the old content; write to a new path, or remove the other links first"
        ));
    }
    Ok(Some(meta))
}

/// A file's kind in words, for messages.
pub fn kind_words(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn link_count(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_: &Metadata) -> u64 {
    1
}

/// Device and inode of what is at a path (the same file before and after).
#[cfg(unix)]
fn identity(meta: Option<&Metadata>) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    meta.map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(meta: Option<&Metadata>) -> Option<(u64, bool)> {
    meta.map(|m| (m.len(), m.is_file()))
}

/// A new temporary file in `dir`, named after `name` with a random part; never
/// an existing path. A new target gets the usual mode for a new file (the umask
/// applies); a replacement starts private and takes the old mode once written.
fn create_temp(dir: &Path, name: &str, new: bool) -> io::Result<(PathBuf, File)> {
    // Names longer than this could pass the file system's limit with the suffix.
    let mut cut = name.len().min(64);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = &name[..cut];
    let mut last = None;
    for _ in 0..16 {
        let tmp = dir.join(format!(".{stem}.{:016x}.tmp", unpredictable()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if new { 0o666 } else { 0o600 });
        }
        #[cfg(not(unix))]
        let _ = new;
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// 64 bits no other process can guess: std's hasher keys come from the
/// operating system's random source (never output, so no seed is involved).
fn unpredictable() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish()
}

/// The old file's permission bits, and its owner and group where this user may
/// set them (root may; others keep their own, which is what the file had when
/// they own it).
fn keep_mode_and_owner(file: &File, old: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let now = file.metadata()?;
        if (now.uid(), now.gid()) != (old.uid(), old.gid())
            && std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err()
        {
            // Not permitted: the group alone may still be, when this user is in it.
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
        }
    }
    // After the owner: changing the owner clears set-id bits.
    file.set_permissions(old.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_once_and_never_replaced() {
        // Removed when dropped, also when an assertion fails.
        let tmp = tempfile::Builder::new()
            .prefix("aig-write-new-")
            .tempdir()
            .unwrap();
        let dir = tmp.path();
        let path = dir.join("r.yaml");
        write_atomic_new(&path, b"first").unwrap();
        let again = write_atomic_new(&path, b"second").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        // No temporary file is left behind either way.
        assert_eq!(std::fs::read_dir(dir).unwrap().count(), 1);
    }

    #[test]
    fn temporary_names_differ() {
        let a: Vec<u64> = (0..8).map(|_| unpredictable()).collect();
        let mut b = a.clone();
        b.dedup();
        assert_eq!(a.len(), b.len());
    }
}
