//! Differences of scores taken in decimal, as the scores are written.

/// `a - b` as the decimals the two values are written as (their shortest round-trip forms),
/// rounded once to the nearest double: `32.3 - 27.3` is exactly `5`, where binary floating point
/// gives `4.9999999999999964`. Scores read to a fixed number of decimals (the SRS, the ORS) and
/// sums of them are exact decimals, so their changes are exact; a value with no short decimal
/// form (a prorated 52/3) keeps its 17 significant digits. Infinite or NaN values, and values
/// more than 30 orders of magnitude apart, are subtracted as doubles.
///
/// ```
/// use therapeutic_alliance::change::decimal_difference;
///
/// assert_eq!(decimal_difference(32.3, 27.3), 5.0);
/// assert_eq!(decimal_difference(36.0, 31.6), 4.4);
/// assert_eq!(32.3 - 27.3, 4.9999999999999964);
/// ```
pub fn decimal_difference(a: f64, b: f64) -> f64 {
    short_decimal_difference(a, b)
        .or_else(|| exact_decimal_difference(a, b))
        .unwrap_or(a - b)
}

/// Powers of ten a double holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Integers a double holds exactly: below 2^53.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// The fast path, without text: a value with at most 15 decimal places and under 2^53 in those
/// units is `m / 10^k` for the fewest places `k` that give it back (the same decimal as its
/// shortest round-trip form), and the difference of two such is an exact integer divided once.
fn short_decimal_difference(a: f64, b: f64) -> Option<f64> {
    let (ma, ka) = fixed_point(a)?;
    let (mb, kb) = fixed_point(b)?;
    let k = ka.max(kb);
    let scale = |m: i64, from: usize| m.checked_mul(POW10.get(k - from).map(|p| *p as i64)?);
    let d = scale(ma, ka)?.checked_sub(scale(mb, kb)?)?;
    let d = d as f64;
    // |d| under 2^53 is exact as a double, and 10^k is exact: one correctly rounded division.
    (d.abs() < EXACT_INTEGERS).then(|| d / POW10.get(k).copied().unwrap_or(1.0))
}

/// `v` as `m / 10^k` with the fewest decimal places `k` that give `v` back, if `|m| < 2^53`.
fn fixed_point(v: f64) -> Option<(i64, usize)> {
    if !v.is_finite() {
        return None;
    }
    POW10.iter().enumerate().find_map(|(k, &p)| {
        let m = (v * p).round();
        (m.abs() < EXACT_INTEGERS && m / p == v).then_some((m as i64, k))
    })
}

/// The general path, through the shortest round-trip text of each value.
fn exact_decimal_difference(a: f64, b: f64) -> Option<f64> {
    let (ma, ea) = decimal_parts(a)?;
    let (mb, eb) = decimal_parts(b)?;
    let e = ea.min(eb);
    let scale = |m: i128, from: i32| -> Option<i128> {
        let k = u32::try_from(from - e).ok().filter(|&k| k <= 30)?;
        m.checked_mul(10i128.checked_pow(k)?)
    };
    let d = scale(ma, ea)?.checked_sub(scale(mb, eb)?)?;
    format!("{d}e{e}").parse().ok()
}

/// A finite double as `mantissa x 10^exponent`, from its shortest round-trip decimal form.
fn decimal_parts(v: f64) -> Option<(i128, i32)> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let exponent = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    Some((if negative { -digits } else { digits }, exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_differences_are_exact_for_decimal_scores() {
        // Every pair of totals of four lines read to one decimal (0.0-40.0): the difference is
        // the double nearest the exact decimal difference.
        for a in (0..=400).step_by(7) {
            for b in 0..=400 {
                let (x, y) = (f64::from(a) / 10.0, f64::from(b) / 10.0);
                let exact: f64 = format!("{}e-1", a - b).parse().unwrap();
                assert_eq!(decimal_difference(x, y), exact, "{x} - {y}");
            }
        }
        assert_eq!(decimal_difference(1e300, -1e300), 2e300);
        assert_eq!(decimal_difference(1e100, 1e-100), 1e100);
        assert!(decimal_difference(f64::NAN, 1.0).is_nan());
        assert_eq!(decimal_difference(f64::INFINITY, 1.0), f64::INFINITY);
        assert_eq!(decimal_difference(-0.0, 0.0), 0.0);
        // The fast path and the text agree wherever the fast path applies.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let places = (seed % 7) as i32;
            let x = (((seed >> 8) % 2_000_000) as f64 - 1e6) / 10f64.powi(places);
            let y = (((seed >> 30) % 2_000_000) as f64 - 1e6) / 10f64.powi(places);
            let fast = short_decimal_difference(x, y);
            assert!(fast.is_some(), "{x} - {y}");
            assert_eq!(fast, exact_decimal_difference(x, y), "{x} - {y}");
        }
        assert_eq!(
            short_decimal_difference(52.0 / 3.0, 17.0),
            None,
            "no short form"
        );
        // No short decimal form: 17 significant digits either way.
        assert!((decimal_difference(52.0 / 3.0, 17.0) - 1.0 / 3.0).abs() < 2e-15);
    }
}
