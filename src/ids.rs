//! Rules for user-supplied identifiers and labels.
//!
//! Ids (instrument, item, subscale, client and therapist ids, versions) become CSV column
//! names, FHIR `linkId`s and JSON keys, and are compared byte for byte. Labels (subscale
//! labels, anchors, threshold messages, instrument names) are shown to people and are also
//! compared, for example to detect duplicates. Both must therefore *look* like what they
//! *are*. An invisible character (U+200B zero width space, U+00AD soft hyphen, a variation
//! selector, a tag character) makes two texts look equal while comparing different. A
//! bidirectional control (U+202E right-to-left override and friends) reorders how the text,
//! and any error message quoting it, is displayed: the "Trojan Source" class of problem
//! (CVE-2021-42574). A control character or line break splits a CSV row or log line.
//!
//! The policy:
//! - [`TextRule::InstrumentId`]: lowercase ASCII letters, digits and `-`, neither first nor
//!   last (`wai-sr`, `phq-9`). Such ids also name files and URLs, so they stay ASCII.
//! - [`TextRule::Id`] and [`TextRule::Label`] (the same rules today): not empty; no leading or
//!   trailing Unicode `White_Space`; no control character (`char::is_control`, C0 and C1,
//!   including `\t`, `\n`, `\r`, U+0085) nor U+2028/U+2029 line and paragraph separators; no
//!   invisible or format character from [`FORBIDDEN`]; no bidirectional control. Everything
//!   else is allowed: any script (`Vertrauen`, `信頼`, `ثقة`, `Ελπίδα`), inner spaces
//!   (`client form`), punctuation, emoji, private-use and unassigned code points.
//!
//! Refused on purpose, in labels too: U+200D zero width joiner and U+FE0F variation
//! selector 16, so emoji ZWJ sequences (`👩‍⚕️`) and emoji-presentation selectors are refused.
//! A label is compared as well as shown, and `❤` versus `❤️` or `👩‍⚕️` versus `👩⚕️` look
//! the same (or nearly) but differ, so two anchors or subscales could be told apart only by
//! an invisible code point. A plain emoji (`🙂`) is fine.
//!
//! Errors quote a refused text escaped (`\u{202e}`) and cut at 80 characters, except a client's
//! or therapist's id, which is health data: its error says what is wrong and where (`invalid
//! client id: it has a leading space`) without the text.
//!
//! Checking is fast for ASCII: text made only of printable ASCII (0x20..=0x7E) needs only
//! the empty and surrounding-space checks. Other text is checked a character at a time
//! against a small sorted table with a binary search.

/// What kind of text a field holds, for choosing rules and naming the field in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRule {
    /// An instrument id: `wai-sr`, `cbt-client`, `phq-9`.
    InstrumentId,
    /// Any other id or version: `1`, `A1`, `q_trust_3`, `c-017`, `client form`, `Vertrauen`.
    Id,
    /// Human text: a subscale label, anchor, message or name, in any language.
    Label,
}

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextProblem {
    /// The text is empty.
    Empty,
    /// The text starts or ends with Unicode white space.
    SurroundingWhitespace,
    /// A control character (C0, C1) or a line or paragraph separator.
    Control(char),
    /// An invisible or format character: zero width, soft hyphen, filler, selector, tag.
    Invisible(char),
    /// A bidirectional control: embedding, override, isolate or mark.
    Bidi(char),
    /// An instrument id with characters other than `a-z`, `0-9` and inner `-`.
    InstrumentIdChars,
    /// Longer than the rule allows (in characters).
    TooLong(usize),
}

/// Longest instrument id, in characters.
const MAX_INSTRUMENT_ID: usize = 64;
/// Longest id or version, in characters: ample for any real id, small enough that a hostile
/// one is not echoed back at length.
const MAX_ID: usize = 256;
/// Longest label, message, name or citation, in characters.
const MAX_LABEL: usize = 4096;

