//! Response scales: Likert points with labeled anchors, or a continuous visual-analogue line.
//!
//! Internally every answer is held as an exact integer count of the scale's smallest step
//! ("units": the point itself on a Likert scale, tenths on the SRS's 0-10 line with one decimal),
//! so sums, reversals and the reliability accumulators of later modules are exact.

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{self, TextRule};

/// Largest number of decimals a visual-analogue scale may have.
const MAX_DECIMALS: u8 = ResponseScale::MAX_DECIMALS;
/// Largest number of points a Likert scale may have.
const MAX_LIKERT_POINTS: i64 = ResponseScale::MAX_LIKERT_POINTS;
/// Largest magnitude of a scale bound, in units, so that sums over millions of rows stay exact.
const MAX_UNITS: f64 = 1_000_000.0;
/// Relative distance from a step below which a value is read as that step: binary noise only.
const STEP_TOLERANCE: f64 = 1e-12;

/// Whether a scale has discrete labeled points or is a continuous line.
///
/// ```
/// use therapeutic_alliance::{ResponseScale, ScaleKind};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(ResponseScale::visual_analogue(0.0, 10.0, 1)?.kind(), ScaleKind::VisualAnalogue);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScaleKind {
    /// Integer points (1 "Seldom" .. 5 "Always").
    Likert,
    /// A continuous line read off to a fixed number of decimals (SRS: 0..=10, one decimal).
    VisualAnalogue,
}

crate::vocab::vocabulary!(
    ScaleKind,
    "scale kind",
    None,
    [Likert => "likert", VisualAnalogue => "visual_analogue"]
);

/// A labeled point of a Likert scale, e.g. 1 "Seldom".
///
/// ```
/// use therapeutic_alliance::ResponseScale;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
/// let first = &scale.anchors()[0];
/// assert_eq!((first.value(), first.label()), (1, "Seldom"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Anchor {
    value: i32,
    label: String,
}

impl Anchor {
    /// The scale point this label belongs to.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.anchors()[1].value(), 5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self) -> i32 {
        self.value
    }

    /// The label, e.g. "Seldom".
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.anchors()[1].label(), "Always");
    /// # Ok(())
    /// # }
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// The set of answers an item accepts.
///
/// Build one with [`ResponseScale::likert`] or [`ResponseScale::visual_analogue`]; both validate, so
/// a `ResponseScale` always has a maximum above its minimum.
///
/// ```
/// use therapeutic_alliance::ResponseScale;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs_line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
/// assert_eq!(srs_line.step(), 0.1);
/// assert_eq!(srs_line.reverse(2.5), Some(7.5));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_impl::ScaleDef", into = "serde_impl::ScaleDef")
)]
pub struct ResponseScale {
    kind: ScaleKind,
    /// Minimum in units.
    min: i32,
    /// Maximum in units.
    max: i32,
    decimals: u8,
    anchors: Vec<Anchor>,
}

/// Why a value is not an answer on a scale; the caller adds the item id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueProblem {
    NotFinite,
    OutOfRange,
    OffStep,
}

impl ResponseScale {
    /// Largest number of decimals a visual-analogue scale may have.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// assert!(ResponseScale::visual_analogue(0.0, 1.0, ResponseScale::MAX_DECIMALS + 1).is_err());
    /// ```
    pub const MAX_DECIMALS: u8 = 3;

    /// Largest number of points a Likert scale may have.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// assert!(ResponseScale::likert(0, ResponseScale::MAX_LIKERT_POINTS as i32 - 1, []).is_ok());
    /// assert!(ResponseScale::likert(0, ResponseScale::MAX_LIKERT_POINTS as i32, []).is_err());
    /// ```
    pub const MAX_LIKERT_POINTS: i64 = 101;

