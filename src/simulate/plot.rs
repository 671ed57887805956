//! The timeline as a picture: served requests per model per bucket, one line per
//! model, as a self-contained SVG (no fonts or scripts to fetch).

use std::fmt::Write as _;

use super::Report;
use crate::syntax::cond::number_text;

const W: f64 = 900.0;
const H: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLORS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One point of a line: bucket start and the value drawn, and whether that
/// value was scaled up from a partly covered bucket.
struct Row<'a> {
    t: f64,
    counts: &'a [u64],
    /// What a full bucket would have held at the rate observed (1 when full).
    scale: f64,
}

impl Report {
    /// The timeline's rows, with a partly covered first or last bucket scaled to
    /// the rate it saw: the traffic began or ended inside it, so its raw count
    /// would draw a drop (or a rise) that never happened. Time is covered from
    /// the first request to one mean gap past the last. A bucket covered less
    /// than a quarter is left out (too little to draw a rate from), unless it
    /// is the only one.
    fn plot_rows(&self) -> (Vec<Row<'_>>, Vec<String>) {
        let size = self.timeline_bucket.unwrap_or(1.0);
        let (first, last) = self.timeline_span.unwrap_or((0.0, 0.0));
        let gap = if self.requests > 1 {
            (last - first) / (self.requests - 1) as f64
        } else {
            0.0
        };
        let only = self.timeline.len() == 1;
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        for (&b, counts) in &self.timeline {
            let b = b as f64;
            let covered = ((last + gap).min(b + size) - first.max(b)).clamp(0.0, size);
            let mut scale = 1.0;
            if covered < size && !only {
                let which = if first > b { "first" } else { "last" };
                if covered < size / 4.0 {
                    notes.push(format!(
                        "{which} bucket left out: traffic covered {} of its {}",
                        seconds(covered),
                        seconds(size)
                    ));
                    continue;
                }
                scale = size / covered;
                notes.push(format!(
                    "{which} bucket (dashed) covered {} of its {}: drawn at the rate it saw",
                    seconds(covered),
                    seconds(size)
                ));
            }
            rows.push(Row {
                t: b,
                counts,
                scale,
            });
        }
        (rows, notes)
    }

    /// Served requests per model over time, as SVG text.
    pub fn timeline_svg(&self, title: &str) -> String {
        let (rows, notes) = self.plot_rows();
        let models = self.timeline_columns();
        let value = |r: &Row, col: usize| r.counts[col] as f64 * r.scale;
        let max = rows
            .iter()
            .flat_map(|r| models.iter().map(move |(i, _)| value(r, *i)))
            .fold(0.0, f64::max);
        let (step, top) = ticks(max);
        let (t0, t1) = match (rows.first(), rows.last()) {
            (Some(a), Some(b)) => (a.t, b.t),
            _ => (0.0, 1.0),
        };
        let span = (t1 - t0).max(1.0);
        let x = |t: f64| LEFT + (t - t0) / span * (W - LEFT - RIGHT);
        // Notes go under the title, each on its own line above the plot.
        let plot_top = TOP + 14.0 * notes.len() as f64;
        let y = |v: f64| plot_top + (1.0 - v / top) * (H - plot_top - BOTTOM);
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="18" font-size="14">{}</text>
"##,
            esc(title)
        );
        // Gridlines at round values: 0, step, 2 step, … up to the top.
        let mut k = 0.0;
        while k * step <= top + step / 2.0 {
            let v = k * step;
            let yy = y(v);
            let _ = writeln!(
                out,
                r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                W - RIGHT,
                LEFT - 6.0,
                yy + 4.0,
                number_text(v)
            );
            k += 1.0;
        }
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">time (UTC), requests per {} bucket</text>"##,
            H - 20.0,
            utc(t0),
            W - RIGHT,
            H - 20.0,
            utc(t1),
            (LEFT + W - RIGHT) / 2.0,
            H - 6.0,
            seconds(self.timeline_bucket.unwrap_or(0.0))
        );
        for (k, note) in notes.iter().enumerate() {
            let _ = writeln!(
                out,
                r##"<text class="note" x="{LEFT}" y="{:.1}" font-size="11" fill="#555">{}</text>"##,
                TOP + 4.0 + 14.0 * k as f64,
                esc(note)
            );
        }
        for (k, (col, name)) in models.iter().enumerate() {
            let color = COLORS[k % COLORS.len()];
            let point = |r: &Row| format!("{:.1},{:.1}", x(r.t), y(value(r, *col)));
            // Full buckets solid; the segment to a scaled edge bucket dashed.
            let full: Vec<&Row> = rows.iter().filter(|r| r.scale == 1.0).collect();
            let solid: Vec<String> = full.iter().map(|r| point(r)).collect();
            if !solid.is_empty() {
                let _ = writeln!(
                    out,
                    r##"<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{}"/>"##,
                    solid.join(" ")
                );
            }
            for (i, r) in rows.iter().enumerate() {
                if r.scale == 1.0 {
                    continue;
                }
                let neighbour = if i == 0 { rows.get(1) } else { rows.get(i - 1) };
                let pts = match neighbour {
                    Some(n) if i == 0 => format!("{} {}", point(r), point(n)),
                    Some(n) => format!("{} {}", point(n), point(r)),
                    None => format!("{0} {0}", point(r)),
                };
                let _ = writeln!(
                    out,
                    r##"<polyline class="partial" fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="4 3" points="{pts}"/>"##
                );
            }
            let ly = plot_top + 16.0 * k as f64;
            let _ = writeln!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="12" height="3" fill="{color}"/><text x="{:.1}" y="{:.1}">{}</text>"##,
                W - RIGHT + 12.0,
                ly - 4.0,
                W - RIGHT + 30.0,
                ly,
                esc(name)
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

/// A round step for about four gridlines over `0..=max` (1, 2 or 5 times a
/// power of ten; 2.5 times one from 10 up) and the top of the axis, the first
/// multiple of the step at or above `max`. Counts never get a step below 1.
fn ticks(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = (max / 4.0).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let factors: &[f64] = if power >= 10.0 {
        &[1.0, 2.0, 2.5, 5.0, 10.0]
    } else {
        &[1.0, 2.0, 5.0, 10.0]
    };
    let f = factors
        .iter()
        .copied()
        .find(|f| f * power >= raw - 1e-9)
        .unwrap_or(10.0);
    let step = f * power;
    (step, (max / step - 1e-9).ceil().max(1.0) * step)
}

/// A duration for the picture's text, in the route's own units (`30m`, `90s`).
fn seconds(s: f64) -> String {
    crate::syntax::values::format_seconds(s.round())
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM` (UTC), by the civil-from-days rule.
pub(super) fn utc(t: f64) -> String {
    let secs = t.floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0.0), "1970-01-01 00:00");
        assert_eq!(super::utc(1_767_225_600.0), "2026-01-01 00:00");
        assert_eq!(super::utc(951_782_400.0 + 3_660.0), "2000-02-29 01:01");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(super::ticks(159.0), (50.0, 200.0));
        assert_eq!(super::ticks(150.0), (50.0, 150.0));
        assert_eq!(super::ticks(3.0), (1.0, 3.0));
        assert_eq!(super::ticks(9.0), (5.0, 10.0));
        assert_eq!(super::ticks(90.0), (25.0, 100.0));
        assert_eq!(super::ticks(0.0), (1.0, 1.0));
        assert_eq!(super::ticks(12_345.0), (5_000.0, 15_000.0));
    }
}
