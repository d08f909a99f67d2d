//! Linear mixed models with one grouping factor, fitted as lme4's `lmer` fits them: sessions
//! within clients, clients within therapists.
//!
//! Two models, REML (the default) or maximum likelihood:
//!
//! - a random intercept, `y ~ covariates + (1 | group)`: [`MixedOptions::new`] with
//!   [`fixed`](MixedOptions::fixed) covariates;
//! - a random intercept and slope with their correlation, `y ~ x + (1 + x | group)`:
//!   [`MixedOptions::slope`].
//!
//! The criterion is profiled over the relative covariance factor theta as lme4 does (Bates,
//! Mächler, Bolker & Walker 2015, JSS 67(1), section 3); with one grouping factor the penalized
//! least squares is block diagonal, so it is solved per group in small dense blocks. The fixed
//! effects are the generalized least squares estimates given theta. Theta is found by a
//! Nelder-Mead search with its diagonal kept at or above 0, polished by Newton steps on
//! central-difference derivatives until a step is below 1e-9 of theta. The penalized residual
//! sum of squares is summed group by group at the estimates, so the criterion keeps about 14
//! digits on 120,000 rows (differences of the totals would keep 11) and theta agrees with lme4's
//! polished optimum to 2e-7 on 10,000 clients x 12 sessions.
//!
//! [`MixedOptions::split`] turns a covariate into its group mean and the deviation from it
//! (Baldwin, Wampold & Imel 2007), the therapist-effects workflow; [`MixedModel::icc`] is the
//! share of variance between groups of a random-intercept model.
//!
//! The input is a [`MixedTable`]: rows of a group, an outcome and numeric covariates, built from
//! rows ([`MixedTable::from_rows`]) or from a [`SessionTable`](crate::change::SessionTable)
//! for growth curves ([`MixedTable::from_sessions`]: the score over the session number, one
//! group per client; sessions without a score are left out).
//!
//! The result, a [`MixedModel`], holds the fixed effects (estimate, standard error, t, and
//! lmerTest's Satterthwaite degrees of freedom and p value), the
//! variance components in the shape of lme4's `as.data.frame(VarCorr(m))`, the REML criterion
//! or the log-likelihood, AIC, BIC and deviance, the intraclass correlation of a
//! random-intercept model, every group's conditional mode with its conditional standard
//! deviation (`ranef(m, condVar = TRUE)`), and the [`Convergence`] of the fit, where a variance
//! estimated as 0 (a boundary, "singular" fit) is said plainly.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
//!
//! // Four therapists, alliance of three clients each.
//! let rows = [
//!     ("t1", 5.1), ("t1", 5.6), ("t1", 4.9), ("t2", 6.2), ("t2", 6.0), ("t2", 5.7),
//!     ("t3", 4.4), ("t3", 4.9), ("t3", 4.6), ("t4", 5.5), ("t4", 5.2), ("t4", 6.1),
//! ];
//! let table = MixedTable::from_rows("therapist", "alliance", &[], rows.iter().map(|&(g, y)| (g, y, vec![])))?;
//! let model = MixedOptions::new().analyze(&table)?;
//! assert_eq!(model.fixed[0].term, "(Intercept)");
//! let icc = model.icc.unwrap_or(0.0);
//! assert!(icc > 0.0 && icc < 1.0);
//! assert!(model.reml_criterion.is_some() && model.loglik.is_none());
//! # Ok(())
//! # }
//! ```

mod fit;

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};

/// A validated long table for a mixed model: one row per observation with its group, outcome
/// and numeric covariates (all finite).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MixedTable {
    group_name: String,
    y_name: String,
    covariates: Vec<String>,
    /// The groups' levels in order of first appearance.
    levels: Vec<String>,
    /// Each row's group, an index into `levels`.
    groups: Vec<usize>,
    y: Vec<f64>,
    /// The covariates, row after row.
    x: Vec<f64>,
}

