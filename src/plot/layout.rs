//! Where things go, in pixels: the plotting areas, the scales from data to pixels, the ticks and
//! their labels, and how much text fits.

use super::panel::{Panel, Units};

/// A rough width of one character of a sans-serif font, as a fraction of its size.
const CHAR_WIDTH: f64 = 0.56;

/// Pixel geometry of one panel's plotting area.
#[derive(Debug, Clone, Copy)]
pub(super) struct Area {
    pub(super) left: f64,
    pub(super) top: f64,
    pub(super) width: f64,
    pub(super) height: f64,
}

impl Area {
    pub(super) fn bottom(&self) -> f64 {
        self.top + self.height
    }

    pub(super) fn right(&self) -> f64 {
        self.left + self.width
    }
}

/// A linear map from data to pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) from: f64,
    pub(super) to: f64,
}

impl Scale {
    pub(super) fn map(&self, v: f64) -> f64 {
        let span = self.hi - self.lo;
        if span > 0.0 {
            self.from + (v - self.lo) / span * (self.to - self.from)
        } else {
            (self.from + self.to) / 2.0
        }
    }
}

/// A tick on a value axis: where it sits, in the panel's plotted units, and its label.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tick {
    pub(super) at: f64,
    pub(super) label: String,
}

/// The panel's value scale and the ticks of its left axis and of its right axis (empty without
/// one): the panel's range if set, else the data's rounded out to whole steps, always with the
/// thresholds. Each axis labels its ticks in its own units.
pub(super) fn value_axis(panel: &Panel, area: Area) -> (Scale, Vec<Tick>, Vec<Tick>) {
    let data = panel
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(
            panel
                .bands
                .iter()
                .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
        )
        .chain(panel.rules.iter().map(|r| r.value));
    let (mut lo, mut hi) = panel.range.unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
    for v in data {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= 0.0 {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let count = (area.height / 40.0).clamp(2.0, 10.0);
    if panel.range.is_none() {
        let step = nice_step(hi - lo, count);
        lo = (lo / step).floor() * step;
        hi = (hi / step).ceil() * step;
    }
    let pad = (hi - lo) * 0.04;
    let scale = Scale {
        lo: lo - pad,
        hi: hi + pad,
        from: area.bottom(),
        to: area.top,
    };
    let left = axis_ticks(&panel.left, lo, hi, count);
    let right = panel
        .right
        .as_ref()
        .map_or_else(Vec::new, |u| axis_ticks(u, lo, hi, count));
    (scale, left, right)
}

/// The ticks of an axis in `units` over the plotted range `lo..hi`.
fn axis_ticks(units: &Units, lo: f64, hi: f64, count: f64) -> Vec<Tick> {
    let (a, b) = (units.shown(lo), units.shown(hi));
    let (a, b) = (a.min(b), a.max(b));
    let step = nice_step(b - a, count);
    let decimals = decimals_for(step);
    ticks(a, b, step)
        .into_iter()
        .map(|t| Tick {
            at: units.plotted(t),
            label: tick_label(t, decimals),
        })
        .collect()
}

/// The session ticks of a session axis from `lo` to `hi` over `width` pixels: every session
/// while there are at most 20 and their labels fit, else round steps (at least 1) with the
/// first session always labeled.
pub(super) fn session_ticks(lo: f64, hi: f64, width: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    let count = hi - lo + 1.0;
    // A label of up to 4 digits at 11 px and a little air.
    let digits = tick_label(hi.abs().max(lo.abs()), 0).chars().count() as f64;
    let label_width = digits * 11.0 * CHAR_WIDTH + 8.0;
    if count <= MAX_EVERY_SESSION && width / count >= label_width {
        return ticks(lo, hi, 1.0);
    }
    let step = nice_step(hi - lo, (width / label_width.max(40.0)).clamp(2.0, 20.0)).max(1.0);
    let mut out = ticks(lo, hi, step);
    // The first session, labeled even if it is no multiple of the step; a step tick too close
    // to it is dropped.
    out.retain(|&t| t <= lo || t - lo >= step / 2.0);
    if out.first() != Some(&lo) {
        out.insert(0, lo);
    }
    out
}

/// Every session is labeled up to this many sessions.
pub(super) const MAX_EVERY_SESSION: f64 = 20.0;

/// A step of 1, 2 or 5 times a power of ten giving at most about `count` intervals over `span`.
pub(super) fn nice_step(span: f64, count: f64) -> f64 {
    let raw = span / count.max(1.0);
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// The multiples of `step` from `lo` to `hi` (at most 100).
pub(super) fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if !(step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return out;
    }
    let mut k = (lo / step - 1e-9).ceil();
    while out.len() < 100 {
        let t = k * step;
        if t > hi + step * 1e-9 {
            break;
        }
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        k += 1.0;
    }
    out
}

/// Decimals enough to tell ticks `step` apart (at most 9).
pub(super) fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || step.is_nan() || step <= 0.0 {
        return 0;
    }
    let d = (-step.log10()).ceil();
    if d >= 9.0 { 9 } else { d as usize }
}

/// A tick's label, with a true minus sign and never `-0`.
pub(super) fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// How many characters of a font of `size` fit in `width` pixels (roughly).
pub(super) fn chars_fitting(width: f64, size: f64) -> usize {
    let c = (width / (size * CHAR_WIDTH)).floor();
    if c >= 1.0 { c as usize } else { 1 }
}

/// `text` cut to `max` characters, ending with an ellipsis if cut.
pub(super) fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `text` broken into lines of at most `max` characters at spaces (a longer word is cut).
pub(super) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|l| fit(&l, max)).collect()
}

/// `text` wrapped to at most `lines` lines of `max` characters, the last cut short if need be.
pub(super) fn wrap_lines(text: &str, max: usize, lines: usize) -> Vec<String> {
    let mut out = wrap(text, max);
    if out.len() > lines {
        let rest = out.split_off(lines.saturating_sub(1)).join(" ");
        out.push(fit(&rest, max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_ticks_stay_small_and_round() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(9.0, 10.0), 1.0);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
        assert_eq!(
            ticks(0.0, 100.0, 20.0),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert!(ticks(0.0, 1e300, 1e-300).len() <= 100);
        assert_eq!(tick_label(-0.0, 0), "0");
        assert_eq!(tick_label(-2.0, 0), "−2");
    }

    #[test]
    fn every_session_is_labeled_up_to_twenty() {
        let all: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(session_ticks(1.0, 20.0, 500.0), all);
        assert_eq!(session_ticks(1.0, 10.0, 500.0)[0], 1.0);
        let many = session_ticks(1.0, 40.0, 500.0);
        assert_eq!(many[..3], [1.0, 5.0, 10.0]);
        assert!(session_ticks(3.0, 97.0, 200.0).starts_with(&[3.0]));
        assert!(session_ticks(f64::NAN, 2.0, 100.0).is_empty());
    }

    #[test]
    fn text_is_cut_and_wrapped() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
    }
}
