//! "Did you mean" suggestions by edit distance.

use std::cell::Cell;

thread_local! {
    static SEARCHES: Cell<u64> = const { Cell::new(0) };
}

/// How many near-miss searches this thread has run. A valid route never needs
/// one, and a search per key of every node was a fifth of checking a large
/// route; tests hold the readers to zero on valid routes with this.
#[doc(hidden)]
pub fn searches() -> u64 {
    SEARCHES.with(Cell::get)
}

/// The candidate closest to `word`, when it is close enough to be a typo:
/// at most a third of the word's length in edits (at least one).
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    SEARCHES.with(|n| n.set(n.get().wrapping_add(1)));
    let budget = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let d = distance(word, cand, budget + 1);
        // Ties go to the smallest candidate, so the answer never depends on
        // the order candidates come in (a hash map's, say).
        if d <= budget && best.is_none_or(|(bd, bc)| (d, cand) < (bd, bc)) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// `Some("did you mean `x`?")` for the closest candidate.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(word, candidates).map(|s| format!("did you mean `{s}`?"))
}

/// Optimal string alignment distance, cut short once it exceeds `cap`.
fn distance(a: &str, b: &str, cap: usize) -> usize {
    // Most candidates differ in length by more than the budget: settled
    // before anything is allocated.
    let (la, lb) = (a.chars().take(256).count(), b.chars().take(256).count());
    if la.abs_diff(lb) > cap {
        return cap + 1;
    }
    let a: Vec<char> = a.chars().take(256).collect();
    let b: Vec<char> = b.chars().take(256).collect();
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[w - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let outs = ["success", "fallback"];
        assert_eq!(suggest("fallbak", outs), Some("fallback"));
        assert_eq!(suggest("sucess", outs), Some("success"));
        assert_eq!(suggest("zzz", outs), None);
        assert_eq!(suggest("$eqq", ["$eq", "$ne", "$in"]), Some("$eq"));
        assert_eq!(suggest("opneai", ["openai", "groq"]), Some("openai"));
    }
}
