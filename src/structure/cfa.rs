//! Confirmatory factor analysis by maximum likelihood, as lavaan's `cfa()` fits it by default.

use crate::error::{ErrorKind, Result};
use crate::stats::{Interval, Matrix, pchisq_lower, pchisq_ncp, pchisq_upper, uniroot};

use super::data::{Observations, listwise_covariance};
use super::syntax::{Model, Modifier, Operator};

/// How each factor gets its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Identification {
    /// The first loading of each factor is fixed to 1 (lavaan's default).
    #[default]
    Marker,
    /// Every factor's variance is fixed to 1 and every loading is free (lavaan's
    /// `std.lv = TRUE`).
    StdLv,
}

/// Whether the factors correlate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FactorCovariances {
    /// Every pair of factors has a free covariance (lavaan's default).
    #[default]
    Free,
    /// Uncorrelated factors: every covariance not in the model is fixed to 0 (lavaan's
    /// `orthogonal = TRUE`, for bifactor models).
    Orthogonal,
}

/// Options of a confirmatory factor analysis: the identification and whether the factors
/// correlate. Estimation is maximum likelihood on the covariance matrix (divisor N) of the rows
/// complete on the model's variables (listwise deletion), lavaan's defaults.
///
/// ```
/// use therapeutic_alliance::structure::{CfaOptions, FactorCovariances, Identification, Model, Observations};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Two correlated factors of three items each (simulated).
/// let rows: Vec<Vec<Option<f64>>> = (0..200u32)
///     .map(|i| {
///         let f = f64::from((i * 37) % 11) - 5.0;
///         let g = 0.5 * f + f64::from((i * 17) % 7) - 3.0;
///         (0..6u32).map(|j| {
///             let noise = f64::from((i * (j + 3) * 7919) % 13) / 6.0 - 1.0;
///             Some(if j < 3 { f } else { g } * (0.6 + 0.1 * f64::from(j % 3)) + noise)
///         }).collect()
///     })
///     .collect();
/// let data = Observations::from_rows(["a1", "a2", "a3", "b1", "b2", "b3"], &rows)?;
/// let model = Model::parse("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3")?;
/// let fit = CfaOptions::default().identification(Identification::StdLv).analyze(&model, &data)?;
/// assert_eq!((fit.fit.npar, fit.fit.df, fit.fit.n), (13, 8, 200));
/// assert!(fit.fit.cfi > 0.5 && fit.fit.cfi <= 1.0);
/// assert_eq!(fit.parameters.len(), 6 + 6 + 2 + 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CfaOptions {
    identification: Identification,
    covariances: FactorCovariances,
}

/// lavaan's fit measures (`fitMeasures()`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct FitMeasures {
    /// The likelihood-ratio chi-square against the saturated model, N F_ML.
    pub chisq: f64,
    /// Its degrees of freedom: p(p + 1)/2 variances and covariances minus free parameters.
    pub df: u64,
    /// Its p value, `1 - pchisq(chisq, df)` as lavaan computes it; `None` when df is 0.
    pub pvalue: Option<f64>,
    /// The comparative fit index against the independence model (Bentler 1990).
    pub cfi: f64,
    /// The Tucker-Lewis index against the independence model.
    pub tli: f64,
    /// The root mean square error of approximation, `sqrt(max(chisq/(N df) - 1/N, 0))`.
    pub rmsea: f64,
    /// Its 90% interval, inverting the noncentral chi-square with R's `uniroot` at its default
    /// tolerance as lavaan does (so to lavaan's own precision, about 1e-6).
    pub rmsea_ci: Interval,
    /// The standardized root mean square residual (lavaan's `srmr`, Bentler's: the residual
    /// covariances scaled by the observed standard deviations, diagonal included).
    pub srmr: f64,
    /// The log-likelihood of the model (means saturated).
    pub loglik: f64,
    /// The log-likelihood of the saturated model.
    pub loglik_saturated: f64,
    /// Akaike's information criterion, `-2 loglik + 2 npar`.
    pub aic: f64,
    /// The Bayesian information criterion, `-2 loglik + npar ln N`.
    pub bic: f64,
    /// Free parameters.
    pub npar: usize,
    /// Rows used (complete on the model's variables).
    pub n: u64,
    /// The independence model's chi-square.
    pub baseline_chisq: f64,
    /// Its degrees of freedom, p(p - 1)/2.
    pub baseline_df: u64,
}

/// One row of lavaan's `parameterEstimates()`: free and fixed parameters alike.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Parameter {
    /// The left-hand side: the factor of a loading, or the first variable of a (co)variance.
    pub lhs: String,
    /// `=~` or `~~`.
    pub op: Operator,
    /// The right-hand side.
    pub rhs: String,
    /// The estimate (the fixed value for a fixed parameter).
    pub est: f64,
    /// The standard error from the expected information (lavaan's default); 0 for a fixed
    /// parameter.
    pub se: f64,
    /// The completely standardized estimate (lavaan's `std.all`): factors and observed
    /// variables scaled to variance 1 by the model-implied variances.
    pub std_all: f64,
    /// Whether the parameter is free (estimated).
    pub free: bool,
}

/// Something the fit reports rather than refuses: lavaan's post-fit warnings.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum CfaWarning {
    /// A Heywood case: a negative residual variance of an observed variable.
    NegativeResidualVariance {
        /// The variable.
        variable: String,
        /// Its estimate.
        estimate: f64,
    },
    /// A factor variance estimated as negative.
    NegativeFactorVariance {
        /// The factor.
        factor: String,
        /// Its estimate.
        estimate: f64,
    },
    /// The factors' covariance matrix is not positive definite (a correlation beyond ±1).
    FactorCovarianceNotPositiveDefinite,
}

