//! Readers and writers for the small value languages of route files: durations
//! (`90s`, `1h`, `30d`), money (`$50`), shares (`90%`, `12.5%`).

/// Reads a duration such as `1h`, `30d`, `250ms`, `1.5s` into units of `unit_ms`
/// milliseconds (1000 for seconds, 1 for milliseconds). A bare number is already in
/// those units. Negative and fractional values are returned as written so that
/// validation can say what is wrong with them.
pub fn parse_duration(text: &str, unit_ms: f64) -> Option<f64> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.trim();
    if num.is_empty()
        || !num
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    let value: f64 = num.parse().ok()?;
    let ms = match unit {
        "" => return Some(value),
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "w" => 604_800_000.0,
        _ => return None,
    };
    Some(value * ms / unit_ms)
}

/// Writes `seconds` in the largest unit that divides it (`3600` → `1h`,
/// `1.5` → `1500ms`), always with a unit, so no reader has to remember what a
/// bare number means.
pub fn format_seconds(seconds: f64) -> String {
    format_in_units(seconds * 1000.0, false)
}

/// Writes `ms` milliseconds as `60s` or `1500ms` (timeouts read best in
/// seconds), always with a unit.
pub fn format_millis(ms: f64) -> String {
    format_in_units(ms, true)
}

fn format_in_units(ms: f64, at_most_seconds: bool) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("d", 86_400_000.0),
        ("h", 3_600_000.0),
        ("m", 60_000.0),
        ("s", 1_000.0),
        ("ms", 1.0),
    ];
    if !ms.is_finite() {
        // Not a duration at all; validation says so at its place.
        return crate::syntax::cond::number_text(ms);
    }
    if ms == 0.0 {
        return "0s".to_string();
    }
    if ms.fract() == 0.0 {
        for (name, size) in UNITS {
            if at_most_seconds && size > 1_000.0 {
                continue;
            }
            if (ms / size).fract() == 0.0 {
                return format!("{}{name}", crate::syntax::cond::number_text(ms / size));
            }
        }
    }
    // A fraction of a millisecond: decimals in the smallest unit allowed.
    if at_most_seconds {
        format!("{}ms", crate::syntax::cond::number_text(ms))
    } else {
        format!("{}s", crate::syntax::cond::number_text(ms / 1000.0))
    }
}

/// Reads `$50`, `$0.25` or `50` as dollars.
pub fn parse_money(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t).trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    t.parse().ok()
}

/// Writes dollars as `$50` or `$0.25`.
pub fn format_money(dollars: f64) -> String {
    format!("${}", crate::syntax::cond::number_text(dollars))
}

/// Why a share text is not a share. Each owns its words, so every format
/// reports the same mistake alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// Not `NN%` or `NN.NN%`.
    #[error("is not a share")]
    Malformed,
    /// More than two decimals.
    #[error("has more than two decimals")]
    TooPrecise,
    /// Zero.
    #[error("is zero")]
    Zero,
    /// Negative.
    #[error("is negative")]
    Negative,
    /// Over 100%.
    #[error("is over 100%")]
    TooLarge,
}

impl ShareError {
    /// How to write the share instead.
    pub fn help(self) -> &'static str {
        match self {
            ShareError::Malformed => "write a percentage such as `90%` or `12.5%`",
            ShareError::TooPrecise => "round it to hundredths of a percent, such as `33.33%`",
            ShareError::Zero => "remove the branch, or give it a share above 0%",
            ShareError::Negative | ShareError::TooLarge => "shares are between 0.01% and 100%",
        }
    }
}

/// A split's share in basis points (hundredths of a percent: 10000 is 100%),
/// read once from its text when the route is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Share(u16);

impl Share {
    /// Reads `90%`, `12.5%` or `0.25%`.
    pub fn parse(text: &str) -> Result<Share, ShareError> {
        // At most 10,000 once parsed, so it always fits.
        parse_share(text).map(|b| Share(u16::try_from(b).unwrap_or(10_000)))
    }

