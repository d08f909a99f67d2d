//! Intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996), as psych's
//! `ICC(x, lmer = FALSE)` computes them from a two-way ANOVA.

use crate::error::{ErrorKind, Result};
use crate::stats;
use crate::vocab::vocabulary;

/// The six Shrout and Fleiss forms.
///
/// ```
/// use therapeutic_alliance::reliability::IccForm;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("icc2k".parse::<IccForm>()?, IccForm::Icc2k);
/// assert_eq!(IccForm::Icc3.description(), "single fixed raters");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IccForm {
    /// Single raters, absolute agreement, raters random and different per target (ICC(1,1)).
    Icc1,
    /// Single random raters, absolute agreement (ICC(2,1)).
    Icc2,
    /// Single fixed raters, consistency (ICC(3,1)).
    Icc3,
    /// The mean of k raters, one-way (ICC(1,k)).
    Icc1k,
    /// The mean of k random raters (ICC(2,k)).
    Icc2k,
    /// The mean of k fixed raters (ICC(3,k)).
    Icc3k,
}

vocabulary!(
    IccForm,
    "ICC form",
    None,
    [Icc1 => "icc1", Icc2 => "icc2", Icc3 => "icc3", Icc1k => "icc1k", Icc2k => "icc2k", Icc3k => "icc3k"]
);

impl IccForm {
    /// psych's row name in words: "single raters absolute", "single random raters", ...
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::reliability::IccForm::Icc1.description(), "single raters absolute");
    /// ```
    pub const fn description(self) -> &'static str {
        match self {
            IccForm::Icc1 => "single raters absolute",
            IccForm::Icc2 => "single random raters",
            IccForm::Icc3 => "single fixed raters",
            IccForm::Icc1k => "average raters absolute",
            IccForm::Icc2k => "average random raters",
            IccForm::Icc3k => "average fixed raters",
        }
    }
}

/// One ICC with its F test and 95% interval.
///
/// ```
/// use therapeutic_alliance::reliability::{IccTable, IccForm};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let icc = IccTable::analyze([[9.0, 2.0, 5.0, 8.0], [6.0, 1.0, 3.0, 2.0], [8.0, 4.0, 6.0, 8.0],
///                           [7.0, 1.0, 2.0, 6.0], [10.0, 5.0, 6.0, 9.0], [6.0, 2.0, 4.0, 7.0]])?;
/// let r = icc.get(IccForm::Icc3);
/// assert!((r.icc - 0.714840714840715).abs() < 1e-12); // Shrout & Fleiss (1979), Table 4
/// assert_eq!((r.df1, r.df2), (5.0, 15.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Icc {
    /// Which ICC.
    pub form: IccForm,
    /// The coefficient.
    pub icc: f64,
    /// Its F statistic.
    pub f: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// The upper-tail p value of F.
    pub p: f64,
    /// Lower 95% bound; `None` where psych's formula is undefined (ICC2 and ICC2k when the
    /// Satterthwaite degrees of freedom are not positive, which happens for ICCs far below 0).
    pub lower: Option<f64>,
    /// Upper 95% bound; `None` likewise.
    pub upper: Option<f64>,
}

/// Intraclass correlations of a complete table of ratings: targets (sessions, clients) in
/// rows, raters (client, therapist, observer) in columns.
///
/// All six Shrout and Fleiss forms with F, df, p and 95% bounds, as psych's
/// `ICC(x, lmer = FALSE)` gives them (agreement with psych 2.2.9 on Shrout & Fleiss's example to
/// 1e-9 relative is tested). The table must be complete, as psych requires without lme4.
///
/// ```
/// use therapeutic_alliance::reliability::{IccTable, IccForm};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Client, therapist and observer WAI-SR totals for five sessions.
/// let icc = IccTable::analyze([[48.0, 44.0, 46.0], [39.0, 41.0, 38.0], [55.0, 50.0, 52.0],
///                           [42.0, 45.0, 44.0], [50.0, 47.0, 49.0]])?;
/// assert_eq!((icc.targets(), icc.raters()), (5, 3));
/// assert!(icc.get(IccForm::Icc2).icc > 0.7);
/// assert_eq!(IccTable::analyze([[1.0, 2.0], [f64::NAN, 3.0]]).unwrap_err().code(), "invalid_table");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct IccTable {
    targets: usize,
    raters: usize,
    /// Mean square between targets (psych's MSB).
    pub ms_targets: f64,
    /// Mean square between raters (MSJ).
    pub ms_raters: f64,
    /// Residual mean square (MSE).
    pub ms_error: f64,
    /// Mean square within targets (MSW).
    pub ms_within: f64,
    results: Vec<Icc>,
}