impl MixedTable {
    /// Builds the table from rows `(group, y, covariates)`, the covariates in the order of
    /// `covariates` (their column names).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidTable`] (naming the row, counted from 1, and the column) for a row
    /// whose covariates do not match the names, a value that is not finite, or an empty group;
    /// [`ErrorKind::InvalidOption`] for a column name given twice; [`ErrorKind::TooFewRows`]
    /// for a table without rows.
    pub fn from_rows<G: AsRef<str>>(
        group: &str,
        y: &str,
        covariates: &[&str],
        rows: impl IntoIterator<Item = (G, f64, Vec<f64>)>,
    ) -> Result<MixedTable> {
        let mut names: Vec<&str> = vec![group, y];
        names.extend_from_slice(covariates);
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(ErrorKind::InvalidOption {
                    option: "column",
                    value: (*name).to_string(),
                    reason: "is named twice".into(),
                }
                .into());
            }
        }
        let mut table = MixedTable {
            group_name: group.to_string(),
            y_name: y.to_string(),
            covariates: covariates.iter().map(|c| c.to_string()).collect(),
            levels: Vec::new(),
            groups: Vec::new(),
            y: Vec::new(),
            x: Vec::new(),
        };
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for (i, (g, value, xs)) in rows.into_iter().enumerate() {
            let row = i as u64 + 1;
            let bad = |column: &str, reason: &str| {
                Error::from(ErrorKind::InvalidTable {
                    reason: format!("row {row}, column {column}: {reason}"),
                })
                .at_row(row)
                .at_column(column)
            };
            if g.as_ref().trim().is_empty() {
                return Err(bad(group, "the group is empty"));
            }
            if !value.is_finite() {
                return Err(bad(y, "the value is not a finite number"));
            }
            if xs.len() != covariates.len() {
                return Err(Error::from(ErrorKind::InvalidTable {
                    reason: format!(
                        "row {row}: {} covariate value(s) for {} column(s)",
                        xs.len(),
                        covariates.len()
                    ),
                })
                .at_row(row));
            }
            if let Some(j) = xs.iter().position(|v| !v.is_finite()) {
                return Err(bad(
                    covariates.get(j).copied().unwrap_or(""),
                    "the value is not a finite number",
                ));
            }
            let level = match index.get(g.as_ref()) {
                Some(&k) => k,
                None => {
                    let k = table.levels.len();
                    table.levels.push(g.as_ref().to_string());
                    index.insert(g.as_ref().to_string(), k);
                    k
                }
            };
            table.groups.push(level);
            table.y.push(value);
            table.x.extend_from_slice(&xs);
        }
        if table.y.is_empty() {
            return Err(ErrorKind::TooFewRows {
                target: y.to_string(),
                rows: 0,
                statistic: "a mixed model",
                needed: 2,
            }
            .into());
        }
        Ok(table)
    }

    /// A growth-curve table from a session table: group `client`, outcome `score`, covariate
    /// `session` (the session number); sessions without a score are left out, not imputed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooFewRows`] when no session has a score.
    pub fn from_sessions(table: &crate::change::SessionTable) -> Result<MixedTable> {
        let rows: Vec<(&str, f64, Vec<f64>)> = table
            .rows()
            .filter_map(|(client, session, score)| {
                score.map(|s| (client, s, vec![f64::from(session)]))
            })
            .collect();
        MixedTable::from_rows("client", "score", &["session"], rows)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether the table has no rows (never true for a built table).
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// The covariate column names.
    pub fn covariates(&self) -> &[String] {
        &self.covariates
    }

    /// Each row's covariates.
    fn rows(&self) -> impl Iterator<Item = &[f64]> {
        let k = self.covariates.len();
        (0..self.y.len()).map(move |i| self.x.get(i * k..(i + 1) * k).unwrap_or(&[]))
    }
}

/// How the variance parameters are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Estimation {
    /// Restricted maximum likelihood (lme4's default, `REML = TRUE`).
    #[default]
    Reml,
    /// Maximum likelihood (`REML = FALSE`), for comparing models with different fixed effects.
    Ml,
}

/// Options of a mixed model: the fixed covariates, covariates split into their group mean and
/// the deviation from it, an optional random slope and the estimation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MixedOptions {
    fixed: Vec<String>,
    split: Vec<String>,
    slope: Option<String>,
    estimation: Estimation,
}

