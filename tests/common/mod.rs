//! Helpers shared by the integration tests: an independent oracle for correct rounding.

use num_rational::BigRational;
use num_traits::Signed;

/// The exact rational of a finite double.
pub fn exact(f: f64) -> BigRational {
    BigRational::from_float(f).expect("finite")
}

/// Whether `f` is the double nearest `x` (ties to even): no neighbour of `f` is nearer.
pub fn correctly_rounded(f: f64, x: &BigRational) -> bool {
    let d = (exact(f) - x).abs();
    let up = (exact(f.next_up()) - x).abs();
    let down = (exact(f.next_down()) - x).abs();
    let even = f.to_bits().is_multiple_of(2);
    (d < up || (d == up && even)) && (d < down || (d == down && even))
}
