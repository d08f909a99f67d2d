//! The one mean, variance and standard deviation of the crate, and the median.

/// The arithmetic mean as R's `mean()` computes it: the sum over n, corrected by the mean of the
/// residuals; `None` for no values.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    Some(m + values.iter().map(|x| x - m).sum::<f64>() / n)
}

/// The sample variance (n - 1 denominator) about a given mean `m`, two-pass; NaN below two
/// values.
pub(crate) fn variance_about(values: &[f64], m: f64) -> f64 {
    values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (values.len() as f64 - 1.0)
}

/// The sample variance (n - 1 denominator), two-pass about [`mean`]; `None` below two values.
pub(crate) fn variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    Some(variance_about(values, mean(values)?))
}

/// The sample standard deviation (n - 1 denominator), R's `sd()`; `None` below two values.
pub(crate) fn sd(values: &[f64]) -> Option<f64> {
    variance(values).map(f64::sqrt)
}

/// The median (the mean of the two middle values for an even count); `None` if empty.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some((v.get(n / 2 - 1)? + v.get(n / 2)?) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_small_samples() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(variance(&[1.0]), None);
        assert_eq!(variance(&[1.0, 2.0, 6.0]), Some(7.0));
        assert_eq!(sd(&[2.0, 4.0]), Some(2f64.sqrt()));
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