    /// A Likert scale with integer points `min..=max` and labels for some or all of them.
    ///
    /// # Errors
    /// - [`ErrorKind::EmptyScale`](crate::ErrorKind::EmptyScale) if `max <= min`;
    /// - [`ErrorKind::TooManyPoints`](crate::ErrorKind::TooManyPoints) above [`ResponseScale::MAX_LIKERT_POINTS`] points;
    /// - [`ErrorKind::AnchorOutOfRange`](crate::ErrorKind::AnchorOutOfRange), [`ErrorKind::DuplicateAnchor`](crate::ErrorKind::DuplicateAnchor) for a bad anchor, [`ErrorKind::InvalidText`](crate::ErrorKind::InvalidText) for an empty or malformed label;
    /// - [`ErrorKind::BoundTooLarge`](crate::ErrorKind::BoundTooLarge) for a bound beyond a million steps.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 7, [(1, "Never"), (7, "Always")])?;
    /// assert_eq!(scale.points(), Some(7));
    /// assert!(ResponseScale::likert(3, 3, []).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn likert<'a>(
        min: i32,
        max: i32,
        anchors: impl IntoIterator<Item = (i32, &'a str)>,
    ) -> Result<Self> {
        let anchors = anchors
            .into_iter()
            .map(|(value, label)| Anchor {
                value,
                label: label.to_owned(),
            })
            .collect();
        Self::likert_with_anchors(min, max, anchors)
    }

    fn likert_with_anchors(min: i32, max: i32, mut anchors: Vec<Anchor>) -> Result<Self> {
        if max <= min {
            return Err(ErrorKind::EmptyScale {
                min: f64::from(min),
                max: f64::from(max),
            }
            .into());
        }
        if let Some(&bound) = [min, max].iter().find(|b| f64::from(**b).abs() > MAX_UNITS) {
            return Err(ErrorKind::BoundTooLarge {
                value: f64::from(bound),
                max: MAX_UNITS,
            }
            .into());
        }
        let points = i64::from(max) - i64::from(min) + 1;
        if points > MAX_LIKERT_POINTS {
            return Err(ErrorKind::TooManyPoints {
                points,
                max: MAX_LIKERT_POINTS,
            }
            .into());
        }
        anchors.sort_by_key(|a| a.value);
        for (i, a) in anchors.iter().enumerate() {
            if a.value < min || a.value > max {
                return Err(ErrorKind::AnchorOutOfRange {
                    value: a.value,
                    label: a.label.clone(),
                    min,
                    max,
                }
                .into());
            }
            ids::check(TextRule::Label, &a.label).map_err(|p| p.error("anchor label", &a.label))?;
            if i > 0 && anchors.get(i - 1).is_some_and(|b| b.value == a.value) {
                return Err(ErrorKind::DuplicateAnchor { value: a.value }.into());
            }
        }
        Ok(ResponseScale {
            kind: ScaleKind::Likert,
            min,
            max,
            decimals: 0,
            anchors,
        })
    }