impl MixedOptions {
    /// A random-intercept model with no covariates, fitted by REML.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fixed covariates (columns of the table), after the intercept.
    pub fn fixed<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.fixed = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Covariates each split into its group mean, `COL_between`, and the deviation from it,
    /// `COL_within`, both fixed effects after the [`fixed`](MixedOptions::fixed) ones: the
    /// within/between decomposition of Baldwin, Wampold & Imel (2007) that separates a
    /// therapist's contribution to, say, the alliance-outcome association from the clients'.
    /// The means are taken over the rows of the table (the rows the model uses), as R's
    /// `ave(x, group)` on the rows passed to `lmer`.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
    ///
    /// // Outcome and alliance of three clients of each of four therapists.
    /// let rows = [
    ///     ("t1", 12.0, 5.1), ("t1", 10.5, 5.6), ("t1", 13.0, 4.9), ("t2", 8.0, 6.2),
    ///     ("t2", 9.5, 6.0), ("t2", 9.0, 5.7), ("t3", 15.0, 4.4), ("t3", 13.5, 4.9),
    ///     ("t3", 14.5, 4.6), ("t4", 10.0, 5.5), ("t4", 12.5, 5.2), ("t4", 9.0, 6.1),
    /// ];
    /// let table = MixedTable::from_rows(
    ///     "therapist",
    ///     "outcome",
    ///     &["alliance"],
    ///     rows.iter().map(|&(t, y, a)| (t, y, vec![a])),
    /// )?;
    /// let model = MixedOptions::new().split(["alliance"]).analyze(&table)?;
    /// let terms: Vec<&str> = model.fixed.iter().map(|f| f.term.as_str()).collect();
    /// assert_eq!(terms, ["(Intercept)", "alliance_between", "alliance_within"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn split<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.split = columns.into_iter().map(Into::into).collect();
        self
    }

    /// A random slope on this column, correlated with the random intercept: `(1 + x | group)`.
    pub fn slope(mut self, column: impl Into<String>) -> Self {
        self.slope = Some(column.into());
        self
    }

    /// REML or maximum likelihood.
    pub fn estimation(mut self, estimation: Estimation) -> Self {
        self.estimation = estimation;
        self
    }

    /// Fits the model to the table.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`] for a column that is not in the table, named twice (among
    /// the fixed and split columns), or both split and the random slope;
    /// [`ErrorKind::NoVariation`] for a covariate with one value in every row (a split column's
    /// `COL_within` when the column is constant within every group, `COL_between` when every
    /// group has the same mean);
    /// [`ErrorKind::TooFewRows`] for fewer groups than the random effects need (2 for an
    /// intercept, 3 with a slope), or no more rows than fixed effects, than groups (a random
    /// intercept) or than random effects (two per group with a slope), as lme4 refuses them;
    /// [`ErrorKind::InvalidTable`] for a singular fixed-effect design (a covariate that is a
    /// linear combination of the others) or a random slope that is constant within every group.
    pub fn analyze(&self, table: &MixedTable) -> Result<MixedModel> {
        let column = |name: &str, option: &'static str| -> Result<usize> {
            table
                .covariates
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| {
                    ErrorKind::InvalidOption {
                        option,
                        value: name.to_string(),
                        reason: "is not a covariate of the table".into(),
                    }
                    .into()
                })
        };
        let named: Vec<(&'static str, &String)> = self
            .fixed
            .iter()
            .map(|c| ("fixed", c))
            .chain(self.split.iter().map(|c| ("split", c)))
            .collect();
        for (i, &(option, name)) in named.iter().enumerate() {
            if named[..i].iter().any(|(_, n)| *n == name) {
                return Err(ErrorKind::InvalidOption {
                    option,
                    value: name.clone(),
                    reason: "is named twice (among the fixed and split columns)".into(),
                }
                .into());
            }
        }
        let fixed_idx = self
            .fixed
            .iter()
            .map(|name| column(name, "fixed"))
            .collect::<Result<Vec<usize>>>()?;
        let split_idx = self
            .split
            .iter()
            .map(|name| column(name, "split"))
            .collect::<Result<Vec<usize>>>()?;
        let slope_idx = match &self.slope {
            Some(name) => {
                if self.split.contains(name) {
                    return Err(ErrorKind::InvalidOption {
                        option: "slope",
                        value: name.clone(),
                        reason: "is also split into its group mean and the deviation from it; a random slope needs a column of its own".into(),
                    }
                    .into());
                }
                Some(column(name, "slope")?)
            }
            None => None,
        };
        let n = table.y.len();
        let levels = &table.levels;
        let member = &table.groups;
        let mut counts = vec![0usize; levels.len()];
        for &g in member {
            if let Some(c) = counts.get_mut(g) {
                *c += 1;
            }
        }
        // The split columns' group means (Baldwin, Wampold & Imel 2007).
        let mut means = vec![0.0; split_idx.len() * levels.len()];
        for (row, &g) in table.rows().zip(member) {
            for (k, &j) in split_idx.iter().enumerate() {
                if let Some(m) = means.get_mut(g * split_idx.len() + k) {
                    *m += row.get(j).copied().unwrap_or(0.0);
                }
            }
        }
        for (chunk, &c) in means.chunks_mut(split_idx.len().max(1)).zip(&counts) {
            for m in chunk {
                *m /= c.max(1) as f64;
            }
        }
        let mean_of =
            |g: usize, k: usize| means.get(g * split_idx.len() + k).copied().unwrap_or(0.0);
        // One design row: the intercept, the fixed covariates, each split column's group mean
        // and deviation from it.
        let design_row = |row: &[f64], g: usize, out: &mut [f64]| {
            let cells = std::iter::once(1.0)
                .chain(
                    fixed_idx
                        .iter()
                        .map(|&j| row.get(j).copied().unwrap_or(0.0)),
                )
                .chain(split_idx.iter().enumerate().flat_map(|(k, &j)| {
                    let mean = mean_of(g, k);
                    [mean, row.get(j).copied().unwrap_or(0.0) - mean]
                }));
            for (o, v) in out.iter_mut().zip(cells) {
                *o = v;
            }
        };
        let mut terms = vec!["(Intercept)".to_string()];
        terms.extend(self.fixed.iter().cloned());
        for name in &self.split {
            terms.push(format!("{name}_between"));
            terms.push(format!("{name}_within"));
        }
        let p = terms.len();
        // A design column (or the slope) with one value in every row has no variation; a
        // split column's deviations count as constant when they are rounding error alone.
        let mut xr = vec![0.0; p];
        let mut lo = vec![f64::INFINITY; p + 1];
        let mut hi = vec![f64::NEG_INFINITY; p + 1];
        let mut largest = vec![0.0_f64; p + 1];
        for (row, &g) in table.rows().zip(member) {
            design_row(row, g, &mut xr);
            let slope = slope_idx.map_or(0.0, |j| row.get(j).copied().unwrap_or(0.0));
            for (k, &v) in xr.iter().chain(std::iter::once(&slope)).enumerate() {
                lo[k] = lo[k].min(v);
                hi[k] = hi[k].max(v);
                largest[k] = largest[k].max(v.abs());
            }
        }
        let split_source = |k: usize| -> Option<f64> {
            // The largest raw value of the split column behind design column k.
            let s = (k.checked_sub(1 + fixed_idx.len())?) / 2;
            let j = *split_idx.get(s)?;
            Some(
                table
                    .rows()
                    .map(|r| r.get(j).copied().unwrap_or(0.0).abs())
                    .fold(0.0, f64::max),
            )
        };
        let slope_name = self.slope.clone().unwrap_or_default();
        for k in 1..=p {
            let name = if k == p {
                if slope_idx.is_none() {
                    continue;
                }
                &slope_name
            } else {
                &terms[k]
            };
            let spread = hi[k] - lo[k];
            let tolerance = split_source(k).map_or(0.0, |x| 1e-12 * x);
            if spread <= tolerance {
                return Err(ErrorKind::NoVariation {
                    variable: name.clone(),
                    rows: n as u64,
                    statistic: "a mixed model",
                }
                .into());
            }
        }
        let q = if slope_idx.is_some() { 2 } else { 1 };
        let n_theta = q * (q + 1) / 2;
        let needed_groups = n_theta.max(2);
        if levels.len() < needed_groups {
            return Err(ErrorKind::TooFewRows {
                target: table.group_name.clone(),
                rows: levels.len() as u64,
                statistic: if q == 1 {
                    "a random intercept (groups)"
                } else {
                    "a random intercept and slope (groups)"
                },
                needed: needed_groups as u64,
            }
            .into());
        }
        // lme4's checks: more rows than fixed effects, than groups (a random intercept), and
        // than random effects (an intercept and slope per group).
        let most = p.max(q * levels.len());
        if n <= most {
            return Err(ErrorKind::TooFewRows {
                target: table.y_name.clone(),
                rows: n as u64,
                statistic: "a mixed model",
                needed: (most + 1) as u64,
            }
            .into());
        }
        // The outcome is centered at its mean (the intercept takes the shift back exactly):
        // smaller cross products round less.
        let shift = table.y.iter().sum::<f64>() / n as f64;
        let mut blocks = fit::Blocks::new(q, p, levels.len());
        for ((row, &y), &g) in table.rows().zip(&table.y).zip(member) {
            design_row(row, g, &mut xr);
            let z = [
                1.0,
                slope_idx.map_or(0.0, |j| row.get(j).copied().unwrap_or(0.0)),
            ];
            blocks.add(g, &xr, z, y - shift);
        }
        if fit::cholesky(&blocks.xtx, p).is_none() {
            return Err(ErrorKind::InvalidTable {
                reason: "the fixed-effect design is singular: a covariate is a linear combination of the intercept and the others".into(),
            }
            .into());
        }
        if q == 2
            && blocks
                .ztz
                .iter()
                .all(|s| s[0] * s[2] - s[1] * s[1] <= 1e-12 * s[2].abs().max(1.0))
        {
            return Err(ErrorKind::InvalidTable {
                reason: format!(
                    "the random slope on {} is constant within every group of {}",
                    self.slope.clone().unwrap_or_default(),
                    table.group_name
                ),
            }
            .into());
        }
        let reml = self.estimation == Estimation::Reml;
        let objective = |theta: &[f64]| blocks.criterion(theta, reml);
        let (start, diagonal): (Vec<f64>, Vec<bool>) = if q == 1 {
            (vec![1.0], vec![true])
        } else {
            (vec![1.0, 0.0, 1.0], vec![true, false, true])
        };
        let optimum = fit::minimize(&objective, start, &diagonal);
        let theta = optimum.theta;
        let solution = blocks.solve(&theta, reml).ok_or_else(|| {
            Error::from(ErrorKind::InvalidTable {
                reason: "the fixed-effect design is singular given the random effects".into(),
            })
        })?;
        let dof = if reml { (n - p) as f64 } else { n as f64 };
        let sigma2 = solution.r2 / dof;
        let sigma = sigma2.sqrt();

        let inv_diag = fit::inverse_diagonal(&solution.rx, p);
        let dfs = fit::satterthwaite(&blocks, &theta, sigma, reml);
        let estimates: Vec<f64> = solution
            .beta
            .iter()
            .enumerate()
            .map(|(i, &b)| if i == 0 { b + shift } else { b })
            .collect();
        let fixed = terms
            .iter()
            .zip(&estimates)
            .zip(&inv_diag)
            .zip(&dfs)
            .map(|(((term, &estimate), &d), &df)| {
                let se = sigma * d.sqrt();
                let t = estimate / se;
                let p = df
                    .map(|df| crate::stats::pt_two_sided(t, df))
                    .filter(|p| p.is_finite());
                FixedEffect {
                    term: term.clone(),
                    estimate,
                    se,
                    t,
                    df,
                    p,
                }
            })
            .collect();

        let mut random_terms = vec!["(Intercept)".to_string()];
        random_terms.extend(self.slope.iter().cloned());
        let lam = fit::lambda(&theta, q);
        let cov = |i: usize, j: usize| {
            sigma2 * (0..q).map(|k| lam[i * q + k] * lam[j * q + k]).sum::<f64>()
        };
        let mut varcor = Vec::new();
        for (i, term) in random_terms.iter().enumerate() {
            let v = cov(i, i);
            varcor.push(VarianceComponent {
                group: table.group_name.clone(),
                var1: Some(term.clone()),
                var2: None,
                vcov: v,
                sdcor: v.sqrt(),
            });
        }
        if q == 2 {
            let (v0, v1, c) = (cov(0, 0), cov(1, 1), cov(0, 1));
            let denom = (v0 * v1).sqrt();
            varcor.push(VarianceComponent {
                group: table.group_name.clone(),
                var1: random_terms.first().cloned(),
                var2: random_terms.get(1).cloned(),
                vcov: c,
                sdcor: if denom > 0.0 { c / denom } else { 0.0 },
            });
        }
        varcor.push(VarianceComponent {
            group: "Residual".into(),
            var1: None,
            var2: None,
            vcov: sigma2,
            sdcor: sigma,
        });

        let modes = blocks.modes(&theta, &solution.beta);
        let ranef = levels
            .iter()
            .zip(&counts)
            .zip(&modes)
            .map(|((level, &n), (b, cv))| GroupEffect {
                level: level.clone(),
                n,
                values: random_terms
                    .iter()
                    .cloned()
                    .zip(b.iter().copied())
                    .collect(),
                cond_sd: random_terms
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, t)| {
                        (
                            t,
                            (sigma2 * cv.get(2 * i).copied().unwrap_or(0.0))
                                .max(0.0)
                                .sqrt(),
                        )
                    })
                    .collect(),
            })
            .collect();

        // lme4's isSingular: a diagonal entry of theta (0 for the intercept, 2 for a slope)
        // below 1e-4.
        let singular = (0..q).any(|i| {
            theta
                .get(if i == 0 { 0 } else { 2 })
                .copied()
                .unwrap_or(0.0)
                < 1e-4
        });
        let zero_variance: Vec<String> = random_terms
            .iter()
            .enumerate()
            .filter(|&(i, _)| cov(i, i) < 1e-8 * sigma2)
            .map(|(_, t)| t.clone())
            .collect();
        let boundary = if !singular {
            None
        } else if !zero_variance.is_empty() {
            Some(format!(
                "boundary fit: the variance of {} in {} is estimated as 0",
                zero_variance.join(" and "),
                table.group_name
            ))
        } else {
            Some(format!(
                "boundary fit: the random intercept and slope in {} are perfectly correlated (correlation {:+.0})",
                table.group_name,
                varcor.get(2).map_or(0.0, |v| v.sdcor)
            ))
        };
        let icc = if q == 1 {
            let vb = cov(0, 0);
            Some(vb / (vb + sigma2))
        } else {
            None
        };
        let n_params = p + n_theta + 1;
        let (reml_criterion, loglik, aic, bic, deviance) = if reml {
            (Some(solution.deviance), None, None, None, None)
        } else {
            let dev = solution.deviance;
            (
                None,
                Some(-dev / 2.0),
                Some(dev + 2.0 * n_params as f64),
                Some(dev + (n as f64).ln() * n_params as f64),
                Some(dev),
            )
        };
        Ok(MixedModel {
            estimation: self.estimation,
            group: table.group_name.clone(),
            n_obs: n,
            n_groups: levels.len(),
            fixed,
            varcor,
            reml_criterion,
            loglik,
            aic,
            bic,
            deviance,
            icc,
            ranef,
            convergence: Convergence {
                iterations: optimum.iterations,
                gradient: optimum.gradient,
                scaled_gradient: optimum.scaled_gradient,
                converged: optimum.scaled_gradient <= CONVERGED,
                theta,
                singular,
                zero_variance,
                boundary,
            },
        })
    }
}