/// A fitted confirmatory factor model: fit measures, every parameter in lavaan's order, and
/// warnings.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CfaFit {
    /// The fit measures.
    pub fit: FitMeasures,
    /// Every parameter, as lavaan's `parameterEstimates()` lists them: the model's statements
    /// in order, then the residual variances of the observed variables, the factor variances
    /// and the factor covariances the model did not state.
    pub parameters: Vec<Parameter>,
    /// The observed variables, in lavaan's order.
    pub observed: Vec<String>,
    /// The factors.
    pub factors: Vec<String>,
    /// Heywood cases and other reported problems.
    pub warnings: Vec<CfaWarning>,
    /// Fisher-scoring iterations.
    pub iterations: u32,
}

/// A chi-square difference (likelihood-ratio) test of two nested models, as lavaan's
/// `anova(fit1, fit2)` reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ChiSquareDifference {
    /// The difference of the chi-squares, restricted minus general.
    pub chisq_diff: f64,
    /// The difference of the degrees of freedom.
    pub df_diff: u64,
    /// `pchisq(chisq_diff, df_diff, lower.tail = FALSE)`.
    pub pvalue: f64,
}

impl ChiSquareDifference {
    /// Tests the model with more degrees of freedom (restricted) against the one with fewer
    /// (lavaan orders them by df too), fitted to the same rows.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] when the fits use different numbers of rows or have the
    /// same degrees of freedom (then they are not nested).
    ///
    /// ```
    /// # use therapeutic_alliance::structure::{ChiSquareDifference, CfaOptions, Model, Observations};
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// # let rows: Vec<Vec<Option<f64>>> = (0..150u32).map(|i| (0..6u32).map(|j| Some(f64::from((i * 37) % 11) * if j < 3 { 1.0 } else { 0.7 } + f64::from((i * (j + 3) * 7919) % 13) / 4.0)).collect()).collect();
    /// let data = Observations::from_rows(["a1", "a2", "a3", "b1", "b2", "b3"], &rows)?;
    /// let two = CfaOptions::default().analyze(&Model::parse("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3")?, &data)?;
    /// let one = CfaOptions::default().analyze(&Model::parse("G =~ a1 + a2 + a3 + b1 + b2 + b3")?, &data)?;
    /// let test = ChiSquareDifference::analyze(&one, &two)?;
    /// assert_eq!(test.df_diff, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(a: &CfaFit, b: &CfaFit) -> Result<Self> {
        if a.fit.n != b.fit.n {
            return Err(ErrorKind::InvalidOption {
                option: "models",
                value: format!("n = {} and n = {}", a.fit.n, b.fit.n),
                reason: "nested models must be fitted to the same rows".into(),
            }
            .into());
        }
        let (restricted, general) = if a.fit.df >= b.fit.df { (a, b) } else { (b, a) };
        let df_diff = restricted.fit.df - general.fit.df;
        if df_diff == 0 {
            return Err(ErrorKind::InvalidOption {
                option: "models",
                value: format!("df = {}", a.fit.df),
                reason: "models with the same degrees of freedom are not nested".into(),
            }
            .into());
        }
        let chisq_diff = restricted.fit.chisq - general.fit.chisq;
        Ok(ChiSquareDifference {
            chisq_diff,
            df_diff,
            pvalue: pchisq_upper(chisq_diff.max(0.0), df_diff as f64),
        })
    }
}

/// Where a parameter sits in the model matrices.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    /// Loading of observed `i` on factor `f`.
    Lambda(usize, usize),
    /// Factor (co)variance.
    Phi(usize, usize),
    /// Residual (co)variance of observed variables.
    Theta(usize, usize),
}

#[derive(Debug, Clone)]
struct Row {
    lhs: String,
    op: Operator,
    rhs: String,
    slot: Slot,
    /// The index in the free-parameter vector, or `None` when fixed.
    free: Option<usize>,
    /// The fixed value, or the start value of a free one.
    value: f64,
}

/// The parameter table of a model under the options, lavaan's `lavaanify` order.
struct Table {
    rows: Vec<Row>,
    p: usize,
    m: usize,
    npar: usize,
}