    /// A visual-analogue line from `min` to `max`, read off to `decimals` decimal places
    /// (SRS: `visual_analogue(0.0, 10.0, 1)`).
    ///
    /// # Errors
    /// - [`ErrorKind::TooManyDecimals`](crate::ErrorKind::TooManyDecimals) above [`ResponseScale::MAX_DECIMALS`];
    /// - [`ErrorKind::ScaleBound`](crate::ErrorKind::ScaleBound) if a bound is not finite, too large, or not on the step;
    /// - [`ErrorKind::EmptyScale`](crate::ErrorKind::EmptyScale) if `max <= min`.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// assert_eq!((line.min(), line.max()), (0.0, 10.0));
    /// assert!(ResponseScale::visual_analogue(0.0, 10.05, 1).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn visual_analogue(min: f64, max: f64, decimals: u8) -> Result<Self> {
        if decimals > MAX_DECIMALS {
            return Err(ErrorKind::TooManyDecimals {
                decimals,
                max: MAX_DECIMALS,
            }
            .into());
        }
        let step = 10f64.powi(-i32::from(decimals));
        let bound = |value: f64| -> Result<i32> {
            let units = value / step;
            let rounded = units.round();
            if !units.is_finite()
                || (units - rounded).abs() > STEP_TOLERANCE * rounded.abs().max(1.0)
            {
                return Err(ErrorKind::ScaleBound { value, step }.into());
            }
            if rounded.abs() > MAX_UNITS {
                return Err(ErrorKind::BoundTooLarge {
                    value,
                    max: MAX_UNITS,
                }
                .into());
            }
            // In range of i32 by the MAX_UNITS check just above.
            Ok(rounded as i32)
        };
        let (lo, hi) = (bound(min)?, bound(max)?);
        if hi <= lo {
            return Err(ErrorKind::EmptyScale { min, max }.into());
        }
        Ok(ResponseScale {
            kind: ScaleKind::VisualAnalogue,
            min: lo,
            max: hi,
            decimals,
            anchors: Vec::new(),
        })
    }

    /// Likert or visual-analogue.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.kind(), therapeutic_alliance::ScaleKind::Likert);
    /// # Ok(())
    /// # }
    /// ```
    pub fn kind(&self) -> ScaleKind {
        self.kind
    }

    /// The lowest answer.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// assert_eq!(line.min(), 0.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn min(&self) -> f64 {
        self.value_of_units(i64::from(self.min))
    }

    /// The highest answer.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// assert_eq!(line.max(), 10.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max(&self) -> f64 {
        self.value_of_units(i64::from(self.max))
    }

    /// Distance between neighbouring answers: 1 on a Likert scale, `10^-decimals` on a line.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.step(), 1.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn step(&self) -> f64 {
        self.value_of_units(1)
    }

    /// Decimal places of an answer (0 on a Likert scale).
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// assert_eq!(line.decimals(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    /// The labeled anchors, in ascending order of value (empty for a visual-analogue line).
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.anchors().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// The label of a Likert point, if it has one.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.label(5), Some("Always"));
    /// assert_eq!(scale.label(3), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn label(&self, value: i32) -> Option<&str> {
        self.anchors
            .iter()
            .find(|a| a.value == value)
            .map(|a| a.label.as_str())
    }

    /// Number of points of a Likert scale; `None` for a visual-analogue line.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [(1, "Seldom"), (5, "Always")])?;
    /// assert_eq!(scale.points(), Some(5));
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// assert_eq!(line.points(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn points(&self) -> Option<usize> {
        match self.kind {
            ScaleKind::Likert => {
                usize::try_from(i64::from(self.max) - i64::from(self.min) + 1).ok()
            }
            ScaleKind::VisualAnalogue => None,
        }
    }

    /// Whether `value` is an answer this scale accepts (finite, in range, on a step).
    ///
    /// A value within 1e-12 (relative) of a point is read as that point: that is binary
    /// representation noise (`0.1 * 3` is 0.30000000000000004), never a distinct answer. Anything
    /// farther from a point is refused, not rounded.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [])?;
    /// assert!(scale.accepts(4.0));
    /// assert!(!scale.accepts(4.5) && !scale.accepts(6.0) && !scale.accepts(f64::NAN));
    /// # Ok(())
    /// # }
    /// ```
    pub fn accepts(&self, value: f64) -> bool {
        self.to_units(value).is_ok()
    }

    /// The reverse-keyed value of an answer: `min + max - value` on this scale's own bounds,
    /// computed exactly (reversing twice gives the value back, also on a decimal line); `None` for a
    /// value the scale does not accept.
    ///
    /// ```
    /// use therapeutic_alliance::ResponseScale;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scale = ResponseScale::likert(1, 7, [])?;
    /// assert_eq!(scale.reverse(2.0), Some(6.0));
    /// assert_eq!(scale.reverse(8.0), None);
    /// let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
    /// let back = line.reverse(7.3).and_then(|r| line.reverse(r));
    /// assert_eq!(back, Some(7.3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn reverse(&self, value: f64) -> Option<f64> {
        let units = self.to_units(value).ok()?;
        Some(self.value_of_units(i64::from(self.reverse_units(units))))
    }

    /// Minimum in units.
    pub(crate) fn min_units(&self) -> i32 {
        self.min
    }

    /// Maximum in units.
    pub(crate) fn max_units(&self) -> i32 {
        self.max
    }

    /// Units per 1.0 of answer.
    pub(crate) fn resolution(&self) -> f64 {
        resolution(self.decimals)
    }

    /// Units per 1.0 of answer, as an integer: `10^decimals`.
    pub(crate) fn resolution_units(&self) -> i128 {
        match self.decimals {
            0 => 1,
            1 => 10,
            2 => 100,
            _ => 1000,
        }
    }

    /// Reverse keying in units: exact.
    pub(crate) fn reverse_units(&self, units: i32) -> i32 {
        self.min + self.max - units
    }

    /// Converts units back to an answer value.
    pub(crate) fn value_of_units(&self, units: i64) -> f64 {
        // Dividing by the exact power of ten gives the correctly rounded decimal (0.1 for 1 tenth).
        units as f64 / self.resolution()
    }

    /// Validates an answer and converts it to units.
    pub(crate) fn to_units(&self, value: f64) -> std::result::Result<i32, ValueProblem> {
        if !value.is_finite() {
            return Err(ValueProblem::NotFinite);
        }
        let units = value * self.resolution();
        // Far outside any scale (bounds are at most MAX_UNITS): refuse before converting.
        if units.abs() > 2.0 * MAX_UNITS {
            return Err(ValueProblem::OutOfRange);
        }
        // Nearest integer, half away from zero as `f64::round`, without the libm call that
        // `round` compiles to on baseline x86-64 (this is the hot path of batch scoring).
        let truncated = units as i64;
        let frac = units - truncated as f64;
        let nearest = truncated + i64::from(frac >= 0.5) - i64::from(frac <= -0.5);
        // The range check is on exact integers. A value just outside the range by binary noise
        // (10.000000000000002) is out of range only if it is not read as the bound itself below.
        let in_range = nearest >= i64::from(self.min) && nearest <= i64::from(self.max);
        // Relative tolerance of 1e-12 absorbs binary representation error of a decimal value
        // (7.3 * 10 = 72.99999999999999) and nothing a person could mean.
        let on_step =
            (units - nearest as f64).abs() <= STEP_TOLERANCE * (nearest as f64).abs().max(1.0);
        match (in_range, on_step) {
            (true, true) => Ok(nearest as i32),
            (false, _) => Err(ValueProblem::OutOfRange),
            (true, false) => {
                // Between two points, or past a bound by less than half a step (5.2 on 1..5).
                if units < f64::from(self.min) || units > f64::from(self.max) {
                    Err(ValueProblem::OutOfRange)
                } else {
                    Err(ValueProblem::OffStep)
                }
            }
        }
    }

    /// Validates the answer `value` to `item` and converts it to units, with the typed error
    /// naming the item and value.
    pub(crate) fn units_for(&self, item: &str, value: f64) -> Result<i32> {
        self.to_units(value)
            .map_err(|p| self.value_error(p, item, value, None))
    }

    /// Reads an answer written as text (`"4"`, `"7.3"`), validates it and converts it to units.
    /// Errors quote the text as written (`1e400`, not `inf`).
    ///
    /// The decimal is checked **exactly** against the scale's points, with no tolerance: binary
    /// noise cannot arise in text, so `2.9999999999999999999` on a 0-3 scale is off the step,
    /// not 3. The forms a cell may take are those of a decimal number: an optional sign (`+3`,
    /// `-1`), digits with an optional point (`3`, `3.`, `.5`, `3.50`) and an optional exponent
    /// (`1e0`, `25E-1`), surrounded by optional white space. `inf`, `NaN` and a number too large
    /// for a double (`1e400`) are `not_finite`; anything else (`3,5`, `0x3`, `three`, an empty
    /// exponent) is `not_a_number`.
    pub(crate) fn units_for_text(&self, item: &str, text: &str) -> Result<i32> {
        let trimmed = text.trim();
        let not_a_number = || -> Error {
            ErrorKind::NotANumber {
                item: item.to_owned(),
                text: text.to_owned(),
            }
            .into()
        };
        // The double is what errors show; the decision is made on the exact decimal.
        let value: f64 = trimmed.parse().map_err(|_| not_a_number())?;
        if !value.is_finite() {
            return Err(self.value_error(ValueProblem::NotFinite, item, value, Some(text)));
        }
        let decimal = Decimal::parse(trimmed).ok_or_else(not_a_number)?;
        decimal
            .units(self)
            .map_err(|p| self.value_error(p, item, value, Some(text)))
    }

    /// The typed error for a value problem on `item`.
    fn value_error(
        &self,
        problem: ValueProblem,
        item: &str,
        value: f64,
        text: Option<&str>,
    ) -> Error {
        let item = item.to_owned();
        let text = text.map(str::to_owned);
        match problem {
            ValueProblem::NotFinite => ErrorKind::NotFinite { item, value, text },
            ValueProblem::OutOfRange => ErrorKind::OutOfRange {
                item,
                value,
                text,
                min: self.min(),
                max: self.max(),
            },
            ValueProblem::OffStep => ErrorKind::OffStep {
                item,
                value,
                text,
                step: self.step(),
            },
        }
        .into()
    }
}

