//! Numeric flags, checked when the command line is read: each is finite and in
//! its range, or the command stops with a usage error (exit 2) that says the
//! range. Nothing is silently truncated, clamped or wrapped further on: a NaN
//! start time, a `--bucket` of 1.5 seconds or a `--max-file-size` of
//! 18446744073709551615 never reaches the code that would misread it.

/// The largest `--max-file-size`: a file is read whole into memory.
pub const MAX_FILE_SIZE: u64 = 1 << 30;

/// A whole number in `lo..=hi`.
fn whole(s: &str, lo: u64, hi: u64) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{}` is not a whole number from {lo} to {hi}",
            crate::escape::terminal(s)
        )),
    }
}

/// A finite number in `lo..=hi` (`lo` excluded with `open`).
fn real(s: &str, lo: f64, hi: f64, open: bool) -> Result<f64, String> {
    let ok = |x: f64| x.is_finite() && x <= hi && if open { x > lo } else { x >= lo };
    match s.trim().parse::<f64>() {
        Ok(x) if ok(x) => Ok(x),
        _ => Err(format!(
            "`{}` is not a number {} {lo} and at most {hi}",
            crate::escape::terminal(s),
            if open { "above" } else { "of at least" }
        )),
    }
}

fn to_usize(n: u64) -> usize {
    // Every bound below fits a 32-bit usize.
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `--max-file-size`: 1 byte to [`MAX_FILE_SIZE`].
pub fn file_size(s: &str) -> Result<usize, String> {
    whole(s, 1, MAX_FILE_SIZE).map(to_usize)
}

/// `--max-depth`: 1 to the deepest nesting any reader accepts.
pub fn depth(s: &str) -> Result<usize, String> {
    whole(s, 1, crate::syntax::NESTING_CAP as u64).map(to_usize)
}

/// `--max-nodes`, `--max-values`: 1 to a billion.
pub fn count(s: &str) -> Result<usize, String> {
    whole(s, 1, 1_000_000_000).map(to_usize)
}

/// `--requests`, `--users`: 1 to what a synthetic spec allows.
pub fn many(s: &str) -> Result<u64, String> {
    whole(s, 1, crate::simulate::MAX_REQUESTS)
}

/// `--bucket`: a duration read as a route's window is (`30m`, `1h`, or bare
/// seconds), whole seconds from 1 to a year (timeline rows are whole seconds).
pub fn bucket(s: &str) -> Result<u64, String> {
    const MAX: f64 = 366.0 * 86_400.0;
    match crate::syntax::values::parse_duration(s, 1000.0) {
        Some(x) if x.fract() == 0.0 && (1.0..=MAX).contains(&x) => Ok(x as u64),
        _ => Err(format!(
            "`{}` is not a duration of whole seconds from 1s to 366d: write e.g. `30m`, `90s`, `1h` or `1800`",
            crate::escape::terminal(s)
        )),
    }
}

/// `--timeout` for the API: 1 second to an hour.
pub fn timeout(s: &str) -> Result<u64, String> {
    whole(s, 1, 3_600)
}

/// `--start`: seconds since the epoch, up to the end of year 9999.
pub fn epoch_seconds(s: &str) -> Result<f64, String> {
    real(s, 0.0, crate::simulate::MAX_START, false)
}

/// `--rate`: requests per second, above 0 and at most a billion.
pub fn rate(s: &str) -> Result<f64, String> {
    real(s, 0.0, crate::simulate::MAX_RATE, true)
}

/// `--cost-per-request`: dollars, 0 to a million.
pub fn dollars(s: &str) -> Result<f64, String> {
    real(s, 0.0, 1e6, false)
}

/// A token count in `--tokens IN:OUT`: 0 to a billion.
pub fn tokens(s: &str) -> Result<f64, String> {
    real(s, 0.0, 1e9, false)
}

/// `--tokens IN:OUT`.
pub fn token_pair(s: &str) -> Result<(f64, f64), String> {
    let (i, o) = s.split_once(':').ok_or_else(|| {
        format!(
            "`{}` is not IN:OUT, such as 800:300",
            crate::escape::terminal(s)
        )
    })?;
    Ok((tokens(i)?, tokens(o)?))
}

/// A `--meta` weight or `--fail-rate` rate: a probability.
pub fn probability(s: &str) -> Result<f64, String> {
    real(s, 0.0, 1.0, false)
}

/// `--threshold`: a percentage.
pub fn percent(s: &str) -> Result<f64, String> {
    real(s, 0.0, 100.0, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_fractional_and_huge_values_are_refused() {
        for bad in ["NaN", "nan", "inf", "-inf", "infinity", "1e400", "-1"] {
            assert!(epoch_seconds(bad).is_err(), "{bad}");
            assert!(rate(bad).is_err(), "{bad}");
            assert!(dollars(bad).is_err(), "{bad}");
            assert!(token_pair(&format!("{bad}:1")).is_err(), "{bad}");
        }
        assert!(rate("0").is_err());
        assert_eq!(rate("0.5"), Ok(0.5));
        assert!(bucket("1.5").is_err());
        assert_eq!(bucket("90"), Ok(90));
        assert!(file_size("18446744073709551615").is_err());
        assert!(file_size("99999999999999999999999").is_err());
        assert_eq!(file_size("100"), Ok(100));
        assert!(depth("129").is_err());
        assert!(timeout("1e300").is_err());
        assert!(timeout("0").is_err());
        assert_eq!(token_pair("800:300"), Ok((800.0, 300.0)));
        assert!(probability("1.01").is_err());
        assert!(percent("NaN").is_err());
    }
}