fn unidentified(reason: impl Into<String>) -> crate::Error {
    ErrorKind::UnidentifiedModel {
        reason: reason.into(),
    }
    .into()
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

impl Table {
    fn new(model: &Model, options: &CfaOptions) -> Result<Table> {
        let observed = model.observed();
        let factors = model.factors();
        let (p, m) = (observed.len(), factors.len());
        let ov = |name: &str| observed.iter().position(|o| o == name);
        let lv = |name: &str| factors.iter().position(|f| f == name);
        let mut rows: Vec<Row> = Vec::new();
        let mut first_seen = vec![false; m];
        let mut indicated = vec![false; p];
        for s in model.statements() {
            for (modifier, name) in &s.terms {
                let (slot, default_fixed) = match s.op {
                    Operator::MeasuredBy => {
                        let f = lv(&s.lhs).ok_or_else(|| unidentified("unknown factor"))?;
                        let i = ov(name).ok_or_else(|| unidentified("unknown variable"))?;
                        indicated[i] = true;
                        let first = !first_seen[f];
                        first_seen[f] = true;
                        let marker = options.identification == Identification::Marker && first;
                        (Slot::Lambda(i, f), marker.then_some(1.0))
                    }
                    Operator::Covariance => {
                        match ((ov(&s.lhs), ov(name)), (lv(&s.lhs), lv(name))) {
                            ((Some(i), Some(j)), _) => (Slot::Theta(i, j), None),
                            (_, (Some(a), Some(b))) => (Slot::Phi(a, b), None),
                            _ => {
                                return Err(unidentified(format!(
                                    "{} ~~ {} joins a factor and an observed variable",
                                    short(&s.lhs),
                                    short(name)
                                )));
                            }
                        }
                    }
                };
                let fixed = match modifier {
                    Modifier::Fixed(v) => Some(*v),
                    Modifier::Free => None,
                    Modifier::Default => default_fixed,
                    #[allow(unreachable_patterns)]
                    _ => default_fixed,
                };
                rows.push(Row {
                    lhs: s.lhs.clone(),
                    op: s.op,
                    rhs: name.clone(),
                    slot,
                    free: fixed.map_or(Some(0), |_| None),
                    value: fixed.unwrap_or(f64::NAN),
                });
            }
        }
        if let Some(i) = indicated.iter().position(|x| !x) {
            return Err(unidentified(format!(
                "variable {} is in no factor",
                short(&observed[i])
            )));
        }
        let has = |rows: &[Row], slot: Slot| {
            rows.iter().any(|r| match (r.slot, slot) {
                (Slot::Theta(a, b), Slot::Theta(c, d)) | (Slot::Phi(a, b), Slot::Phi(c, d)) => {
                    (a, b) == (c, d) || (a, b) == (d, c)
                }
                _ => false,
            })
        };
        for (i, name) in observed.iter().enumerate() {
            if !has(&rows, Slot::Theta(i, i)) {
                rows.push(Row {
                    lhs: name.clone(),
                    op: Operator::Covariance,
                    rhs: name.clone(),
                    slot: Slot::Theta(i, i),
                    free: Some(0),
                    value: f64::NAN,
                });
            }
        }
        for (a, name) in factors.iter().enumerate() {
            if !has(&rows, Slot::Phi(a, a)) {
                let std_lv = options.identification == Identification::StdLv;
                rows.push(Row {
                    lhs: name.clone(),
                    op: Operator::Covariance,
                    rhs: name.clone(),
                    slot: Slot::Phi(a, a),
                    free: (!std_lv).then_some(0),
                    value: if std_lv { 1.0 } else { f64::NAN },
                });
            }
        }
        for a in 0..m {
            for b in (a + 1)..m {
                if !has(&rows, Slot::Phi(a, b)) {
                    let orthogonal = options.covariances == FactorCovariances::Orthogonal;
                    rows.push(Row {
                        lhs: factors[a].clone(),
                        op: Operator::Covariance,
                        rhs: factors[b].clone(),
                        slot: Slot::Phi(a, b),
                        free: (!orthogonal).then_some(0),
                        value: if orthogonal { 0.0 } else { f64::NAN },
                    });
                }
            }
        }
        let mut npar = 0;
        for r in &mut rows {
            if r.free.is_some() {
                r.free = Some(npar);
                npar += 1;
            }
        }
        // Every factor needs a scale: a loading or its variance fixed to a nonzero value.
        for (f, name) in factors.iter().enumerate() {
            let loadings: Vec<&Row> = rows
                .iter()
                .filter(|r| matches!(r.slot, Slot::Lambda(_, g) if g == f))
                .collect();
            let scaled = loadings.iter().any(|r| r.free.is_none() && r.value != 0.0)
                || rows.iter().any(|r| {
                    matches!(r.slot, Slot::Phi(a, b) if a == f && b == f)
                        && r.free.is_none()
                        && r.value != 0.0
                });
            if !scaled {
                return Err(unidentified(format!(
                    "factor {} has no scale: fix a loading (1*item) or its variance",
                    short(name)
                )));
            }
            if loadings.len() == 1 && loadings.iter().any(|r| r.free.is_some()) {
                return Err(unidentified(format!(
                    "factor {} has one item and no fixed loading",
                    short(name)
                )));
            }
        }
        let moments = p * (p + 1) / 2;
        if npar > moments {
            return Err(unidentified(format!(
                "{npar} free parameters but only {moments} variances and covariances"
            )));
        }
        Ok(Table { rows, p, m, npar })
    }

    /// The model matrices at the free parameters `x`.
    fn matrices(&self, x: &[f64]) -> (Vec<f64>, Matrix, Matrix) {
        let (p, m) = (self.p, self.m);
        let mut lambda = vec![0.0; p * m];
        let mut phi = Matrix::zeros(m);
        let mut theta = Matrix::zeros(p);
        for r in &self.rows {
            let v = r
                .free
                .map_or(r.value, |k| x.get(k).copied().unwrap_or(f64::NAN));
            match r.slot {
                Slot::Lambda(i, f) => lambda[i * m + f] = v,
                Slot::Phi(a, b) => {
                    phi.set(a, b, v);
                    phi.set(b, a, v);
                }
                Slot::Theta(i, j) => {
                    theta.set(i, j, v);
                    theta.set(j, i, v);
                }
            }
        }
        (lambda, phi, theta)
    }

    /// Sigma = Lambda Phi Lambda' + Theta, with Lambda Phi.
    fn sigma(&self, x: &[f64]) -> (Matrix, Vec<f64>, Vec<f64>, Matrix) {
        let (p, m) = (self.p, self.m);
        let (lambda, phi, theta) = self.matrices(x);
        let mut lp = vec![0.0; p * m];
        for i in 0..p {
            for f in 0..m {
                lp[i * m + f] = (0..m).map(|g| lambda[i * m + g] * phi.get(g, f)).sum();
            }
        }
        let mut sigma = theta;
        for i in 0..p {
            for j in 0..=i {
                let v: f64 = (0..m).map(|f| lp[i * m + f] * lambda[j * m + f]).sum();
                let v = v + sigma.get(i, j);
                sigma.set(i, j, v);
                sigma.set(j, i, v);
            }
        }
        (sigma, lambda, lp, phi)
    }

    /// dSigma / dx_k for every free parameter, as dense p x p matrices.
    fn derivatives(&self, lambda: &[f64], lp: &[f64]) -> Vec<Matrix> {
        let (p, m) = (self.p, self.m);
        let mut out = vec![Matrix::zeros(p); self.npar];
        for r in &self.rows {
            let Some(k) = r.free else { continue };
            let Some(d) = out.get_mut(k) else { continue };
            match r.slot {
                Slot::Lambda(i, f) => {
                    for b in 0..p {
                        let v = lp[b * m + f];
                        d.set(i, b, d.get(i, b) + v);
                        d.set(b, i, d.get(b, i) + v);
                    }
                }
                Slot::Phi(a, c) => {
                    for i in 0..p {
                        for j in 0..p {
                            let mut v = lambda[i * m + a] * lambda[j * m + c];
                            if a != c {
                                v += lambda[i * m + c] * lambda[j * m + a];
                            }
                            d.set(i, j, v);
                        }
                    }
                }
                Slot::Theta(i, j) => {
                    d.set(i, j, 1.0);
                    d.set(j, i, 1.0);
                }
            }
        }
        out
    }
}

/// The ML discrepancy `ln|Sigma| + tr(S Sigma^-1) - ln|S| - p` and Sigma's inverse; `None`
/// when Sigma is not positive definite.
fn discrepancy(sigma: &Matrix, s: &Matrix, log_det_s: f64) -> Option<(f64, f64, Matrix)> {
    let (log_det, inv) = sigma.spd_inverse()?;
    let p = s.n;
    let mut tr = 0.0;
    for i in 0..p {
        for j in 0..p {
            tr += s.get(i, j) * inv.get(j, i);
        }
    }
    Some((log_det + tr - log_det_s - p as f64, tr, inv))
}

/// The gradient of the discrepancy at `x`: `tr(W dSigma_k)` with `W = V (Sigma - S) V`, from
/// the model matrices (2 (W Lambda Phi) for loadings, Lambda' W Lambda for factor
/// (co)variances, W for residual (co)variances, off-diagonal entries twice).
fn gradient(table: &Table, x: &[f64], s: &Matrix) -> Option<Vec<f64>> {
    let (p, m) = (table.p, table.m);
    let (sigma, lambda, lp, _) = table.sigma(x);
    let (_, inv) = sigma.spd_inverse()?;
    let mut diff = Matrix::zeros(p);
    for i in 0..p {
        for j in 0..p {
            diff.set(i, j, sigma.get(i, j) - s.get(i, j));
        }
    }
    let w = inv.mul(&diff).mul(&inv);
    let mut g = vec![0.0; table.npar];
    for r in &table.rows {
        let Some(k) = r.free else { continue };
        let v = match r.slot {
            Slot::Lambda(i, f) => 2.0 * (0..p).map(|b| w.get(i, b) * lp[b * m + f]).sum::<f64>(),
            Slot::Phi(a, c) => {
                let mut t = 0.0;
                for i in 0..p {
                    for j in 0..p {
                        t += lambda[i * m + a] * w.get(i, j) * lambda[j * m + c];
                    }
                }
                if a == c { t } else { 2.0 * t }
            }
            Slot::Theta(i, j) => {
                if i == j {
                    w.get(i, i)
                } else {
                    2.0 * w.get(i, j)
                }
            }
        };
        if let Some(gk) = g.get_mut(k) {
            *gk = v;
        }
    }
    Some(g)
}

/// The Hessian of the discrepancy at `x`: central differences of the analytic gradient,
/// symmetrized; `None` where the model is not positive definite.
fn numeric_hessian(table: &Table, x: &[f64], s: &Matrix) -> Option<Matrix> {
    let q = x.len();
    let mut hess = Matrix::zeros(q);
    let mut at = x.to_vec();
    for k in 0..q {
        let hk = 1e-5 * x[k].abs().max(1.0);
        at[k] = x[k] + hk;
        let gu = gradient(table, &at, s)?;
        at[k] = x[k] - hk;
        let gd = gradient(table, &at, s)?;
        at[k] = x[k];
        for l in 0..q {
            hess.set(l, k, (gu[l] - gd[l]) / (2.0 * hk));
        }
    }
    for k in 0..q {
        for l in 0..k {
            let v = (hess.get(k, l) + hess.get(l, k)) / 2.0;
            hess.set(k, l, v);
            hess.set(l, k, v);
        }
    }
    Some(hess)
}

/// Gradient and expected Hessian (`tr(V dS_k V dS_l)`) of the discrepancy.
fn scoring(d_sigma: &[Matrix], inv: &Matrix, sigma: &Matrix, s: &Matrix) -> (Vec<f64>, Matrix) {
    let q = d_sigma.len();
    let p = s.n;
    // W = V (Sigma - S) V
    let mut diff = Matrix::zeros(p);
    for i in 0..p {
        for j in 0..p {
            diff.set(i, j, sigma.get(i, j) - s.get(i, j));
        }
    }
    let w = inv.mul(&diff).mul(inv);
    let a: Vec<Matrix> = d_sigma.iter().map(|d| inv.mul(d)).collect();
    let g: Vec<f64> = d_sigma
        .iter()
        .map(|d| d.a.iter().zip(&w.a).map(|(x, y)| x * y).sum())
        .collect();
    // tr(A_k A_l) = sum_ij A_k[i][j] A_l[j][i] = <A_k, A_l'>.
    let at: Vec<Vec<f64>> = a
        .iter()
        .map(|m| {
            let mut t = vec![0.0; p * p];
            for i in 0..p {
                for j in 0..p {
                    t[j * p + i] = m.a[i * p + j];
                }
            }
            t
        })
        .collect();
    let mut h = Matrix::zeros(q);
    for (k, ak) in a.iter().enumerate() {
        for (l, atl) in at.iter().enumerate().take(k + 1) {
            let t = crate::stats::dot(&ak.a, atl);
            h.set(k, l, t);
            h.set(l, k, t);
        }
    }
    (g, h)
}

impl CfaOptions {
    /// How factors get their scale: [`Identification::Marker`] (lavaan's default) or
    /// [`Identification::StdLv`].
    pub fn identification(mut self, identification: Identification) -> Self {
        self.identification = identification;
        self
    }

    /// Correlated factors ([`FactorCovariances::Free`], the default) or uncorrelated ones
    /// ([`FactorCovariances::Orthogonal`]).
    pub fn covariances(mut self, covariances: FactorCovariances) -> Self {
        self.covariances = covariances;
        self
    }

    /// Fits `model` to the rows of `data` complete on the model's variables by maximum
    /// likelihood (Jöreskog 1969), as lavaan's `cfa()` does by default (Rosseel 2012, JSS
    /// 48(2)): the covariance matrix with divisor N, Fisher scoring to the optimum, standard
    /// errors from the expected information, fit measures against the saturated and the
    /// independence models.
    ///
    /// Checked against lavaan 0.6-14 on the Holzinger-Swineford data (`tests/structure_cfa.rs`).
    ///
    /// # Errors
    /// - [`ErrorKind::UnidentifiedModel`]: a model variable missing from the data, a variable in
    ///   no factor, a factor without a scale or with one item and a free loading, more free
    ///   parameters than moments, or a singular information matrix at the solution;
    /// - [`ErrorKind::TooFewRows`]: fewer complete rows than variables plus one;
    /// - [`ErrorKind::NotPositiveDefinite`]: a sample covariance matrix that is not positive
    ///   definite (a constant or collinear variable);
    /// - [`ErrorKind::NotConverged`]: no convergence in 1000 iterations.
    ///
    /// A negative variance estimate (a Heywood case) is not an error: it is in
    /// [`CfaFit::warnings`], as lavaan warns.
    pub fn analyze(&self, model: &Model, data: &Observations) -> Result<CfaFit> {
        let table = Table::new(model, self)?;
        let cols = data.positions(model.observed())?;
        let (s, n) = listwise_covariance(data, &cols);
        if n < table.p + 1 {
            return Err(ErrorKind::TooFewRows {
                target: "model".into(),
                rows: n as u64,
                statistic: "a confirmatory factor analysis",
                needed: table.p as u64 + 1,
            }
            .into());
        }
        fit(table, model, &s, n as u64)
    }

    /// As [`CfaOptions::analyze`], from a covariance matrix (divisor N, variables in the order
    /// of `names`) of `n` complete rows.
    ///
    /// # Errors
    /// As [`CfaOptions::analyze`], and [`ErrorKind::InvalidData`] for a matrix that is not
    /// square, symmetric and finite with one row per name.
    pub fn analyze_covariance(
        &self,
        model: &Model,
        names: &[String],
        covariance: &[Vec<f64>],
        n: u64,
    ) -> Result<CfaFit> {
        let table = Table::new(model, self)?;
        let k = names.len();
        if covariance.len() != k || covariance.iter().any(|r| r.len() != k) {
            return Err(ErrorKind::InvalidData {
                reason: format!("the covariance matrix is not {k} x {k}"),
            }
            .into());
        }
        let mut cols = Vec::with_capacity(table.p);
        for o in model.observed() {
            cols.push(names.iter().position(|n| n == o).ok_or_else(|| {
                unidentified(format!("variable {} is not in the data", short(o)))
            })?);
        }
        let mut s = Matrix::zeros(table.p);
        for (a, &i) in cols.iter().enumerate() {
            for (b, &j) in cols.iter().enumerate() {
                let v = covariance[i][j];
                if !v.is_finite() || v != covariance[j][i] {
                    return Err(ErrorKind::InvalidData {
                        reason: format!(
                            "covariance {}, {} is not finite or not symmetric",
                            i + 1,
                            j + 1
                        ),
                    }
                    .into());
                }
                s.set(a, b, v);
            }
        }
        if n < table.p as u64 + 1 {
            return Err(ErrorKind::TooFewRows {
                target: "model".into(),
                rows: n,
                statistic: "a confirmatory factor analysis",
                needed: table.p as u64 + 1,
            }
            .into());
        }
        fit(table, model, &s, n)
    }
}

/// Start values: residual variances half the observed variances (lavaan's), loadings from each
/// factor's items (centroid), factor variances 1 (or from the marker's loading), covariances 0.
fn starts(table: &Table, s: &Matrix) -> Vec<f64> {
    let (p, m) = (table.p, table.m);
    let mut x = vec![0.0; table.npar];
    // Centroid loadings of each factor on a standardized scale.
    let mut load = vec![0.0; p * m];
    for f in 0..m {
        let items: Vec<usize> = table
            .rows
            .iter()
            .filter_map(|r| match r.slot {
                Slot::Lambda(i, g) if g == f => Some(i),
                _ => None,
            })
            .collect();
        let mut total = 0.0;
        let mut sums = vec![0.0; items.len()];
        for (a, &i) in items.iter().enumerate() {
            for &j in &items {
                let c = if i == j {
                    0.5 * s.get(i, i)
                } else {
                    s.get(i, j)
                };
                sums[a] += c;
                total += c;
            }
        }
        for (a, &i) in items.iter().enumerate() {
            let v = if total > 0.0 {
                sums[a] / total.sqrt()
            } else {
                (0.5 * s.get(i, i)).sqrt()
            };
            // An item on several factors shares its common variance among them.
            let k = (0..m)
                .filter(|&g| {
                    table
                        .rows
                        .iter()
                        .any(|r| matches!(r.slot, Slot::Lambda(j, h) if j == i && h == g))
                })
                .count()
                .max(1);
            load[i * m + f] = v / (k as f64).sqrt();
        }
    }
    // The scale of each factor: the first fixed loading's item, if any.
    let mut phi = vec![1.0; m];
    for f in 0..m {
        let fixed_var = table
            .rows
            .iter()
            .any(|r| matches!(r.slot, Slot::Phi(a, b) if a == f && b == f) && r.free.is_none());
        if fixed_var {
            continue;
        }
        let marker = table.rows.iter().find_map(|r| match r.slot {
            Slot::Lambda(i, g) if g == f && r.free.is_none() && r.value != 0.0 => {
                Some((i, r.value))
            }
            _ => None,
        });
        if let Some((i, value)) = marker {
            let scale = load[i * m + f] / value;
            if scale != 0.0 && scale.is_finite() {
                phi[f] = scale * scale;
                for j in 0..p {
                    load[j * m + f] /= scale;
                }
            }
        }
    }
    for r in &table.rows {
        let Some(k) = r.free else { continue };
        let Some(v) = x.get_mut(k) else { continue };
        *v = match r.slot {
            Slot::Lambda(i, f) => load[i * m + f],
            Slot::Phi(a, b) if a == b => phi[a],
            Slot::Phi(..) => 0.0,
            Slot::Theta(i, j) if i == j => 0.5 * s.get(i, i),
            Slot::Theta(..) => 0.0,
        };
    }
    x
}

const MAX_ITERATIONS: u32 = 1000;

fn fit(table: Table, model: &Model, s: &Matrix, n: u64) -> Result<CfaFit> {
    let Some((log_det_s, _)) = s.spd_inverse() else {
        return Err(ErrorKind::NotPositiveDefinite {
            what: "sample covariance matrix",
        }
        .into());
    };
    let mut x = starts(&table, s);
    let eval = |x: &[f64]| -> Option<f64> {
        let (sigma, ..) = table.sigma(x);
        discrepancy(&sigma, s, log_det_s).map(|d| d.0)
    };
    let Some(mut f) = eval(&x) else {
        return Err(unidentified(
            "the start values give no positive-definite model",
        ));
    };
    let mut iterations = 0;
    let mut converged = false;
    // Fisher scoring with step halving while far from the optimum.
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let (sigma, lambda, lp, _) = table.sigma(&x);
        let Some((_, _, inv)) = discrepancy(&sigma, s, log_det_s) else {
            break;
        };
        let d = table.derivatives(&lambda, &lp);
        let (g, h) = scoring(&d, &inv, &sigma, s);
        let neg: Vec<f64> = g.iter().map(|v| -v).collect();
        let Some(step) = h.spd_solve(&neg) else {
            return Err(unidentified(
                "the information matrix is singular: some parameters are not determined",
            ));
        };
        let decrement: f64 = -g.iter().zip(&step).map(|(a, b)| a * b).sum::<f64>();
        if !decrement.is_finite() {
            break;
        }
        if decrement < 1e-8 {
            converged = true;
            break;
        }
        let mut t = 1.0;
        let mut accepted = false;
        while t > 1e-10 {
            let trial: Vec<f64> = x.iter().zip(&step).map(|(a, b)| a + t * b).collect();
            if let Some(ft) = eval(&trial)
                && ft <= f - 1e-4 * t * decrement
            {
                x = trial;
                f = ft;
                accepted = true;
                break;
            }
            t /= 2.0;
        }
        if !accepted {
            break;
        }
    }
    // Newton's method on the analytic gradient (its Jacobian by central differences) from
    // near the optimum: the objective is too flat there for a line search to see, and Fisher
    // scoring converges only linearly.
    //
    // The Jacobian is kept while it serves (a chord method: near the optimum it changes too
    // little to slow the steps down) and computed afresh when a step gains less than it should.
    if converged {
        converged = false;
        let mut last = f64::INFINITY;
        let mut hessian: Option<Matrix> = None;
        let mut steps = 0;
        while steps < 50 {
            steps += 1;
            iterations += 1;
            let Some(g) = gradient(&table, &x, s) else {
                break;
            };
            let fresh = hessian.is_none();
            let hess = match hessian.take() {
                Some(h) => h,
                None => match numeric_hessian(&table, &x, s) {
                    Some(h) => h,
                    None => break,
                },
            };
            let neg: Vec<f64> = g.iter().map(|v| -v).collect();
            let Some(step) = hess.spd_solve(&neg) else {
                if fresh {
                    break;
                }
                continue;
            };
            let decrement: f64 = -g.iter().zip(&step).map(|(a, b)| a * b).sum::<f64>();
            if decrement.is_nan() || decrement >= last {
                if fresh || last < 1e-20 {
                    converged = last < 1e-20;
                    break;
                }
                // A kept Jacobian that no longer serves: the same point with a fresh one.
                continue;
            }
            // A step that gains less than a Newton step would: a fresh Jacobian next time.
            if fresh || decrement < 1e-6 * last {
                hessian = Some(hess);
            }
            last = decrement;
            for (xi, si) in x.iter_mut().zip(&step) {
                *xi += si;
            }
            if decrement < 1e-30 {
                converged = true;
                break;
            }
        }
    }
    if !converged {
        return Err(ErrorKind::NotConverged {
            what: "the confirmatory factor analysis",
            iterations: u64::from(iterations),
        }
        .into());
    }
    finish(table, model, s, n, x, iterations)
}