/// A decimal number as written, reduced to what an exact comparison with a scale's points
/// needs: `sign * M * 10^exponent`, where `M` is the integer of its `count` significant digits
/// (no leading or trailing zeros; `count == 0` is zero) and `head` holds the first of them (up
/// to [`HEAD_DIGITS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    head: u64,
    count: i64,
    exponent: i64,
}

/// Significant digits kept exactly: a double's integer range is not needed, only "more than a
/// scale can hold", and every bound is at most 10^6 units.
const HEAD_DIGITS: i64 = 17;

/// Digits of units beyond which a value is outside every scale (bounds are at most `MAX_UNITS`).
const UNIT_DIGITS: i64 = 16;

/// Exponents beyond this are far outside every scale; saturating there keeps the arithmetic in
/// range whatever the text says.
const EXPONENT_LIMIT: i64 = 1_000_000;

impl Decimal {
    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]` with at least one mantissa digit; `None` for
    /// anything else.
    fn parse(text: &str) -> Option<Self> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (rest.get(..i)?, Some(rest.get(i + 1..)?)),
            None => (rest, None),
        };
        let (whole, fraction) = match mantissa.find('.') {
            Some(i) => (mantissa.get(..i)?, mantissa.get(i + 1..)?),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let written_exponent = match exponent {
            None => 0,
            Some(e) => {
                let (sign, digits) = match e.as_bytes().first() {
                    Some(b'-') => (-1, e.get(1..)?),
                    Some(b'+') => (1, e.get(1..)?),
                    _ => (1, e),
                };
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                sign * digits.bytes().fold(0i64, |acc, b| {
                    (acc * 10 + i64::from(b - b'0')).min(EXPONENT_LIMIT)
                })
            }
        };
        // Walk the digits of whole and fraction as one run; `position` is minus the place
        // value's power of ten (0 for the units digit, 1 for tenths).
        let mut head = 0u64;
        let mut count = 0i64;
        let mut zeros = 0i64; // zeros since the last nonzero significant digit
        let mut last_position = 0i64;
        let mut position = -i64::try_from(whole.len()).unwrap_or(EXPONENT_LIMIT);
        for b in whole.bytes().chain(fraction.bytes()) {
            position += 1;
            let digit = b - b'0';
            if count == 0 && digit == 0 {
                continue;
            }
            if digit == 0 {
                zeros += 1;
                continue;
            }
            // A nonzero digit: the zeros before it are significant after all.
            for _ in 0..zeros {
                if count < HEAD_DIGITS {
                    head *= 10;
                }
                count += 1;
            }
            zeros = 0;
            if count < HEAD_DIGITS {
                head = head * 10 + u64::from(digit);
            }
            count += 1;
            last_position = position;
        }
        // Digit i of the run has the place value 10^(-position): the last significant digit's
        // is the exponent of M, shifted by the written exponent.
        let exponent = (written_exponent - last_position).clamp(-EXPONENT_LIMIT, EXPONENT_LIMIT);
        Some(Decimal {
            negative,
            head,
            count,
            exponent: if count == 0 { 0 } else { exponent },
        })
    }

    /// The decimal in units of `scale`'s step, exactly: a point of the scale, or why not.
    fn units(&self, scale: &ResponseScale) -> std::result::Result<i32, ValueProblem> {
        let (min, max) = (i64::from(scale.min_units()), i64::from(scale.max_units()));
        let sign = if self.negative { -1 } else { 1 };
        if self.count == 0 {
            return if (min..=max).contains(&0) {
                Ok(0)
            } else {
                Err(ValueProblem::OutOfRange)
            };
        }
        // The place value of the last significant digit, in units.
        let e = self.exponent + i64::from(scale.decimals());
        if e >= 0 {
            if self.count + e > UNIT_DIGITS {
                return Err(ValueProblem::OutOfRange);
            }
            let magnitude = i64::try_from(self.head)
                .ok()
                .and_then(|m| m.checked_mul(10i64.checked_pow(u32::try_from(e).ok()?)?))
                .ok_or(ValueProblem::OutOfRange)?;
            let units = sign * magnitude;
            return if (min..=max).contains(&units) {
                i32::try_from(units).map_err(|_| ValueProblem::OutOfRange)
            } else {
                Err(ValueProblem::OutOfRange)
            };
        }
        // A fraction of a unit remains (the last significant digit is not zero): never a point.
        // Whether it lies within the bounds decides between out of range and off the step; the
        // integer part of the magnitude is its first `count + e` digits.
        let int_digits = self.count + e;
        if int_digits > UNIT_DIGITS {
            return Err(ValueProblem::OutOfRange);
        }
        let whole = if int_digits <= 0 {
            0
        } else {
            let kept = self.count.min(HEAD_DIGITS);
            let drop = u32::try_from(kept - int_digits).unwrap_or(0);
            i64::try_from(self.head / 10u64.pow(drop)).unwrap_or(i64::MAX)
        };
        // magnitude = whole + f, 0 < f < 1; value = sign * magnitude.
        let inside = if self.negative {
            // -(whole + f) >= min  <=>  whole < -min;  -(whole + f) <= max  <=>  whole >= -max
            whole < -min && whole >= -max
        } else {
            // whole + f >= min  <=>  whole >= min;  whole + f <= max  <=>  whole < max
            whole >= min && whole < max
        };
        if inside {
            Err(ValueProblem::OffStep)
        } else {
            Err(ValueProblem::OutOfRange)
        }
    }
}

/// `10^decimals`, exact, for the supported decimals (at most [`ResponseScale::MAX_DECIMALS`]).
pub(crate) fn resolution(decimals: u8) -> f64 {
    match decimals {
        0 => 1.0,
        1 => 10.0,
        2 => 100.0,
        _ => 1000.0,
    }
}

#[cfg(feature = "serde")]
pub(crate) mod serde_impl {
    use super::{Anchor, ResponseScale, ScaleKind};
    use serde::{Deserialize, Serialize};

    /// The serialized form of a scale.
    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    pub(crate) enum ScaleDef {
        Likert {
            min: i32,
            max: i32,
            #[serde(default)]
            anchors: Vec<Anchor>,
        },
        VisualAnalogue {
            min: f64,
            max: f64,
            decimals: u8,
        },
    }

    impl From<ResponseScale> for ScaleDef {
        fn from(s: ResponseScale) -> Self {
            match s.kind {
                ScaleKind::Likert => ScaleDef::Likert {
                    min: s.min,
                    max: s.max,
                    anchors: s.anchors,
                },
                ScaleKind::VisualAnalogue => ScaleDef::VisualAnalogue {
                    min: s.min(),
                    max: s.max(),
                    decimals: s.decimals,
                },
            }
        }
    }

    impl TryFrom<ScaleDef> for ResponseScale {
        type Error = crate::Error;

        fn try_from(d: ScaleDef) -> Result<Self, Self::Error> {
            match d {
                ScaleDef::Likert { min, max, anchors } => {
                    ResponseScale::likert_with_anchors(min, max, anchors)
                }
                ScaleDef::VisualAnalogue { min, max, decimals } => {
                    ResponseScale::visual_analogue(min, max, decimals)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likert_validates() -> Result<()> {
        let kind = |r: Result<ResponseScale>| r.map_err(|e| e.kind().clone()).err();
        assert!(matches!(
            kind(ResponseScale::likert(5, 1, [])),
            Some(ErrorKind::EmptyScale { .. })
        ));
        assert!(matches!(
            kind(ResponseScale::likert(1, 5, [(6, "x")])),
            Some(ErrorKind::AnchorOutOfRange { value: 6, .. })
        ));
        assert!(matches!(
            kind(ResponseScale::likert(1, 5, [(2, "a"), (2, "b")])),
            Some(ErrorKind::DuplicateAnchor { value: 2 })
        ));
        assert!(matches!(
            kind(ResponseScale::likert(1, 5, [(2, " ")])),
            Some(ErrorKind::InvalidText {
                field: "anchor label",
                ..
            })
        ));
        assert!(matches!(
            kind(ResponseScale::likert(0, 200, [])),
            Some(ErrorKind::TooManyPoints { points: 201, .. })
        ));
        assert!(matches!(
            kind(ResponseScale::likert(1_999_999_990, 2_000_000_000, [])),
            Some(ErrorKind::BoundTooLarge { .. })
        ));
        let s = ResponseScale::likert(1, 5, [(5, "Always"), (1, "Seldom")])?;
        assert_eq!(s.anchors()[0].label(), "Seldom");
        Ok(())
    }

    #[test]
    fn values_are_validated_exactly() -> Result<()> {
        let s = ResponseScale::likert(1, 5, [])?;
        assert_eq!(s.to_units(1.0), Ok(1));
        assert_eq!(s.to_units(5.0), Ok(5));
        assert_eq!(s.to_units(0.0), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(5.5), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(2.5), Err(ValueProblem::OffStep));
        assert_eq!(s.to_units(5.4), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(0.6), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(1e300), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(-1e300), Err(ValueProblem::OutOfRange));
        assert_eq!(s.to_units(3.0 + 1e-9), Err(ValueProblem::OffStep));
        assert_eq!(s.to_units(f64::NAN), Err(ValueProblem::NotFinite));
        assert_eq!(s.to_units(f64::NEG_INFINITY), Err(ValueProblem::NotFinite));
        let line = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
        assert_eq!(line.to_units(7.3), Ok(73));
        assert_eq!(line.to_units(0.1), Ok(1));
        assert_eq!(line.to_units(10.0), Ok(100));
        assert_eq!(line.to_units(7.25), Err(ValueProblem::OffStep));
        // Binary noise around a step or a bound is read as the step: 0.1 * 3 = 0.30000000000000004.
        assert_eq!(line.to_units(0.1 * 3.0), Ok(3));
        assert_eq!(line.to_units(10.000000000000002), Ok(100));
        assert_eq!(line.to_units(10.1), Err(ValueProblem::OutOfRange));
        assert_eq!(line.to_units(-0.1), Err(ValueProblem::OutOfRange));
        for u in 0..=100 {
            assert_eq!(line.to_units(line.value_of_units(u)), Ok(u as i32));
        }
        Ok(())
    }

    #[test]
    fn text_answers_are_checked_exactly() -> Result<()> {
        use ValueProblem::{OffStep, OutOfRange};
        let units =
            |scale: &ResponseScale, text: &str| Decimal::parse(text).map(|d| d.units(scale));
        let phq = ResponseScale::likert(0, 3, [])?;
        for (text, want) in [
            ("3", Ok(3)),
            ("+3", Ok(3)),
            ("3.", Ok(3)),
            ("03.000", Ok(3)),
            ("1e0", Ok(1)),
            ("30e-1", Ok(3)),
            ("0.3E1", Ok(3)),
            ("-0", Ok(0)),
            ("0e999999999999", Ok(0)),
            ("2.9999999999999999999", Err(OffStep)),
            ("1E-30", Err(OffStep)),
            (".5", Err(OffStep)),
            ("1e-400", Err(OffStep)),
            ("4", Err(OutOfRange)),
            ("3.0000001", Err(OutOfRange)),
            ("-0.5", Err(OutOfRange)),
            ("-1", Err(OutOfRange)),
            ("1e20", Err(OutOfRange)),
            ("123456789012345678901234567890", Err(OutOfRange)),
        ] {
            assert_eq!(units(&phq, text), Some(want), "{text}");
        }
        for text in [
            "", ".", "e5", "1e", "1e+", "3,5", "0x3", "three", "--1", "1.2.3", "1e5.0",
        ] {
            assert_eq!(units(&phq, text), None, "{text}");
        }
        let srs = ResponseScale::visual_analogue(0.0, 10.0, 1)?;
        for (text, want) in [
            ("7.3", Ok(73)),
            ("7.30", Ok(73)),
            ("10.0", Ok(100)),
            ("-0.0", Ok(0)),
            ("0.73e1", Ok(73)),
            ("7.3000000000000000001", Err(OffStep)),
            ("9.000000000000000000001", Err(OffStep)),
            ("0.05", Err(OffStep)),
            ("10.05", Err(OutOfRange)),
            ("10.000000000000000001", Err(OutOfRange)),
        ] {
            assert_eq!(units(&srs, text), Some(want), "{text}");
        }
        let bipolar = ResponseScale::likert(-3, 3, [])?;
        for (text, want) in [
            ("-3", Ok(-3)),
            ("-2.5", Err(OffStep)),
            ("-3.5", Err(OutOfRange)),
            ("2.5", Err(OffStep)),
            ("3.5", Err(OutOfRange)),
            ("-0.5", Err(OffStep)),
        ] {
            assert_eq!(units(&bipolar, text), Some(want), "{text}");
        }
        // Through the typed errors: the text is quoted as written.
        let err = phq
            .units_for_text("1", "2.9999999999999999999")
            .unwrap_err();
        assert_eq!(err.code(), "off_step");
        assert_eq!(
            phq.units_for_text("1", "1e400").unwrap_err().code(),
            "not_finite"
        );
        assert_eq!(
            phq.units_for_text("1", " inf").unwrap_err().code(),
            "not_finite"
        );
        assert_eq!(
            phq.units_for_text("1", "3,5").unwrap_err().code(),
            "not_a_number"
        );
        assert_eq!(phq.units_for_text("1", " 2 ")?, 2);
        Ok(())
    }

    proptest::proptest! {
        /// A decimal `m * 10^-k` written in any of several forms is a point exactly when the
        /// rational `m / 10^k` is, by integer arithmetic.
        #[test]
        fn text_answers_agree_with_integer_arithmetic(
            m in -200_000i64..200_000,
            k in 0u32..6,
            decimals in 0u8..3,
            form in 0usize..3,
        ) {
            let scale = ResponseScale::visual_analogue(-50.0, 50.0, decimals).expect("valid scale");
            let pow = 10i64.pow(k);
            let text = match form {
                0 => format!("{}{}.{:0width$}", if m < 0 { "-" } else { "" }, m.abs() / pow, m.abs() % pow, width = k as usize),
                1 => format!("{m}e-{k}"),
                _ => format!("{m}0E-{}", k + 1),
            };
            // units = m * 10^decimals / 10^k: a point iff it divides, then within the bounds.
            let scaled = m * 10i64.pow(u32::from(decimals));
            let (lo, hi) = (i64::from(scale.min_units()), i64::from(scale.max_units()));
            let want = if scaled % pow == 0 {
                let u = scaled / pow;
                if (lo..=hi).contains(&u) { Ok(u as i32) } else { Err(ValueProblem::OutOfRange) }
            } else {
                // Not a point: out of range if the value lies outside [lo, hi] in units.
                let below = scaled < lo * pow;
                let above = scaled > hi * pow;
                if below || above { Err(ValueProblem::OutOfRange) } else { Err(ValueProblem::OffStep) }
            };
            proptest::prop_assert_eq!(Decimal::parse(&text).map(|d| d.units(&scale)), Some(want), "{}", text);
        }
    }

    #[test]
    fn visual_analogue_validates() {
        let kind = |r: Result<ResponseScale>| r.map_err(|e| e.code()).err();
        assert_eq!(
            kind(ResponseScale::visual_analogue(0.0, 10.0, 4)),
            Some("too_many_decimals")
        );
        assert_eq!(
            kind(ResponseScale::visual_analogue(f64::NAN, 10.0, 1)),
            Some("scale_bound")
        );
        assert_eq!(
            kind(ResponseScale::visual_analogue(0.0, 1e12, 1)),
            Some("bound_too_large")
        );
        assert_eq!(
            kind(ResponseScale::visual_analogue(10.0, 10.0, 1)),
            Some("empty_scale")
        );
    }
}
