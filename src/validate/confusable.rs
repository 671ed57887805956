//! Node ids that look alike (W0612): `done` and `Done`, `done` and `do\u{200b}ne`
//! (a zero-width space), `done` and `dоne` (a Cyrillic `о`).
//!
//! Two such ids are two nodes to the gateway and one to a reader, so an output
//! meant for one silently leads to the other, and all the route says is that one
//! of them is unreachable. Each id is reduced to a key: invisible characters
//! dropped, lower-cased, then the skeleton of Unicode Technical Standard #39
//! (each character replaced by the one it is confusable with). Ids with the same
//! key are reported together, naming both: one pass, a hash map of keys.

use std::collections::HashMap;

use super::Finding;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Format, Route};

pub(super) fn check(route: &Route, format: Format, diags: &mut Vec<Diagnostic>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, node) in route.nodes.iter().enumerate() {
        let id = &node.id.value;
        let k = key(id);
        let Some(&j) = first.get(&k) else {
            first.insert(k, i);
            continue;
        };
        let other = &route.nodes[j].id;
        if other.value == *id {
            // The same id twice is E0203, reported where the graph is built.
            continue;
        }
        let finding = Finding::ConfusableIds {
            id: id.clone(),
            other: other.value.clone(),
            how: how(id, &other.value),
        };
        diags.push(
            finding
                .at(node.id.span, format)
                .with_secondary(other.span, "the id it looks like"),
        );
    }
}

/// What tells two ids apart.
fn how(a: &str, b: &str) -> &'static str {
    if visible(a) == visible(b) {
        "they differ only in invisible characters"
    } else if visible(a).to_lowercase() == visible(b).to_lowercase() {
        "they differ only in case"
    } else {
        "they differ only in characters that look the same"
    }
}

/// `id` without characters that show nothing: zero-width spaces and joiners,
/// directional marks, the soft hyphen, the BOM and the like.
fn visible(id: &str) -> String {
    id.chars()
        .filter(|&c| {
            !(crate::escape::is_unsafe(c)
                || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{180B}'..='\u{180F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFA0}'))
        })
        .collect()
}

/// The skeleton of each printable ASCII character, lower-cased, when it is
/// ASCII itself (`None` otherwise): an id of such characters maps one character
/// at a time, with no normalization across them, so its key is these pieces
/// end to end. Built once from the same skeleton function.
fn ascii_skeletons() -> &'static [Option<String>; 128] {
    static TABLE: std::sync::OnceLock<[Option<String>; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|b| {
            let c = char::from(u8::try_from(b).unwrap_or(0));
            if !(c == ' ' || c.is_ascii_graphic()) {
                return None;
            }
            let piece: String = unicode_security::confusable_detection::skeleton(
                &c.to_ascii_lowercase().to_string(),
            )
            .collect();
            piece.is_ascii().then(|| piece.to_ascii_lowercase())
        })
    })
}

/// The key under which look-alike ids meet.
fn key(id: &str) -> String {
    let table = ascii_skeletons();
    let mut quick = String::with_capacity(id.len() + 4);
    for b in id.bytes() {
        match table.get(usize::from(b)) {
            Some(Some(piece)) => quick.push_str(piece),
            _ => return general_key(id),
        }
    }
    quick
}

/// [`key`] for any id, one pass of the skeleton over the whole.
fn general_key(id: &str) -> String {
    // Printable ASCII (most ids) has nothing invisible and folds in place.
    let folded = if id.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        id.to_ascii_lowercase()
    } else {
        visible(id).to_lowercase()
    };
    // The skeleton may map a lower-case letter to an upper-case look-alike
    // (`l` and `I`), so fold once more after it.
    let mut key: String = unicode_security::confusable_detection::skeleton(&folded).collect();
    if key.is_ascii() {
        key.make_ascii_lowercase();
        key
    } else {
        key.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_table_gives_the_general_key() {
        let printable: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
        for &a in &printable {
            for &b in &printable {
                let id: String = [a, b].iter().collect();
                assert_eq!(key(&id), general_key(&id), "{id:?}");
            }
        }
        // Longer ids, where neighbours could interact: letters that look like
        // pairs (`m`, `rn`), digits that look like letters.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let len = 3 + (x % 6) as usize;
            let id: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    printable[(x % printable.len() as u64) as usize]
                })
                .collect();
            assert_eq!(key(&id), general_key(&id), "{id:?}");
        }
        assert!(ascii_skeletons().iter().filter(|p| p.is_some()).count() > 80);
    }

    #[test]
    fn look_alikes_share_a_key() {
        assert_eq!(key("done"), key("Done"));
        assert_eq!(key("done"), key("do\u{200b}ne"));
        assert_eq!(key("done"), key("d\u{43e}ne"));
        assert_eq!(key("paypal"), key("p\u{430}yp\u{430}l"));
        assert_ne!(key("done"), key("gone"));
        assert_ne!(key("n1"), key("n2"));
        // The printable-ASCII path folds the same as the general one.
        assert_eq!(key("N0"), key("no"));
        assert_eq!(key("Modern"), key("modem"));
        assert_eq!(
            how("done", "do\u{200b}ne"),
            "they differ only in invisible characters"
        );
        assert_eq!(how("done", "DONE"), "they differ only in case");
        assert_eq!(
            how("done", "d\u{43e}ne"),
            "they differ only in characters that look the same"
        );
    }
}
