//! YAML tags and the `%YAML` directive: what a route file may say about how it
//! is to be read, and what it may not.
//!
//! The parser accepts any tag and any version and leaves them to the reader. A
//! route is read by the YAML 1.2 core schema, so `%YAML 1.x` (x at most 2) is
//! accepted and any other version refused, and of the tags only those of the
//! core schema (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`,
//! `!!seq`) and the non-specific `!` mean something; a tagged value must be
//! what its tag says. Anything else (`!include`, `!!binary`, `!!python/object`)
//! would be silently read as a plain string, so it is an error.

use saphyr_parser::Tag;

use super::doc::DocValue;

/// The core schema's tag handle as the parser reports it.
const CORE: &str = "tag:yaml.org,2002:";

/// The value of a scalar written with `tag`; the error says what is wrong.
pub(super) fn scalar(value: &str, tag: &Tag) -> Result<DocValue, String> {
    if non_specific(tag) {
        // The non-specific tag: a string, as if quoted.
        return Ok(DocValue::Str(value.to_string()));
    }
    if tag.handle != CORE {
        return Err(unknown(tag));
    }
    let read = super::yaml_scalar::resolve_plain(value.trim());
    let ok = match (tag.suffix.as_str(), &read) {
        ("str", _) => return Ok(DocValue::Str(value.to_string())),
        ("int", DocValue::Num(n)) => n.fract() == 0.0,
        ("float", DocValue::Num(_)) | ("bool", DocValue::Bool(_)) | ("null", DocValue::Null) => {
            true
        }
        ("int" | "float" | "bool" | "null", _) => false,
        _ => return Err(unknown(tag)),
    };
    if ok {
        Ok(read)
    } else {
        Err(format!("`{value}` is not a valid `!!{}`", tag.suffix))
    }
}

/// Checks the tag of a list (`seq`) or mapping.
pub(super) fn collection(tag: &Tag, seq: bool) -> Result<(), String> {
    let want = if seq { "seq" } else { "map" };
    if non_specific(tag) || (tag.handle == CORE && tag.suffix == want) {
        Ok(())
    } else if tag.handle == CORE && matches!(tag.suffix.as_str(), "seq" | "map") {
        Err(format!(
            "a {} is tagged `!!{}`",
            if seq { "list" } else { "mapping" },
            tag.suffix
        ))
    } else {
        Err(unknown(tag))
    }
}

/// The non-specific tag `!`, which the parser reports as an empty handle.
fn non_specific(tag: &Tag) -> bool {
    tag.handle.is_empty() && tag.suffix == "!"
}

fn unknown(tag: &Tag) -> String {
    let shown = if tag.handle == CORE {
        format!("!!{}", tag.suffix)
    } else {
        tag.to_string()
    };
    format!("unknown YAML tag `{}`", crate::escape::terminal(&shown))
}

/// The first `%YAML` directive in `head` (the text before the document's `---`)
/// that names a version other than 1.0 to 1.2, as (start, end) of its line.
pub(super) fn bad_version(head: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    for line in head.split_inclusive(['\n', '\r']) {
        let start = at;
        at += line.len();
        let Some(rest) = line.strip_prefix("%YAML") else {
            continue;
        };
        let version = rest.split('#').next().unwrap_or("").trim();
        let known = matches!(
            version.split_once('.'),
            Some((major, minor)) if major == "1" && matches!(minor, "0" | "1" | "2")
        );
        if !known {
            return Some((start, start + line.trim_end().len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(suffix: &str) -> Tag {
        Tag {
            handle: CORE.into(),
            suffix: suffix.into(),
        }
    }

    #[test]
    fn core_tags_are_checked_and_others_refused() {
        assert!(matches!(scalar("5", &core("int")), Ok(DocValue::Num(n)) if n == 5.0));
        assert!(matches!(scalar("5", &core("str")), Ok(DocValue::Str(s)) if s == "5"));
        assert!(scalar("five", &core("int")).is_err());
        assert!(scalar("1.5", &core("int")).is_err());
        assert!(scalar("x", &core("binary")).is_err());
        let custom = Tag {
            handle: "!".into(),
            suffix: "include".into(),
        };
        assert!(scalar("x", &custom).unwrap_err().contains("`!include`"));
        assert!(collection(&core("map"), false).is_ok());
        assert!(collection(&core("map"), true).is_err());
        assert!(collection(&custom, true).is_err());
    }

    #[test]
    fn only_yaml_one_point_two_and_earlier() {
        assert_eq!(bad_version("%YAML 1.2\n"), None);
        assert_eq!(bad_version("%YAML 1.1 # old\n"), None);
        assert_eq!(bad_version("%YAML 9.9\n"), Some((0, 9)));
        assert_eq!(
            bad_version("%TAG ! tag:x,2000:\n%YAML 1.3\n"),
            Some((19, 28))
        );
    }
}