    /// Hundredths of a percent, 1 to 10,000.
    pub fn basis(self) -> u32 {
        u32::from(self.0)
    }

    /// The ways to write it, shortest first: `25%`, `25.0%`, `25.00%`.
    pub fn forms(self) -> Vec<String> {
        share_forms(self.basis())
    }

    /// How many ways there are to write it: `forms().len()`, without writing them.
    pub fn form_count(self) -> usize {
        match self.basis() % 100 {
            0 => 3,
            f if f % 10 == 0 => 2,
            _ => 1,
        }
    }
}

/// Reads a share such as `90%`, `12.5%`, `0.25%` into hundredths of a percent.
fn parse_share(text: &str) -> Result<u32, ShareError> {
    let Some(num) = text.strip_suffix('%') else {
        return Err(ShareError::Malformed);
    };
    let (neg, num) = match num.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, num),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (num.contains('.') && !digits(frac)) {
        return Err(ShareError::Malformed);
    }
    if frac.len() > 2 {
        return Err(ShareError::TooPrecise);
    }
    if int.len() > 4 {
        return Err(if neg {
            ShareError::Negative
        } else {
            ShareError::TooLarge
        });
    }
    let int: u32 = int.parse().map_err(|_| ShareError::Malformed)?;
    let mut frac_v: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| ShareError::Malformed)?
    };
    if frac.len() == 1 {
        frac_v *= 10;
    }
    let basis = int * 100 + frac_v;
    match () {
        _ if basis == 0 => Err(ShareError::Zero),
        _ if neg => Err(ShareError::Negative),
        _ if basis > 10_000 => Err(ShareError::TooLarge),
        _ => Ok(basis),
    }
}

/// Basis points as a percentage for messages: `90%`, `12.50%`.
pub fn percent(basis: u64) -> String {
    if basis.is_multiple_of(100) {
        format!("{}%", basis / 100)
    } else {
        format!("{}.{:02}%", basis / 100, basis % 100)
    }
}

/// The written forms of a share, shortest first: `25%`, `25.0%`, `25.00%`.
fn share_forms(basis: u32) -> Vec<String> {
    let int = basis / 100;
    let frac = basis % 100;
    if frac == 0 {
        vec![format!("{int}%"), format!("{int}.0%"), format!("{int}.00%")]
    } else if frac % 10 == 0 {
        vec![format!("{int}.{}%", frac / 10), format!("{int}.{frac:02}%")]
    } else {
        vec![format!("{int}.{frac:02}%")]
    }
}

/// A warning for a timeout written without a unit whose value reads as if
/// seconds were meant (`timeout: 60` is 60 ms, never enough for a model).
/// `written` is the text as given, `keyword` how the format writes the key
/// (`timeout:` or `timeout`).
pub fn bare_timeout(
    written: &str,
    ms: f64,
    span: crate::source::Span,
    keyword: &str,
) -> Option<crate::diagnostic::Diagnostic> {
    let bare = !written.trim().is_empty()
        && written
            .trim()
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.');
    (bare && ms > 0.0 && ms < 1000.0).then(|| {
        let n = crate::syntax::cond::number_text(ms);
        crate::diagnostic::Diagnostic::warning(
            crate::diagnostic::Code::BareTimeout,
            span,
            format!("`{keyword} {n}` is {n} milliseconds, too short for a model to answer"),
        )
        .label("milliseconds")
        .note("a timeout without a unit counts milliseconds")
        .help(format!(
            "write `{n}s` for seconds, or `{n}ms` if milliseconds are meant"
        ))
    })
}

/// Whether two branches of a split have the same share (`50%` and `50%`, or
/// `25%` and `25.0%`): YAML then writes the split as a list.
pub fn shares_repeat(branches: &[crate::syntax::ast::Branch]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(branches.len());
    !branches
        .iter()
        .all(|b| seen.insert(b.parsed.map_err(|_| b.share.value.as_str())))
}

