//! A line diff in unified style, for `push --dry-run` and `fmt --check`.

/// `-`/`+`/` ` lines of `old` → `new` with `context` unchanged lines around each
/// change, under `--- old_name` / `+++ new_name` headers. Empty when equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, context: usize) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = match lcs_ops(&a, &b) {
        Some(ops) => ops,
        None => {
            return format!(
                "--- {old_name}\n+++ {new_name}\n(too large to diff: {} and {} lines)\n",
                a.len(),
                b.len()
            );
        }
    };
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let changed: Vec<bool> = ops.iter().map(|(k, _)| *k != ' ').collect();
    let near = |i: usize| {
        let lo = i.saturating_sub(context);
        let hi = (i + context + 1).min(ops.len());
        changed[lo..hi].iter().any(|c| *c)
    };
    let mut skipped = false;
    let mut printed = false;
    for (i, (kind, line)) in ops.iter().enumerate() {
        if near(i) {
            if skipped && printed {
                out.push_str("@@\n");
            }
            skipped = false;
            printed = true;
            out.push(*kind);
            out.push_str(line);
            out.push('\n');
        } else {
            skipped = true;
        }
    }
    out
}

/// Edit script by longest common subsequence; `None` past 16M cells.
fn lcs_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Option<Vec<(char, &'a str)>> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > 16_000_000 {
        return None;
    }
    let w = m + 1;
    let mut len = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i * w + j] = if a[i] == b[j] {
                len[(i + 1) * w + j + 1] + 1
            } else {
                len[(i + 1) * w + j].max(len[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || len[(i + 1) * w + j] >= len[i * w + j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    Some(ops)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_changes_with_context() {
        let d = super::unified(
            "a\nb\nc\nd\ne\nf\ng\n",
            "a\nb\nC\nd\ne\nf\ng\n",
            "old",
            "new",
            1,
        );
        assert_eq!(d, "--- old\n+++ new\n b\n-c\n+C\n d\n");
        assert_eq!(super::unified("x\n", "x\n", "o", "n", 3), "");
    }
}