impl TextProblem {
    /// A lowercase phrase without a trailing period, to follow the field's name.
    pub(crate) fn describe(&self) -> String {
        match *self {
            TextProblem::Empty => "is empty".to_owned(),
            TextProblem::SurroundingWhitespace => "has surrounding whitespace".to_owned(),
            TextProblem::Control(c) if c.is_control() => {
                format!("contains the control character U+{:04X}", u32::from(c))
            }
            TextProblem::Control(c) => format!("contains the line break U+{:04X}", u32::from(c)),
            TextProblem::Invisible(c) => {
                format!("contains the invisible character U+{:04X}", u32::from(c))
            }
            TextProblem::Bidi(c) => {
                format!("contains the bidirectional control U+{:04X}", u32::from(c))
            }
            TextProblem::InstrumentIdChars => {
                "use lowercase ascii letters, digits and inner hyphens".to_owned()
            }
            TextProblem::TooLong(max) => format!("is longer than {max} characters"),
        }
    }
}

/// Fields whose text is health data (it identifies a client, or the therapist who sees one), so
/// that an error about them names the field and the problem but never quotes the text.
const PRIVATE: [&str; 2] = ["client id", "therapist id"];

/// Whether an error about `field` must not quote its text (see [`PRIVATE`]).
pub(crate) fn is_private(field: &str) -> bool {
    PRIVATE.contains(&field)
}

impl TextProblem {
    /// The problem said without the text: `it has a leading space`, `it contains the control
    /// character U+0009 at character 3`.
    pub(crate) fn describe_unquoted(&self, value: &str) -> String {
        let at = |c: char| {
            value
                .chars()
                .position(|x| x == c)
                .map_or_else(String::new, |n| format!(" at character {}", n + 1))
        };
        let space = |c: char| {
            if c == ' ' {
                "space".to_owned()
            } else {
                format!("white space U+{:04X}", u32::from(c))
            }
        };
        match *self {
            TextProblem::SurroundingWhitespace => {
                let lead = value.chars().next().filter(|c| c.is_whitespace());
                let trail = value.chars().next_back().filter(|c| c.is_whitespace());
                match (lead, trail) {
                    (Some(l), Some(t)) if value.chars().nth(1).is_some() => {
                        format!("it has a leading {} and a trailing {}", space(l), space(t))
                    }
                    (Some(l), _) => format!("it has a leading {}", space(l)),
                    (None, Some(t)) => format!("it has a trailing {}", space(t)),
                    (None, None) => format!("it {}", self.describe()),
                }
            }
            TextProblem::Control(c) | TextProblem::Invisible(c) | TextProblem::Bidi(c) => {
                format!("it {}{}", self.describe(), at(c))
            }
            TextProblem::InstrumentIdChars => {
                "it must use lowercase ascii letters, digits and inner hyphens".to_owned()
            }
            TextProblem::Empty | TextProblem::TooLong(_) => format!("it {}", self.describe()),
        }
    }
}

/// Most characters of an echoed value that an error shows.
const SHOWN_CHARS: usize = 80;
/// Most bytes of an echoed value that an error shows, escapes included, also when quoted with
/// `{:?}`: 80 characters of any script fit, 80 escapes do not.
const SHOWN_BYTES: usize = 320;
/// Most characters of an error's explanation (a `reason`, which may quote input in turn).
const REASON_CHARS: usize = 300;
/// Most bytes of an error's explanation.
const REASON_BYTES: usize = 600;

/// `s` safe to show: control, line-break, invisible and bidirectional characters as `\u{..}`
/// escapes, at most 80 characters (and 320 bytes) of it followed by `…`.
pub(crate) fn escaped(s: &str) -> String {
    cut(s, SHOWN_CHARS, SHOWN_BYTES)
}

/// Bounds an echoed value in place as [`escaped`] does; no copy when it is already short and
/// plain.
pub(crate) fn bound_value(s: &mut String) {
    bound(s, SHOWN_CHARS, SHOWN_BYTES);
}

/// Bounds an explanation in place: escaped as [`escaped`] does, cut at 300 characters (and 600
/// bytes).
pub(crate) fn bound_reason(s: &mut String) {
    bound(s, REASON_CHARS, REASON_BYTES);
}

fn bound(s: &mut String, chars: usize, bytes: usize) {
    let fine = s.len() <= bytes && {
        let mut width = 0;
        let mut count = 0;
        s.chars().all(|c| {
            width += shown_width(c);
            count += 1;
            !needs_escape(c) && count <= chars && width <= bytes
        })
    };
    if !fine {
        *s = cut(s, chars, bytes);
    }
}

