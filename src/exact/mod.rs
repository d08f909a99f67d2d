//! Exact arithmetic on the ground floor: rationals of integers converted to `f64` with one
//! correct rounding ([`ratio`]), and differences of scores taken in decimal
//! ([`decimal_difference`]). Imports nothing from the crate.
//!
//! ## Correctly rounded conversion of exact rationals to `f64`
//!
//! Scores are computed exactly, as a rational `num / den` of integers (sums of item values, counts
//! of answered items, scale maxima). Reporting them must cost exactly **one** rounding: the score
//! is the `f64` nearest to the exact rational, ties going to the even mantissa (IEEE 754
//! round-to-nearest-even). Chaining floating-point operations (for example dividing a sum by a
//! count and then multiplying by 100) rounds several times and can be one unit in the last place
//! off, which makes results depend on evaluation order and breaks equality with published values.
//!
//! [`ratio`] has two paths:
//! - **Fast path.** When `|num| <= 2^53` and `1 <= den <= 2^53`, both operands convert to `f64`
//!   exactly and IEEE division rounds the exact quotient once, correctly. This covers every
//!   realistic questionnaire score (`52/3`, `1465/10`, …).
//! - **Slow path.** Otherwise an exact long division of the magnitudes in `u128` produces a
//!   quotient `q` with 55 to 128 significant bits and a remainder `r`, such that
//!   `|num|/den = (q + r/den) * 2^-k`. Leading zero quotient bits are skipped in one shift; the
//!   remaining bits come from `u128` divisions of as many bits as the divisor's free high bits
//!   allow, or one bit at a time by shift-and-subtract when the divisor is almost 128 bits wide.
//!   The sticky bit `r != 0` is OR-ed into the lowest bit of `q`, which lies at least two places
//!   below the last kept bit: it cannot change which neighbour is nearer, it only stops a value
//!   just above a half-way point from being treated as an exact tie. `u128 as f64` then rounds
//!   correctly (to nearest, ties to even), and the scaling by `2^-k` is exact because the result
//!   lies between `2^-127` and `2^127`, far from subnormals and overflow.
//!
//! [`gcd`] and [`lcm`] support adding such fractions over a common denominator.

mod decimal;

pub use decimal::decimal_difference;

/// Largest magnitude for which every integer is exactly representable as `f64` (`2^53`).
const EXACT_LIMIT: u128 = 1 << 53;

/// Significant quotient bits the slow path produces at least: 53 kept, one rounding bit and one
/// more below it to carry the sticky bit.
const QUOTIENT_BITS: u32 = 55;

/// The `f64` nearest to `num / den`, ties to even (IEEE 754 round-to-nearest-even), for every
/// `num` in `i128` (including `i128::MIN`) and `den` in `1..=i128::MAX`.
///
/// The result is computed with a single rounding of the exact rational. A zero numerator gives
/// `+0.0`. A non-positive `den` is outside the contract (callers never pass one) and yields
/// `f64::NAN` rather than a panic.
#[inline]
pub(crate) fn ratio(num: i128, den: i128) -> f64 {
    let magnitude = num.unsigned_abs();
    // `den - 1` as unsigned is below 2^53 exactly when 1 <= den <= 2^53 (zero and negative
    // denominators wrap to huge values and take the slow path, which returns NaN).
    let den_minus_one = den.cast_unsigned().wrapping_sub(1);
    if magnitude <= EXACT_LIMIT && den_minus_one < EXACT_LIMIT {
        // Both fit in i64 (no truncation) and convert to f64 exactly with one native
        // instruction (i128 -> f64 is a library call); IEEE division then rounds once.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        return (num as i64) as f64 / (den as i64) as f64;
    }
    ratio_slow(num, den)
}

/// [`ratio`] outside the fast path: checks the denominator, then divides magnitudes exactly.
#[inline(never)]
fn ratio_slow(num: i128, den: i128) -> f64 {
    if den <= 0 {
        return f64::NAN;
    }
    let magnitude = positive_ratio(num.unsigned_abs(), den.unsigned_abs());
    if num < 0 { -magnitude } else { magnitude }
}

/// Below this many free high bits in the divisor, quotient bits are produced one at a time by
/// shift-and-subtract rather than by (slow, wide) `u128` divisions of only a few bits each.
const MIN_DIVISION_STEP: u32 = 12;