/// One fixed effect: lme4's `coef(summary(m))` row.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct FixedEffect {
    /// The term as lme4 names it: `(Intercept)` or the column.
    pub term: String,
    /// The estimate (generalized least squares given the variance parameters).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// The t value, estimate / se.
    pub t: f64,
    /// Satterthwaite's degrees of freedom as lmerTest computes them (`summary(m)` of an
    /// `lmerTest::lmer` fit); `None` when the variance parameters' Hessian is not positive
    /// definite (a boundary fit).
    pub df: Option<f64>,
    /// The two-sided p value of t on those degrees of freedom.
    pub p: Option<f64>,
}

/// One row of lme4's `as.data.frame(VarCorr(m))`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct VarianceComponent {
    /// The grouping column, or `Residual`.
    pub group: String,
    /// The random term (`(Intercept)` or the slope's column); `None` for the residual.
    pub var1: Option<String>,
    /// The second term of a covariance; `None` for a variance.
    pub var2: Option<String>,
    /// The variance or covariance.
    pub vcov: f64,
    /// The standard deviation, or the correlation of a covariance (0 when a variance is 0,
    /// where lme4 gives NaN).
    pub sdcor: f64,
}

/// A group's conditional mode (BLUP) with its conditional standard deviation:
/// `ranef(m, condVar = TRUE)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct GroupEffect {
    /// The group's level.
    pub level: String,
    /// Its observations.
    pub n: usize,
    /// The conditional mode per random term.
    pub values: BTreeMap<String, f64>,
    /// The conditional standard deviation per random term.
    pub cond_sd: BTreeMap<String, f64>,
}