/// Fit measures, standard errors and the parameter table at the solution `x`.
fn finish(
    table: Table,
    model: &Model,
    s: &Matrix,
    n: u64,
    x: Vec<f64>,
    iterations: u32,
) -> Result<CfaFit> {
    let p = table.p;
    let pf = p as f64;
    let nf = n as f64;
    let (log_det_s, _) = s.spd_inverse().ok_or(ErrorKind::NotPositiveDefinite {
        what: "sample covariance matrix",
    })?;
    let (sigma, lambda, lp, phi) = table.sigma(&x);
    let (fmin, tr, inv) =
        discrepancy(&sigma, s, log_det_s).ok_or(ErrorKind::NotPositiveDefinite {
            what: "model-implied covariance matrix",
        })?;
    let d = table.derivatives(&lambda, &lp);
    let (_, h) = scoring(&d, &inv, &sigma, s);
    let Some((_, h_inv)) = h.spd_inverse() else {
        return Err(unidentified(
            "the information matrix is singular: some parameters are not determined",
        ));
    };
    // Expected information per row: H / 2, so Var(x) = 2 H^-1 / N.
    let se: Vec<f64> = (0..table.npar)
        .map(|k| (2.0 * h_inv.get(k, k) / nf).max(0.0).sqrt())
        .collect();

    let chisq = (nf * fmin).max(0.0);
    let moments = p * (p + 1) / 2;
    let df = (moments - table.npar) as u64;
    let dff = df as f64;
    let pvalue = (df > 0).then(|| 1.0 - pchisq_lower(chisq, dff));
    let baseline_chisq = nf * ((0..p).map(|i| s.get(i, i).ln()).sum::<f64>() - log_det_s);
    let baseline_df = (p * (p - 1) / 2) as u64;
    let bdf = baseline_df as f64;
    let t1 = (chisq - dff).max(0.0);
    let t2 = (chisq - dff).max(baseline_chisq - bdf).max(0.0);
    let cfi = if t1 == 0.0 && t2 == 0.0 {
        1.0
    } else {
        1.0 - t1 / t2
    };
    let tli = if df > 0 {
        let a = baseline_chisq / bdf - chisq / dff;
        let b = baseline_chisq / bdf - 1.0;
        if a < 0.0 && b < 0.0 { 1.0 } else { a / b }
    } else {
        1.0
    };
    let rmsea = if df > 0 {
        (chisq / nf / dff - 1.0 / nf).max(0.0).sqrt()
    } else {
        0.0
    };
    let rmsea_ci = rmsea_interval(chisq, dff, nf);
    let mut srmr = 0.0;
    for i in 0..p {
        for j in 0..=i {
            let r = (s.get(i, j) - sigma.get(i, j)) / (s.get(i, i) * s.get(j, j)).sqrt();
            srmr += r * r;
        }
    }
    let srmr = (srmr / moments as f64).sqrt();
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    let log_det_sigma = fmin - tr + log_det_s + pf;
    let loglik = -nf / 2.0 * (pf * ln2pi + log_det_sigma + tr);
    let loglik_saturated = -nf / 2.0 * (pf * ln2pi + log_det_s + pf);
    let npar = table.npar;
    let aic = -2.0 * loglik + 2.0 * npar as f64;
    let bic = -2.0 * loglik + npar as f64 * nf.ln();

    let m = table.m;
    let observed = model.observed().to_vec();
    let factors = model.factors().to_vec();
    let sd_ov: Vec<f64> = (0..p).map(|i| sigma.get(i, i).sqrt()).collect();
    let sd_lv: Vec<f64> = (0..m).map(|a| phi.get(a, a).sqrt()).collect();
    let mut warnings = Vec::new();
    let parameters = table
        .rows
        .iter()
        .map(|r| {
            let est = r
                .free
                .map_or(r.value, |k| x.get(k).copied().unwrap_or(f64::NAN));
            let se = r
                .free
                .map_or(0.0, |k| se.get(k).copied().unwrap_or(f64::NAN));
            let std_all = match r.slot {
                Slot::Lambda(i, f) => est * sd_lv[f] / sd_ov[i],
                Slot::Phi(a, b) => est / (sd_lv[a] * sd_lv[b]),
                Slot::Theta(i, j) => est / (sd_ov[i] * sd_ov[j]),
            };
            match r.slot {
                Slot::Theta(i, j) if i == j && est < 0.0 => {
                    warnings.push(CfaWarning::NegativeResidualVariance {
                        variable: observed[i].clone(),
                        estimate: est,
                    });
                }
                Slot::Phi(a, b) if a == b && est < 0.0 => {
                    warnings.push(CfaWarning::NegativeFactorVariance {
                        factor: factors[a].clone(),
                        estimate: est,
                    });
                }
                _ => {}
            }
            Parameter {
                lhs: r.lhs.clone(),
                op: r.op,
                rhs: r.rhs.clone(),
                est,
                se,
                std_all,
                free: r.free.is_some(),
            }
        })
        .collect();
    if m > 1 && phi.cholesky().is_none() {
        warnings.push(CfaWarning::FactorCovarianceNotPositiveDefinite);
    }
    Ok(CfaFit {
        fit: FitMeasures {
            chisq,
            df,
            pvalue,
            cfi,
            tli,
            rmsea,
            rmsea_ci,
            srmr,
            loglik,
            loglik_saturated,
            aic,
            bic,
            npar,
            n,
            baseline_chisq,
            baseline_df,
        },
        parameters,
        observed,
        factors,
        warnings,
        iterations,
    })
}