/// The bytes `c` takes in an echoed value, or when the value is quoted with `{:?}` (which
/// escapes quotes, backslashes and unprintable characters), whichever is more.
fn shown_width(c: char) -> usize {
    if needs_escape(c) {
        format!("{:04x}", u32::from(c)).len() + 5
    } else {
        c.len_utf8().max(c.escape_debug().len())
    }
}

/// Whether [`escaped`] writes `c` as an escape.
fn needs_escape(c: char) -> bool {
    c.is_control() || (!c.is_ascii() && classify(c).is_some())
}

/// `s` escaped, cut before the character that would make it longer than `chars` characters (of
/// `s`) or `bytes` bytes (of the result, counted by [`shown_width`]), with `…` after a cut.
fn cut(s: &str, chars: usize, bytes: usize) -> String {
    let mut out = String::with_capacity(s.len().min(bytes + 3));
    let mut used = 0;
    for (n, c) in s.chars().enumerate() {
        let escape = needs_escape(c);
        let width = shown_width(c);
        if n == chars || used + width > bytes {
            out.push('…');
            break;
        }
        used += width;
        if escape {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The class of a refused non-ASCII character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    LineBreak,
    Invisible,
    Bidi,
}

/// Refused non-ASCII code points, as sorted, disjoint, inclusive ranges.
/// (C0 and C1 controls are caught by `char::is_control` before this table.)
const FORBIDDEN: &[(u32, u32, Class)] = &[
    (0x00AD, 0x00AD, Class::Invisible),   // soft hyphen
    (0x034F, 0x034F, Class::Invisible),   // combining grapheme joiner
    (0x061C, 0x061C, Class::Bidi),        // arabic letter mark
    (0x115F, 0x1160, Class::Invisible),   // hangul choseong and jungseong fillers
    (0x17B4, 0x17B5, Class::Invisible),   // khmer inherent vowels
    (0x180B, 0x180F, Class::Invisible),   // mongolian variation selectors, vowel separator
    (0x200B, 0x200D, Class::Invisible),   // zero width space, non-joiner, joiner
    (0x200E, 0x200F, Class::Bidi),        // left-to-right and right-to-left marks
    (0x2028, 0x2029, Class::LineBreak),   // line and paragraph separators
    (0x202A, 0x202E, Class::Bidi),        // embeddings, pop, overrides
    (0x2060, 0x2065, Class::Invisible),   // word joiner, invisible operators
    (0x2066, 0x2069, Class::Bidi),        // isolates
    (0x206A, 0x206F, Class::Invisible),   // deprecated format characters
    (0x3164, 0x3164, Class::Invisible),   // hangul filler
    (0xFE00, 0xFE0F, Class::Invisible),   // variation selectors 1-16
    (0xFEFF, 0xFEFF, Class::Invisible),   // zero width no-break space (BOM)
    (0xFFA0, 0xFFA0, Class::Invisible),   // halfwidth hangul filler
    (0xFFF9, 0xFFFB, Class::Invisible),   // interlinear annotation controls
    (0x1BCA0, 0x1BCA3, Class::Invisible), // shorthand format controls
    (0x1D173, 0x1D17A, Class::Invisible), // musical symbol format controls
    (0xE0000, 0xE007F, Class::Invisible), // tags
    (0xE0100, 0xE01EF, Class::Invisible), // variation selectors 17-256
];

/// The class of `c` if the table refuses it.
fn classify(c: char) -> Option<Class> {
    let cp = u32::from(c);
    FORBIDDEN
        .binary_search_by(|&(lo, hi, _)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .ok()
        .and_then(|i| FORBIDDEN.get(i))
        .map(|&(_, _, class)| class)
}

/// Checks `s` against `rule`. The first problem found is reported, in this order: empty, a
/// refused character (the first in the text), surrounding whitespace, then (instrument ids
/// only) the character set.
///
/// # Errors
///
/// The [`TextProblem`] that makes `s` unfit for `rule`.
pub(crate) fn check(rule: TextRule, s: &str) -> Result<(), TextProblem> {
    if s.is_empty() {
        return Err(TextProblem::Empty);
    }
    let max = match rule {
        TextRule::InstrumentId => MAX_INSTRUMENT_ID,
        TextRule::Id => MAX_ID,
        TextRule::Label => MAX_LABEL,
    };
    // Bytes bound characters from above, so most texts skip the count.
    if s.len() > max && s.chars().count() > max {
        return Err(TextProblem::TooLong(max));
    }
    let printable_ascii = s.bytes().all(|b| (0x20..=0x7E).contains(&b));
    if printable_ascii {
        if s.starts_with(' ') || s.ends_with(' ') {
            return Err(TextProblem::SurroundingWhitespace);
        }
    } else {
        for c in s.chars() {
            if c.is_control() {
                return Err(TextProblem::Control(c));
            }
            if c.is_ascii() {
                continue;
            }
            match classify(c) {
                Some(Class::LineBreak) => return Err(TextProblem::Control(c)),
                Some(Class::Invisible) => return Err(TextProblem::Invisible(c)),
                Some(Class::Bidi) => return Err(TextProblem::Bidi(c)),
                None => {}
            }
        }
        if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
            return Err(TextProblem::SurroundingWhitespace);
        }
    }
    if rule == TextRule::InstrumentId {
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        if !printable_ascii || s.starts_with('-') || s.ends_with('-') || !s.bytes().all(allowed) {
            return Err(TextProblem::InstrumentIdChars);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use TextProblem::*;

    const ALL: [TextRule; 3] = [TextRule::InstrumentId, TextRule::Id, TextRule::Label];
    const FREE: [TextRule; 2] = [TextRule::Id, TextRule::Label];

    fn ok(rule: TextRule, s: &str) {
        assert_eq!(check(rule, s), Ok(()), "{rule:?} {s:?}");
    }

    fn refused(rule: TextRule, s: &str, want: TextProblem) {
        assert_eq!(check(rule, s), Err(want), "{rule:?} {s:?}");
    }

    fn ch(cp: u32) -> char {
        char::from_u32(cp).unwrap_or_else(|| panic!("U+{cp:04X} is not a char"))
    }

    #[test]
    fn table_is_sorted_and_disjoint() {
        for pair in FORBIDDEN.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn instrument_ids() {
        for s in ["wai-sr", "cbt-client", "phq-9", "srs", "a", "9", "arm-5"] {
            ok(TextRule::InstrumentId, s);
        }
        for s in [
            "-wai", "wai-", "-", "WAI-SR", "wai sr", "wai_sr", "wai.sr", "wäi", "信頼",
        ] {
            refused(TextRule::InstrumentId, s, InstrumentIdChars);
        }
        refused(TextRule::InstrumentId, "", Empty);
        refused(TextRule::InstrumentId, " wai-sr", SurroundingWhitespace);
        refused(TextRule::InstrumentId, "wai\u{202E}rs", Bidi('\u{202E}'));
        refused(
            TextRule::InstrumentId,
            "wai\u{200B}sr",
            Invisible('\u{200B}'),
        );
    }

    #[test]
    fn ids_and_labels_accept_ordinary_text() {
        let texts = [
            "1",
            "A1",
            "q_trust_3",
            "goals",
            "c-017",
            "client form",
            "3.0",
            "Goal",
            "Approach or method",
            "Strongly disagree",
            "WAI-SR (client)",
            "50% / \"ok\"",
            "Vertrauen",
            "信頼",
            "ثقة",
            "Ελπίδα",
            "Доверие",
            "विश्वास",
            "신뢰",
            "Ça va",
            "a\u{00A0}b",
            "🙂",
            "Bond 🙂",
            "\u{E000}",
            "\u{F0000}",
            "\u{10FFFD}",
            "\u{034E}",
            "\u{2010}",
            "\u{FE10}",
            "\u{E0080}",
            "\u{E01F0}",
        ];
        for rule in FREE {
            for s in texts {
                ok(rule, s);
            }
        }
    }

    #[test]
    fn empty_and_surrounding_whitespace() {
        for rule in ALL {
            refused(rule, "", Empty);
            for s in [
                " ",
                "  ",
                " a",
                "a ",
                " a ",
                "a\u{00A0}",
                "\u{3000}信頼",
                "a\u{2003}",
            ] {
                refused(rule, s, SurroundingWhitespace);
            }
        }
    }

    #[test]
    fn ascii_fast_path() {
        let printable: String = (0x20u8..=0x7E).map(char::from).collect();
        ok(TextRule::Label, &printable[1..]); // without the leading space
        refused(TextRule::Label, &printable, SurroundingWhitespace);
        ok(TextRule::Id, "a  b");
        ok(TextRule::Label, "~!@#$%^&*()_+{}|:<>?`-=[]\\;',./");
        refused(TextRule::Id, "x ", SurroundingWhitespace);
    }

    #[test]
    fn controls_and_line_breaks() {
        let mut cps: Vec<u32> = (0x00..=0x1F).chain(0x7F..=0x9F).collect();
        cps.extend([0x2028, 0x2029]);
        for rule in ALL {
            for &cp in &cps {
                let c = ch(cp);
                refused(rule, &format!("a{c}b"), Control(c));
                refused(rule, &format!("{c}"), Control(c));
                refused(rule, &format!("ab{c}"), Control(c));
            }
        }
        assert_eq!(
            Control('\n').describe(),
            "contains the control character U+000A"
        );
        assert_eq!(
            Control('\u{85}').describe(),
            "contains the control character U+0085"
        );
        assert_eq!(
            Control('\u{2028}').describe(),
            "contains the line break U+2028"
        );
    }

    /// The brief's list, written out again independently of `FORBIDDEN`.
    const INVISIBLE: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200D),
        (0x2060, 0x2065),
        (0x206A, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF9, 0xFFFB),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE007F),
        (0xE0100, 0xE01EF),
    ];
    const BIDI: &[(u32, u32)] = &[
        (0x061C, 0x061C),
        (0x200E, 0x200F),
        (0x202A, 0x202E),
        (0x2066, 0x2069),
    ];

    #[test]
    fn every_listed_code_point_is_refused() {
        let mut count = 0;
        for (list, make) in [
            (INVISIBLE, Invisible as fn(char) -> TextProblem),
            (BIDI, Bidi as fn(char) -> TextProblem),
        ] {
            for &(lo, hi) in list {
                for cp in lo..=hi {
                    let c = ch(cp);
                    for rule in ALL {
                        refused(rule, &format!("a{c}b"), make(c));
                        refused(rule, &format!("{c}"), make(c));
                        refused(rule, &format!("信{c}"), make(c));
                    }
                    count += 1;
                }
            }
        }
        assert_eq!(
            count,
            1 + 1 + 2 + 2 + 5 + 3 + 6 + 6 + 1 + 16 + 1 + 1 + 3 + 4 + 8 + 128 + 240 + 1 + 2 + 5 + 4
        );
    }

    #[test]
    fn emoji_sequences_with_invisible_parts_are_refused() {
        let health_worker = "\u{1F469}\u{200D}\u{2695}\u{FE0F}"; // 👩‍⚕️
        refused(TextRule::Label, health_worker, Invisible('\u{200D}'));
        refused(TextRule::Label, "\u{2764}\u{FE0F}", Invisible('\u{FE0F}')); // ❤️
        ok(TextRule::Label, "\u{2764}"); // ❤ without a selector
        ok(TextRule::Label, "\u{1F44D}\u{1F3FD}"); // 👍🏽: a skin-tone modifier is visible
    }

    #[test]
    fn first_problem_wins() {
        refused(TextRule::Label, " a\u{200B}", Invisible('\u{200B}'));
        refused(TextRule::Label, "a\u{202E}b\n", Bidi('\u{202E}'));
        refused(TextRule::Label, "a\n", Control('\n'));
    }

    #[test]
    fn descriptions() {
        assert_eq!(Empty.describe(), "is empty");
        assert_eq!(
            SurroundingWhitespace.describe(),
            "has surrounding whitespace"
        );
        assert_eq!(
            Invisible('\u{200B}').describe(),
            "contains the invisible character U+200B"
        );
        assert_eq!(
            Invisible('\u{E0041}').describe(),
            "contains the invisible character U+E0041"
        );
        assert_eq!(
            Bidi('\u{202E}').describe(),
            "contains the bidirectional control U+202E"
        );
        assert_eq!(
            InstrumentIdChars.describe(),
            "use lowercase ascii letters, digits and inner hyphens"
        );
    }
}