/// The scaled gradient below which a fit has converged.
const CONVERGED: f64 = 1e-6;

/// How the optimizer ended.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Convergence {
    /// Nelder-Mead iterations plus Newton polishing steps.
    pub iterations: u32,
    /// Largest absolute derivative of the criterion over the theta coordinates not at a bound
    /// (central differences); 0 when every coordinate is at its bound. It scales with the
    /// criterion (about 1e-5 on 120,000 rows, whose criterion is near 7e5, at an optimum found
    /// to 1e-7 in theta).
    pub gradient: f64,
    /// The scale-free measure: the largest entry of the Newton step `H^-1 g` over the free
    /// coordinates of theta, the scaled gradient lme4's convergence check reads (it warns
    /// above 2e-3); here it is below 1e-6 at a converged fit, infinite when the Hessian is not
    /// positive definite there.
    pub scaled_gradient: f64,
    /// Whether the fit converged: the scaled gradient is below 1e-6 (or every coordinate of
    /// theta is at its bound).
    pub converged: bool,
    /// The relative covariance factor at the optimum, in lme4's order (`getME(m, "theta")`).
    pub theta: Vec<f64>,
    /// A boundary ("singular") fit, lme4's `isSingular` (a diagonal entry of theta below 1e-4):
    /// a random-effect variance estimated as 0, or an intercept and slope perfectly correlated.
    pub singular: bool,
    /// The random terms whose variance is estimated as (nearly) 0 (below 1e-8 of the residual
    /// variance).
    pub zero_variance: Vec<String>,
    /// A boundary fit said plainly ("boundary fit: the variance of (Intercept) in therapist is
    /// estimated as 0"); `None` for an interior fit.
    pub boundary: Option<String>,
}