/// lavaan's `lav_fit_rmsea_ci` at level 0.90: the noncentrality parameters at which the
/// observed chi-square is the 95th and 5th percentile, found by R's `uniroot` (default
/// tolerance), scaled to RMSEA.
fn rmsea_interval(chisq: f64, df: f64, n: f64) -> Interval {
    let (upper_perc, lower_perc) = (0.95, 0.05);
    let lower_fn = |l: f64| pchisq_ncp_lower(chisq, df, l) - upper_perc;
    let upper_fn = |l: f64| pchisq_ncp_lower(chisq, df, l) - lower_perc;
    let lower = if df < 1.0 || lower_fn(0.0) < 0.0 {
        0.0
    } else {
        uniroot(lower_fn, 0.0, chisq).map_or(f64::NAN, |l| (l / (n * df)).sqrt())
    };
    let n_rmsea = n.max(chisq * 4.0);
    let upper = if df < 1.0 || upper_fn(n_rmsea) > 0.0 || upper_fn(0.0) < 0.0 {
        0.0
    } else {
        uniroot(upper_fn, 0.0, n_rmsea).map_or(f64::NAN, |l| (l / (n * df)).sqrt())
    };
    Interval { lower, upper }
}

/// `pchisq_ncp(x, df, ncp)`, or 0 when a Chernoff bound puts it below `1e-30`: far below the
/// observed chi-square's noncentral distribution, where the exact sum takes thousands of
/// Poisson terms (the upper end of the RMSEA search, an `ncp` of `N` or more) and where
/// `p - 0.05` and `p - 0.95` are `-0.05` and `-0.95` exactly either way, so `uniroot` takes the
/// same steps.
///
/// The bound: `P(X <= x) <= exp(t x) E[exp(-t X)] = exp(t x - ncp t / u - df/2 ln u)` with
/// `u = 1 + 2t`, least at `u = (df + sqrt(df² + 4 x ncp)) / (2x)`, below the mean `df + ncp`.
fn pchisq_ncp_lower(x: f64, df: f64, ncp: f64) -> f64 {
    if x > 0.0 && df > 0.0 && ncp > 0.0 && x < df + ncp && ncp.is_finite() {
        let u = (df + (df * df + 4.0 * x * ncp).sqrt()) / (2.0 * x);
        let t = (u - 1.0) / 2.0;
        let log_bound = t * x - ncp * t / u - df / 2.0 * u.ln();
        if log_bound < -69.0 {
            return 0.0;
        }
    }
    pchisq_ncp(x, df, ncp)
}

impl std::fmt::Display for Parameter {
    /// `lhs op rhs est`, as a lavaan parameter table row.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {} {}", self.lhs, self.op, self.rhs, self.est)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the bound cuts the sum short, the exact sum is as far below the last bit of 0.05,
    /// so the RMSEA search sees the same values.
    #[test]
    fn the_chernoff_shortcut_changes_no_search_value() {
        let mut cut = 0;
        for &df in &[1.0, 2.0, 5.0, 24.0, 51.0, 150.0] {
            for &x in &[0.5, 3.0, 24.0, 56.26, 300.0, 2_000.0] {
                for &ncp in &[1.0, 30.0, 100.0, 700.0, 5_000.0, 70_000.0, 400_000.0] {
                    let fast = pchisq_ncp_lower(x, df, ncp);
                    let exact = pchisq_ncp(x, df, ncp);
                    if fast != exact {
                        cut += 1;
                        assert_eq!(fast, 0.0);
                        assert!(exact < 1e-20, "{x} {df} {ncp}: {exact}");
                        for level in [0.05, 0.95] {
                            assert_eq!(fast - level, exact - level, "{x} {df} {ncp}");
                        }
                    }
                }
            }
        }
        assert!(cut > 10, "{cut}");
    }
}
