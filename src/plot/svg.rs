//! A small SVG writer: lines and text with their strokes and fonts, coordinates with at most two
//! decimals, and text escaped for XML.

use std::fmt::Write as _;

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
pub(super) struct Font {
    pub(super) class: &'static str,
    pub(super) size: f64,
    pub(super) anchor: &'static str,
    pub(super) color: &'static str,
    pub(super) bold: bool,
}

pub(super) const fn font(
    class: &'static str,
    size: f64,
    anchor: &'static str,
    color: &'static str,
) -> Font {
    Font {
        class,
        size,
        anchor,
        color,
        bold: false,
    }
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stroke {
    pub(super) class: &'static str,
    pub(super) color: &'static str,
    pub(super) width: f64,
    pub(super) dash: Option<&'static str>,
}

pub(super) const fn stroke(class: &'static str, color: &'static str, width: f64) -> Stroke {
    Stroke {
        class,
        color,
        width,
        dash: None,
    }
}

/// The SVG text being written.
#[derive(Debug)]
pub(super) struct Svg(pub(super) String);

impl Svg {
    pub(super) fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), s: Stroke) {
        let _ = write!(
            self.0,
            "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"",
            s.class,
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            s.color,
            n(s.width)
        );
        if let Some(d) = s.dash {
            let _ = write!(self.0, " stroke-dasharray=\"{d}\"");
        }
        self.0.push_str("/>\n");
    }

    pub(super) fn text(&mut self, x: f64, y: f64, f: Font, content: &str) {
        let _ = writeln!(
            self.0,
            "<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\" fill=\"{}\"{}>{}</text>",
            f.class,
            n(x),
            n(y),
            f.anchor,
            n(f.size),
            f.color,
            if f.bold { " font-weight=\"bold\"" } else { "" },
            esc(content)
        );
    }
}

/// A coordinate with at most two decimals, no trailing zeros.
pub(super) fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Text escaped for XML content and attribute values, without the characters XML 1.0 cannot
/// carry (C0 controls other than tab and line breaks, C1 controls, U+FFFE, U+FFFF); tabs and
/// line breaks become spaces.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short() {
        assert_eq!(n(12.50), "12.5");
        assert_eq!(n(-0.001), "0");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
