//! The timeline as a picture: served requests per model per bucket, one line per
//! model, as a self-contained SVG (no fonts or scripts to fetch).

use std::fmt::Write as _;

use super::Report;

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

impl Report {
    /// Served requests per model over time, as SVG text.
    pub fn timeline_svg(&self, title: &str) -> String {
        let rows: Vec<(i64, &Vec<u64>)> = self.timeline.iter().map(|(t, r)| (*t, r)).collect();
        let models = self.timeline_columns();
        let max = rows
            .iter()
            .flat_map(|(_, r)| models.iter().map(|(i, _)| r[*i]))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let (t0, t1) = match (rows.first(), rows.last()) {
            (Some(a), Some(b)) => (a.0 as f64, b.0 as f64),
            _ => (0.0, 1.0),
        };
        let span = (t1 - t0).max(1.0);
        let x = |t: f64| LEFT + (t - t0) / span * (W - LEFT - RIGHT);
        let y = |v: f64| TOP + (1.0 - v / max) * (H - TOP - BOTTOM);
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="18" font-size="14">{}</text>
"##,
            esc(title)
        );
        // Axes with four gridlines.
        for k in 0..=4 {
            let v = max * f64::from(k) / 4.0;
            let yy = y(v);
            let _ = writeln!(
                out,
                r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                W - RIGHT,
                LEFT - 6.0,
                yy + 4.0,
                v.round()
            );
        }
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">time (UTC), requests per {}s bucket</text>"##,
            H - 20.0,
            utc(t0),
            W - RIGHT,
            H - 20.0,
            utc(t1),
            (LEFT + W - RIGHT) / 2.0,
            H - 6.0,
            self.timeline_bucket.unwrap_or(0.0)
        );
        for (k, (col, name)) in models.iter().enumerate() {
            let color = COLORS[k % COLORS.len()];
            let points: Vec<String> = rows
                .iter()
                .map(|(t, r)| format!("{:.1},{:.1}", x(*t as f64), y(r[*col] as f64)))
                .collect();
            let _ = writeln!(
                out,
                r##"<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{}"/>"##,
                points.join(" ")
            );
            let ly = TOP + 16.0 * k as f64;
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
}