/// The `f64` nearest to `a / b` for `a <= 2^127` and `1 <= b < 2^127`, by exact long division.
///
/// Returns `+0.0` for `a == 0` and `NaN` for `b == 0` (never passed by [`ratio_slow`]).
fn positive_ratio(a: u128, b: u128) -> f64 {
    let Some(mut q) = a.checked_div(b) else {
        return f64::NAN;
    };
    // Exact: q * b <= a.
    let mut r = a.wrapping_sub(q.wrapping_mul(b));
    // Invariant from here on: a / b == (q + r / b) * 2^-scale, with r < b.
    let mut scale: u32 = 0;
    if q == 0 {
        if r == 0 {
            return 0.0;
        }
        // Skip the leading zero quotient bits at once: shift r to b's bit length (no overflow,
        // r < b), and once more if still below b; then b <= r < 2b, the first quotient bit is 1.
        scale = r.leading_zeros().saturating_sub(b.leading_zeros());
        r <<= scale;
        if r < b {
            // b < 2^127, so r < b can always be doubled.
            r <<= 1;
            scale = scale.saturating_add(1);
        }
        q = 1;
        r = r.wrapping_sub(b);
    }
    // Quotient bits still to produce, so that q has at least 55 significant bits.
    let mut remaining = QUOTIENT_BITS.saturating_sub(u128::BITS.saturating_sub(q.leading_zeros()));
    scale = scale.saturating_add(remaining);
    // `b < 2^127`, so `room >= 1`: `r < b` can be shifted left by `room` bits without overflow,
    // and q (fewer than 55 bits) by `remaining` bits.
    let room = b.leading_zeros();
    if room < MIN_DIVISION_STEP {
        for _ in 0..remaining {
            r <<= 1;
            // Branch-free: quotient bits are unpredictable.
            let bit = u128::from(r >= b);
            q = (q << 1) | bit;
            r = r.wrapping_sub(b & bit.wrapping_neg());
        }
    } else {
        while remaining > 0 {
            let step = remaining.min(room);
            let shifted = r << step;
            let Some(digits) = shifted.checked_div(b) else {
                return f64::NAN;
            };
            // digits < 2^step since r < b; the remainder is exact as above.
            q = (q << step) | digits;
            r = shifted.wrapping_sub(digits.wrapping_mul(b));
            remaining = remaining.saturating_sub(step);
        }
    }
    // q has 55..=128 significant bits; the sticky bit sits below the rounding bit.
    #[allow(clippy::cast_precision_loss)]
    let rounded = (q | u128::from(r != 0)) as f64;
    rounded * pow2_neg(scale)
}

/// `2^-k` as an exact `f64`, for `k <= 1022` (larger `k` saturate to the smallest normal power).
///
/// The slow path only needs `k <= 128 + 55`.
fn pow2_neg(k: u32) -> f64 {
    let biased = 1023_u32.saturating_sub(k).max(1);
    f64::from_bits(u64::from(biased) << 52)
}

/// Greatest common divisor (binary algorithm); `gcd(0, b) == b` and `gcd(0, 0) == 0`.
pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let common = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        // Both odd here after the shift.
        b >>= b.trailing_zeros();
        if a > b {
            core::mem::swap(&mut a, &mut b);
        }
        b = b.saturating_sub(a);
        if b == 0 {
            // `a` is the odd part of the gcd; the full gcd is at most min(a, b), so no overflow.
            return a << common;
        }
    }
}

/// Least common multiple, or `None` if it does not fit in `u128`; `lcm(0, b) == Some(0)`.
pub(crate) fn lcm(a: u128, b: u128) -> Option<u128> {
    if a == 0 || b == 0 {
        return Some(0);
    }
    a.checked_div(gcd(a, b))?.checked_mul(b)
}

#[cfg(test)]
mod tests {
    use super::{gcd, lcm, positive_ratio, ratio};
    use core::cmp::Ordering;
    use proptest::prelude::*;

    /// Non-negative big integer, little-endian 32-bit limbs (oracle only).
    #[derive(Clone, Debug)]
    struct Big(Vec<u32>);

    impl Big {
        fn from_u128(mut v: u128) -> Self {
            let mut limbs = Vec::new();
            while v != 0 {
                limbs.push(v as u32);
                v >>= 32;
            }
            Big(limbs)
        }
        fn mul(&self, other: &Big) -> Big {
            let mut out = vec![0u32; self.0.len() + other.0.len()];
            for (i, &x) in self.0.iter().enumerate() {
                let mut carry = 0u64;
                for (j, &y) in other.0.iter().enumerate() {
                    let t = u64::from(x) * u64::from(y) + u64::from(out[i + j]) + carry;
                    out[i + j] = t as u32;
                    carry = t >> 32;
                }
                out[i + other.0.len()] = carry as u32;
            }
            Big(out).trim()
        }
        fn shl(&self, bits: u32) -> Big {
            let (words, bits) = ((bits / 32) as usize, bits % 32);
            let mut out = vec![0u32; words];
            let mut carry = 0u32;
            for &x in &self.0 {
                out.push(if bits == 0 { x } else { (x << bits) | carry });
                carry = if bits == 0 { 0 } else { x >> (32 - bits) };
            }
            out.push(carry);
            Big(out).trim()
        }
        fn trim(mut self) -> Big {
            while self.0.last() == Some(&0) {
                self.0.pop();
            }
            self
        }
        fn cmp(&self, other: &Big) -> Ordering {
            let (a, b) = (self.clone().trim(), other.clone().trim());
            a.0.len()
                .cmp(&b.0.len())
                .then_with(|| a.0.iter().rev().cmp(b.0.iter().rev()))
        }
    }