/// A fitted linear mixed model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct MixedModel {
    /// REML or maximum likelihood.
    pub estimation: Estimation,
    /// The grouping column.
    pub group: String,
    /// Observations.
    pub n_obs: usize,
    /// Groups.
    pub n_groups: usize,
    /// The fixed effects, the intercept first.
    pub fixed: Vec<FixedEffect>,
    /// The variance components: each random term's variance, their covariance (with a slope),
    /// then the residual.
    pub varcor: Vec<VarianceComponent>,
    /// The REML criterion (`REMLcrit(m)`), under REML.
    pub reml_criterion: Option<f64>,
    /// The log-likelihood, under ML.
    pub loglik: Option<f64>,
    /// AIC, under ML.
    pub aic: Option<f64>,
    /// BIC, under ML.
    pub bic: Option<f64>,
    /// The deviance (-2 log-likelihood), under ML.
    pub deviance: Option<f64>,
    /// The intraclass correlation of a random-intercept model: the group variance over the
    /// group and residual variances (with fixed covariates, the share of the variance they
    /// leave that lies between groups); `None` with a random slope, where it depends on the
    /// slope's covariate.
    pub icc: Option<f64>,
    /// Every group's conditional mode, in order of first appearance, with its observations.
    pub ranef: Vec<GroupEffect>,
    /// How the optimizer ended.
    pub convergence: Convergence,
}
