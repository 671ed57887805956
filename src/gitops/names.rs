//! File names for imported routes that every operating system can hold: only
//! ASCII letters, digits, `-` and `_` (so no path separators, control
//! characters, trailing dots or spaces, and no leading dot that would hide the
//! file from a directory walk), never a name Windows reserves (`CON`, `NUL`,
//! `COM1`, ...), at most [`MAX_STEM`] characters, and unique when compared
//! without case, as macOS and Windows compare them. Collisions are resolved in
//! the order given (`-2`, `-3`, ...), so the same routes always get the same
//! names, and every change to a route's name is said in a note.

use std::collections::BTreeSet;

/// The longest file name stem written (well under every file system's 255).
pub const MAX_STEM: usize = 100;

/// Where one route goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileName {
    /// The route's name.
    pub route: String,
    /// The file name (stem and extension), without a directory.
    pub file: String,
    /// Why the file name is not simply the route's name, when it is not.
    pub notes: Vec<String>,
}

/// Names Windows gives to devices, whatever the extension.
const RESERVED: [&str; 4] = ["con", "prn", "aux", "nul"];

fn reserved(stem: &str) -> bool {
    let lower = stem.to_ascii_lowercase();
    RESERVED.contains(&lower.as_str())
        || ["com", "lpt"].iter().any(|p| {
            lower.len() == 4 && lower.starts_with(p) && lower.as_bytes()[3].is_ascii_digit()
        })
}

/// The stem for `name` and what had to change to get it.
fn safe_stem(name: &str) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem != name {
        notes.push(
            "characters other than ASCII letters, digits, `-` and `_` are written as `_`".into(),
        );
    }
    if stem.len() > MAX_STEM {
        stem.truncate(MAX_STEM);
        notes.push(format!("shortened to {MAX_STEM} characters"));
    }
    if stem.is_empty() {
        stem = "route".into();
        notes.push("an empty name is written as `route`".into());
    }
    if reserved(&stem) {
        notes.push(format!("`{stem}` is a device name on Windows"));
        stem.push('_');
    }
    (stem, notes)
}

/// A file name with `ext` (such as `yaml`) for each route name, in the order
/// given; names that collide, ignoring case, get `-2`, `-3`, ... in that order.
pub fn file_names(routes: &[String], ext: &str) -> Vec<FileName> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut owner: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(routes.len());
    for name in routes {
        let (stem, mut notes) = safe_stem(name);
        let mut candidate = stem.clone();
        let mut n = 1u64;
        while taken.contains(&candidate.to_ascii_lowercase()) {
            n += 1;
            candidate = format!("{stem}-{n}");
        }
        if n > 1 {
            let first = owner
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(&stem))
                .map_or("another route", |(_, r)| r.as_str());
            notes.push(format!(
                "`{stem}.{ext}` is taken by route `{first}` (file names that differ only in case are one file on macOS and Windows)"
            ));
        }
        taken.insert(candidate.to_ascii_lowercase());
        owner.push((candidate.clone(), name.clone()));
        out.push(FileName {
            route: name.clone(),
            file: format!("{candidate}.{ext}"),
            notes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<String> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        file_names(&names, "yaml")
            .into_iter()
            .map(|f| f.file)
            .collect()
    }

    #[test]
    fn plain_names_are_kept() {
        let f = file_names(&["tiers".into(), "canary-v2_b".into()], "route");
        assert_eq!(f[0].file, "tiers.route");
        assert_eq!(f[1].file, "canary-v2_b.route");
        assert!(f.iter().all(|f| f.notes.is_empty()));
    }

    #[test]
    fn unsafe_characters_trailing_dots_and_spaces_and_control_characters_are_replaced() {
        assert_eq!(
            files(&["a/b", "..", "x. ", "tab\there", "\u{1b}[2J", "日本", ""]),
            [
                "a_b.yaml",
                "__.yaml",
                "x__.yaml",
                "tab_here.yaml",
                "__2J.yaml",
                "__-2.yaml",
                "route.yaml"
            ]
        );
    }

    #[test]
    fn windows_device_names_get_a_suffix_whatever_their_case() {
        assert_eq!(
            files(&["CON", "nul", "Com1", "lpt9", "com", "console"]),
            [
                "CON_.yaml",
                "nul_.yaml",
                "Com1_.yaml",
                "lpt9_.yaml",
                "com.yaml",
                "console.yaml"
            ]
        );
    }

    #[test]
    fn case_collisions_are_resolved_in_order_and_reported() {
        let names: Vec<String> = ["Tiers", "tiers", "TIERS", "tiers-2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let f = file_names(&names, "yaml");
        let got: Vec<&str> = f.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(
            got,
            [
                "Tiers.yaml",
                "tiers-2.yaml",
                "TIERS-3.yaml",
                "tiers-2-2.yaml"
            ]
        );
        assert!(
            f[1].notes[0].contains("taken by route `Tiers`"),
            "{:?}",
            f[1]
        );
        assert!(f[0].notes.is_empty());
        // The same input gives the same names.
        assert_eq!(file_names(&names, "yaml"), f);
    }

    #[test]
    fn long_names_are_shortened_and_still_unique() {
        let long = "x".repeat(300);
        let f = files(&[&long, &long]);
        assert_eq!(f[0].len(), MAX_STEM + 5);
        assert_ne!(f[0], f[1]);
    }
}