    /// A positive finite `f64` as `(m, e)` with value `m * 2^e`.
    fn dyadic(x: f64) -> (u128, i32) {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = u128::from(bits & ((1 << 52) - 1));
        if exp == 0 {
            (frac, -1074)
        } else {
            (frac | 1 << 52, exp - 1075)
        }
    }

    /// The exact midpoint of two adjacent positive `f64`s, as `(m, e)`.
    fn midpoint(x: f64, y: f64) -> (u128, i32) {
        let ((m1, e1), (m2, e2)) = (dyadic(x), dyadic(y));
        let e = e1.min(e2);
        ((m1 << (e1 - e)) + (m2 << (e2 - e)), e - 1)
    }

    /// Exact comparison of `a / b` with `m * 2^e`.
    fn cmp_ratio(a: u128, b: u128, (m, e): (u128, i32)) -> Ordering {
        let lhs = Big::from_u128(a).shl((-e).max(0) as u32);
        let rhs = Big::from_u128(m)
            .mul(&Big::from_u128(b))
            .shl(e.max(0) as u32);
        lhs.cmp(&rhs)
    }

    /// Asserts that `ratio(num, den)` is the correctly rounded quotient; returns whether the
    /// exact value was a tie between two `f64`s.
    fn check(num: i128, den: i128) -> bool {
        let r = ratio(num, den);
        let ctx = format!("ratio({num}, {den}) = {r:e}");
        if num == 0 {
            assert_eq!(r.to_bits(), 0, "{ctx}");
            return false;
        }
        assert!(r.is_finite() && r != 0.0, "{ctx}");
        assert_eq!(r < 0.0, num < 0, "{ctx}");
        let (a, b, t) = (num.unsigned_abs(), den.unsigned_abs(), r.abs());
        let even = dyadic(t).0.is_multiple_of(2);
        let below = cmp_ratio(a, b, midpoint(t.next_down(), t));
        let above = cmp_ratio(a, b, midpoint(t, t.next_up()));
        assert!(
            below.is_gt() || (below.is_eq() && even),
            "{ctx}: below {below:?}"
        );
        assert!(
            above.is_lt() || (above.is_eq() && even),
            "{ctx}: above {above:?}"
        );
        below.is_eq() || above.is_eq()
    }