impl IccTable {
    /// The ICCs of a table (rows = targets, columns = raters).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidTable`] for fewer than two targets or raters, rows of different
    /// lengths, a value that is not finite (naming its row and column), ratings without
    /// residual variance (the ICCs are then undefined), or ratings so extreme that the sums of
    /// squares overflow.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::IccTable;
    ///
    /// assert_eq!(IccTable::analyze([[1.0, 2.0]]).unwrap_err().code(), "invalid_table");
    /// assert!(IccTable::analyze([vec![1.0, 2.0], vec![3.0]]).is_err());
    /// assert!(IccTable::analyze([[4.0, 4.0], [4.0, 4.0]]).is_err());
    /// assert!(IccTable::analyze([[1e200, 1.0], [2.0, 1e200], [3.0, 4.0]]).is_err());
    /// ```
    pub fn analyze<R: AsRef<[f64]>>(rows: impl IntoIterator<Item = R>) -> Result<IccTable> {
        let rows: Vec<R> = rows.into_iter().collect();
        let n = rows.len();
        let k = rows.first().map_or(0, |r| r.as_ref().len());
        let invalid =
            |reason: String| -> crate::Error { ErrorKind::InvalidTable { reason }.into() };
        if n < 2 || k < 2 {
            return Err(invalid(format!(
                "an ICC needs at least 2 targets and 2 raters, not {n} x {k}"
            )));
        }
        for (i, r) in rows.iter().enumerate() {
            let r = r.as_ref();
            if r.len() != k {
                return Err(invalid(format!(
                    "row {} has {} ratings, but row 1 has {k}",
                    i + 1,
                    r.len()
                )));
            }
            if let Some(j) = r.iter().position(|v| !v.is_finite()) {
                return Err(invalid(format!(
                    "row {}, column {}: rating {} is not a finite number",
                    i + 1,
                    j + 1,
                    crate::error::Num(r[j])
                )));
            }
        }
        let (nf, kf) = (n as f64, k as f64);
        let grand = rows
            .iter()
            .map(|r| r.as_ref().iter().sum::<f64>())
            .sum::<f64>()
            / (nf * kf);
        let row_means: Vec<f64> = rows
            .iter()
            .map(|r| r.as_ref().iter().sum::<f64>() / kf)
            .collect();
        let col_means: Vec<f64> = (0..k)
            .map(|j| rows.iter().map(|r| r.as_ref()[j]).sum::<f64>() / nf)
            .collect();
        let ss_total: f64 = rows
            .iter()
            .flat_map(|r| r.as_ref().iter())
            .map(|v| (v - grand).powi(2))
            .sum();
        let ss_b = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
        let ss_j = nf * col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
        let ss_e = ss_total - ss_b - ss_j;
        let (df_b, df_j, df_e) = (nf - 1.0, kf - 1.0, (nf - 1.0) * (kf - 1.0));
        let msb = ss_b / df_b;
        let msj = ss_j / df_j;
        let mse = ss_e / df_e;
        let msw = (ss_j + ss_e) / (df_j + df_e);
        // Without variance within targets (every rater agrees on every target) or between
        // them, the F ratios divide by zero; ratings so large or small that the sums of squares
        // overflow or vanish likewise have no ICC.
        if [msb, msj, mse, msw].iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "the ratings are too large or too small for the sums of squares".to_owned(),
            ));
        }
        if msb <= 0.0 {
            return Err(invalid(
                "the targets have no variance between them (every target has the same mean rating), so the ICCs of averaged raters are undefined".to_owned(),
            ));
        }
        if mse <= 0.0 || msw <= 0.0 {
            return Err(invalid(
                "the ratings have no residual variance (the raters agree exactly on every target), so the F ratios and the ICCs are undefined".to_owned(),
            ));
        }
        let q = stats::qf;
        let upper_tail = |x: f64, d1: f64, d2: f64| {
            if !x.is_finite() {
                return f64::NAN;
            }
            stats::pf_upper(x.max(0.0), d1, d2)
        };
        let a = 0.975;
        let f11 = msb / msw;
        let f21 = msb / mse;
        let (df11, df21) = (nf * (kf - 1.0), (nf - 1.0) * (kf - 1.0));
        let icc1 = (msb - msw) / (msb + (kf - 1.0) * msw);
        let icc2 = (msb - mse) / (msb + (kf - 1.0) * mse + kf * (msj - mse) / nf);
        let icc3 = (msb - mse) / (msb + (kf - 1.0) * mse);
        let icc1k = (msb - msw) / msb;
        let icc2k = (msb - mse) / (msb + (msj - mse) / nf);
        let icc3k = (msb - mse) / msb;
        // ICC1 and ICC1k bounds.
        let f1l = f11 / q(a, df_b, df11);
        let f1u = f11 * q(a, df11, df_b);
        // ICC3 and ICC3k bounds.
        let f3l = f21 / q(a, df_b, df21);
        let f3u = f21 * q(a, df21, df_b);
        // ICC2: Satterthwaite degrees of freedom.
        let fj = msj / mse;
        let rho = icc2;
        let num = (kf - 1.0)
            * (nf - 1.0)
            * (kf * rho * fj + nf * (1.0 + (kf - 1.0) * rho) - kf * rho).powi(2);
        let den = (nf - 1.0) * kf * kf * rho * rho * fj * fj
            + (nf * (1.0 + (kf - 1.0) * rho) - kf * rho).powi(2);
        let v = num / den;
        let fu_star = q(a, df_b, v);
        let fl_star = q(a, v, df_b);
        let l2 = nf * (msb - fu_star * mse)
            / (fu_star * (kf * msj + (kf * nf - kf - nf) * mse) + nf * msb);
        let u2 = nf * (fl_star * msb - mse)
            / (kf * msj + (kf * nf - kf - nf) * mse + nf * fl_star * msb);
        let sb = |x: f64| x * kf / (1.0 + x * (kf - 1.0));
        let p1 = upper_tail(f11, df_b, df11);
        let p2 = upper_tail(f21, df_b, df21);
        let defined = |x: f64| x.is_finite().then_some(x);
        let r = |form, icc, f, df2, p, lower: f64, upper: f64| Icc {
            form,
            icc,
            f,
            df1: df_b,
            df2,
            p,
            lower: defined(lower),
            upper: defined(upper),
        };
        let results = vec![
            r(
                IccForm::Icc1,
                icc1,
                f11,
                df11,
                p1,
                (f1l - 1.0) / (f1l + kf - 1.0),
                (f1u - 1.0) / (f1u + kf - 1.0),
            ),
            r(IccForm::Icc2, icc2, f21, df21, p2, l2, u2),
            r(
                IccForm::Icc3,
                icc3,
                f21,
                df21,
                p2,
                (f3l - 1.0) / (f3l + kf - 1.0),
                (f3u - 1.0) / (f3u + kf - 1.0),
            ),
            r(
                IccForm::Icc1k,
                icc1k,
                f11,
                df11,
                p1,
                1.0 - 1.0 / f1l,
                1.0 - 1.0 / f1u,
            ),
            r(IccForm::Icc2k, icc2k, f21, df21, p2, sb(l2), sb(u2)),
            r(
                IccForm::Icc3k,
                icc3k,
                f21,
                df21,
                p2,
                1.0 - 1.0 / f3l,
                1.0 - 1.0 / f3u,
            ),
        ];
        Ok(IccTable {
            targets: n,
            raters: k,
            ms_targets: msb,
            ms_raters: msj,
            ms_error: mse,
            ms_within: msw,
            results,
        })
    }

    /// Number of targets (rows).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let icc = therapeutic_alliance::reliability::IccTable::analyze([[1.0, 2.0], [3.0, 3.5], [2.0, 2.5]])?;
    /// assert_eq!(icc.targets(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn targets(&self) -> usize {
        self.targets
    }

    /// Number of raters (columns).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let icc = therapeutic_alliance::reliability::IccTable::analyze([[1.0, 2.0], [3.0, 3.5], [2.0, 2.5]])?;
    /// assert_eq!(icc.raters(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn raters(&self) -> usize {
        self.raters
    }

    /// One form.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::{IccTable, IccForm};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let icc = IccTable::analyze([[1.0, 2.0], [3.0, 3.5], [2.0, 2.5]])?;
    /// assert_eq!(icc.get(IccForm::Icc1k).form, IccForm::Icc1k);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, form: IccForm) -> &Icc {
        let i = IccForm::ALL.iter().position(|f| *f == form).unwrap_or(0);
        // `results` holds every form, in `IccForm::ALL` order.
        &self.results[i]
    }

    /// All six, in the order ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k (psych's rows).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let icc = therapeutic_alliance::reliability::IccTable::analyze([[1.0, 2.0], [3.0, 3.5], [2.0, 2.5]])?;
    /// assert_eq!(icc.forms().len(), 6);
    /// # Ok(())
    /// # }
    /// ```
    pub fn forms(&self) -> &[Icc] {
        &self.results
    }
}