/// Advice for a share written twice in one mapping (`50%: a` and `50%: b`):
/// equal shares are allowed, and each format has its own way to write them.
/// `None` when `key` is not a share.
pub fn repeated_share_help(key: &str, json: bool) -> Option<String> {
    let basis = parse_share(key).ok()?;
    Some(if json {
        let forms = share_forms(basis);
        format!(
            "equal shares need distinct keys: write them as {}",
            forms
                .iter()
                .map(|f| format!("`\"{f}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!(
            "equal shares are allowed: write the split as a list, one share per item (`- {key}: a`, then `- {key}: b`)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h", 1000.0), Some(3600.0));
        assert_eq!(parse_duration("30d", 1000.0), Some(2_592_000.0));
        assert_eq!(parse_duration("60s", 1.0), Some(60_000.0));
        assert_eq!(parse_duration("1.5s", 1000.0), Some(1.5));
        assert_eq!(parse_duration("-5m", 1000.0), Some(-300.0));
        assert_eq!(parse_duration("5 parsecs", 1000.0), None);
        assert_eq!(parse_duration("h", 1000.0), None);
        assert_eq!(format_seconds(3600.0), "1h");
        assert_eq!(format_seconds(5400.0), "90m");
        assert_eq!(format_seconds(2_592_000.0), "30d");
        assert_eq!(format_seconds(90.0), "90s");
        assert_eq!(format_millis(60_000.0), "60s");
        assert_eq!(format_millis(1500.0), "1500ms");
        assert_eq!(format_millis(0.0), "0s");
        assert_eq!(format_millis(7_200_000.0), "7200s");
        assert_eq!(format_millis(0.25), "0.25ms");
        assert_eq!(format_seconds(1.5), "1500ms");
        assert_eq!(format_seconds(0.25), "250ms");
        assert_eq!(format_seconds(-300.0), "-5m");
        // Every written duration reads back to the same value.
        for s in [1.5, 0.25, 90.0, 3600.0, 0.0005, -300.0, 1e9] {
            assert_eq!(parse_duration(&format_seconds(s), 1000.0), Some(s), "{s}");
        }
        for ms in [1500.0, 60_000.0, 0.25, 7.0] {
            assert_eq!(parse_duration(&format_millis(ms), 1.0), Some(ms), "{ms}");
        }
    }

    #[test]
    fn shares() {
        assert_eq!(parse_share("90%"), Ok(9000));
        assert_eq!(parse_share("12.5%"), Ok(1250));
        assert_eq!(parse_share("0.25%"), Ok(25));
        assert_eq!(parse_share("25.00%"), Ok(2500));
        assert_eq!(parse_share("33.333%"), Err(ShareError::TooPrecise));
        assert_eq!(parse_share("0%"), Err(ShareError::Zero));
        assert_eq!(parse_share("-10%"), Err(ShareError::Negative));
        assert_eq!(parse_share("101%"), Err(ShareError::TooLarge));
        assert_eq!(parse_share("90"), Err(ShareError::Malformed));
        assert_eq!(parse_share("else"), Err(ShareError::Malformed));
        assert_eq!(share_forms(2500), ["25%", "25.0%", "25.00%"]);
        assert_eq!(share_forms(1250), ["12.5%", "12.50%"]);
        for basis in 1..=10_000 {
            let share = Share(u16::try_from(basis).unwrap());
            assert_eq!(share.form_count(), share.forms().len());
        }
        assert_eq!(Share::parse("12.50%").map(Share::basis), Ok(1250));
        assert_eq!(Share::parse("100%").map(Share::basis), Ok(10_000));
        assert_eq!(Share::parse("0.01%").map(Share::basis), Ok(1));
        assert_eq!(Share::parse("100.01%"), Err(ShareError::TooLarge));
        assert_eq!(parse_money("$0.50"), Some(0.5));
    }
}