    /// Deterministic xorshift64* generator.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn wide(&mut self) -> u128 {
            (u128::from(self.next()) << 64) | u128::from(self.next())
        }
        /// Uniform bit length in 1..=max_bits, then uniform value of that length (or below).
        fn bits(&mut self, max_bits: u32) -> u128 {
            let len = 1 + (self.next() % u64::from(max_bits)) as u32;
            self.wide() >> (128 - len)
        }
        fn num(&mut self) -> i128 {
            let v = self.bits(128).cast_signed();
            if self.next() & 1 == 0 {
                v
            } else {
                v.wrapping_neg()
            }
        }
        fn den(&mut self) -> i128 {
            (self.bits(127) as i128).max(1)
        }
    }

    #[test]
    fn slow_path_agrees_with_division_below_2_pow_53() {
        let mut cases = 0;
        for a in 0..=400u32 {
            for b in 1..=400u32 {
                let expected = f64::from(a) / f64::from(b);
                assert_eq!(
                    positive_ratio(a.into(), b.into()).to_bits(),
                    expected.to_bits()
                );
                assert_eq!(ratio(-i128::from(a), b.into()), -expected);
                cases += 1;
            }
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200_000 {
            let (a, b) = (rng.bits(54).min(1 << 53), rng.bits(54).clamp(1, 1 << 53));
            let expected = a as f64 / b as f64;
            assert_eq!(
                positive_ratio(a, b).to_bits(),
                expected.to_bits(),
                "{a}/{b}"
            );
            assert_eq!(ratio(a as i128, b as i128).to_bits(), expected.to_bits());
            cases += 1;
        }
        eprintln!("division agreement: {cases} cases");
    }

    #[test]
    fn random_values_are_correctly_rounded() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for _ in 0..200_000 {
            check(rng.num(), rng.den());
        }
        eprintln!("random oracle: 200000 cases");
    }

    #[test]
    fn ties_and_near_ties_are_correctly_rounded() {
        let (mut rng, mut cases, mut ties) = (Rng(42), 0, 0);
        for _ in 0..20_000 {
            // k odd with 54 bits: k * 2^j lies exactly half-way between two f64s.
            let k = (rng.bits(53) | 1 << 53 | 1) as i128;
            let d = rng.bits(73) as i128 | 1;
            let j = (rng.next() % u64::from(126 - (128 - d.leading_zeros()))) as u32;
            let s = (rng.next() % 74) as u32;
            let m = (rng.bits(52) | 1 << 52) as i128;
            let e = (rng.bits(70) as i128 | 1) << 1;
            let half = (e * m + e / 2) << (s.min(e.leading_zeros() - 55));
            for (num, den) in [
                (k * d, d << j),
                (k << (s.min(127 - 54)), 1),
                (half, e),
                (half, e << 20),
            ] {
                for delta in [-1, 0, 1] {
                    for sign in [1, -1] {
                        ties += usize::from(check(sign * (num + delta), den));
                        cases += 1;
                    }
                }
            }
        }
        eprintln!("ties: {cases} cases, {ties} exact ties");
        assert!(ties > 100_000);
    }

    #[test]
    fn extremes_and_powers_of_two_are_correctly_rounded() {
        let mut specials = vec![
            0,
            1,
            2,
            3,
            10,
            i128::MAX,
            i128::MAX - 1,
            i128::MIN,
            i128::MIN + 1,
        ];
        for i in 0..127 {
            specials.extend([
                1i128 << i,
                (1i128 << i) - 1,
                (1i128 << i) + 1,
                3i128.pow(i / 2 + 1),
            ]);
        }
        specials.extend([(1 << 53) + 1, 10i128.pow(38), 3i128.pow(80), 7i128.pow(45)]);
        let mut cases = 0;
        for &num in &specials {
            for &den in &specials {
                if den > 0 {
                    check(num, den);
                    check(num.saturating_neg(), den);
                    cases += 2;
                }
            }
        }
        eprintln!("extremes: {cases} cases");
    }

    #[test]
    fn known_values() {
        assert_eq!(ratio(52, 3), 52.0 / 3.0);
        assert_eq!(ratio(1464, 10), 146.4);
        assert_eq!(ratio(1465, 10), 146.5);
        assert_eq!(ratio(i128::MAX, 1), 2f64.powi(127));
        assert_eq!(ratio(i128::MIN, 1), -(2f64.powi(127)));
        assert_eq!(ratio(1, i128::MAX), 2f64.powi(-127));
        assert_eq!(ratio(i128::MIN, i128::MAX), -1.0);
        assert_eq!(ratio(i128::MAX, i128::MAX), 1.0);
        assert_eq!(ratio(1, 3), 1.0 / 3.0);
        assert_eq!(ratio(-7, 2), -3.5);
        assert_eq!(ratio(0, 5).to_bits(), 0);
        assert_eq!(ratio(0, i128::MAX).to_bits(), 0);
        // 2^54 + 1 is not an f64: plain conversion would round before dividing.
        assert_eq!(ratio((1 << 54) + 3, 2), 9_007_199_254_740_994.0);
        assert_eq!(ratio((1 << 54) + 2, 4), 4_503_599_627_370_496.0);
        for den in [0, -1, i128::MIN] {
            assert!(ratio(1, den).is_nan());
            assert!(ratio(0, den).is_nan());
        }
    }

    #[test]
    fn gcd_and_lcm() {
        fn euclid(a: u128, b: u128) -> u128 {
            if b == 0 { a } else { euclid(b, a % b) }
        }
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let (a, b, c) = (rng.bits(128), rng.bits(128), rng.bits(20).max(1));
            assert_eq!(gcd(a, b), euclid(a, b));
            assert_eq!(gcd(a / c * c, c), c);
            assert_eq!(lcm(a, b), (a / euclid(a, b).max(1)).checked_mul(b));
        }
        assert_eq!(
            (gcd(0, 0), gcd(0, 9), gcd(12, 0), gcd(12, 18)),
            (0, 9, 12, 6)
        );
        assert_eq!(lcm(4, 6), Some(12));
        assert_eq!(lcm(0, 6), Some(0));
        assert_eq!(lcm(u128::MAX, u128::MAX), Some(u128::MAX));
        assert_eq!(lcm(u128::MAX, u128::MAX - 1), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn any_ratio_is_correctly_rounded(num in any::<i128>(), den in 1..=i128::MAX) {
            check(num, den);
        }
    }
}
