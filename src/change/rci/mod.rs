//! Reliable change and clinical significance (Jacobson & Truax 1991, and the alternative
//! indices reviewed by Bauer, Lambert & Nielsen 2004), as the R package clinicalsignificance
//! (Claus et al. 2025, version 2.1.0) computes them.
//!
//! Each person's change from a pre-test to a post-test is tested against measurement error (the
//! reliable change index, RCI) and their scores are placed either side of a cutoff between the
//! clinical and the functional population. Together they give one [`ChangeCategory`] per person.
//!
//! References:
//! - Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
//!   defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
//!   Psychology, 59*(1), 12-19. <https://doi.org/10.1037/0022-006X.59.1.12>
//! - Hsu, L. M. (1989). Reliable changes in psychotherapy: Taking into account regression toward
//!   the mean. *Behavioral Assessment, 11*(4), 459-467.
//! - Hsu, L. M. (1995). Regression toward the mean associated with measurement error and the
//!   identification of improvement and deterioration in psychotherapy. *Journal of Consulting
//!   and Clinical Psychology, 63*(1), 141-144. <https://doi.org/10.1037/0022-006X.63.1.141>
//! - Speer, D. C. (1992). Clinically significant change: Jacobson and Truax (1991) revisited.
//!   *Journal of Consulting and Clinical Psychology, 60*(3), 402-408.
//!   <https://doi.org/10.1037/0022-006X.60.3.402>
//! - Nunnally, J. C., & Kotsch, W. E. (1983). Studies of individual subjects: Logic and methods
//!   of analysis. *British Journal of Clinical Psychology, 22*(2), 83-93.
//!   <https://doi.org/10.1111/j.2044-8260.1983.tb00582.x>
//! - Hageman, W. J. J. M., & Arrindell, W. A. (1999). Establishing clinically significant change:
//!   Increment of precision and the distinction between individual and group level of analysis.
//!   *Behaviour Research and Therapy, 37*(12), 1169-1193.
//!   <https://doi.org/10.1016/S0005-7967(99)00032-7>
//! - Bauer, S., Lambert, M. J., & Nielsen, S. L. (2004). Clinical significance methods: A
//!   comparison of statistical techniques. *Journal of Personality Assessment, 82*(1), 60-70.
//!   <https://doi.org/10.1207/s15327752jpa8201_11>
//! - Claus, B. B., Wager, J., & Bonnet, U. (2025). clinicalsignificance: Clinical significance
//!   analyses of intervention studies in R. *Journal of Statistical Software, 111*(1).
//!   <https://doi.org/10.18637/jss.v111.i01>

use super::Better;
use crate::error::check_field;
use crate::error::{Error, ErrorKind, Num, Result};
use crate::ids::TextRule;
use crate::stats;
use crate::vocab::vocabulary;
use std::collections::HashMap;

/// How the reliable change index (RCI) is computed.
///
/// With `x` the pre-test and `y` the post-test score, `M` and `SD` the means and standard
/// deviations of the analyzed sample, `r` the reliability and `SEM = SD_pre * sqrt(1 - r)` the
/// standard error of measurement:
///
/// | method | RCI |
/// |---|---|
/// | JT | `(y - x) / sqrt(2 SEM²)` |
/// | GLN | `((y - M_pre) - r (x - M_pre)) / (SD_pre sqrt(1 - r²))` |
/// | HLL | `((y - M_post) - r (x - M_pre)) / (SD_pre sqrt(1 - r²))`: change relative to the group's mean change |
/// | EN | `(y - (r (x - M_pre) + M_pre)) / SEM` |
/// | NK | `(y - (r (x - M_pre) + M_pre)) / sqrt(r² SD_pre² (1 - r) + SD_pre² (1 - r_post))` |
/// | HA | `((y - x) r_dd + (M_post - M_pre)(1 - r_dd)) / (sqrt(r_dd) sqrt(2 SEM²))` |
///
/// HA's `r_dd` is the reliability of the differences (see [`HagemanArrindell`]). Every method
/// but HA is tested two-tailed (`z` at `1 - alpha / 2`, 1.96 at .05); HA one-tailed (`z` at
/// `1 - alpha`, 1.645 at .05), as Hageman and Arrindell (1999) propose.
///
/// ```
/// use therapeutic_alliance::change::RciMethod;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("hll".parse::<RciMethod>()?, RciMethod::HsuLinnLord);
/// assert_eq!(RciMethod::HagemanArrindell.to_string(), "ha");
/// assert!(RciMethod::HagemanArrindell.one_tailed());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RciMethod {
    /// Jacobson and Truax (1991): the change over the standard error of the difference.
    JacobsonTruax,
    /// Gulliksen, Lord and Novick (Hsu 1989, 1995): the post-test against the score predicted
    /// from the pre-test by regression toward the pre-test mean.
    GulliksenLordNovick,
    /// Hsu, Linn and Lord (Hsu 1989): as GLN, but measured from the post-test mean, so change is
    /// judged relative to the group's mean change.
    HsuLinnLord,
    /// Edwards and Nunnally (Speer 1992): the post-test against the estimated true pre-test
    /// score, over the standard error of measurement.
    EdwardsNunnally,
    /// Nunnally and Kotsch (1983): as EN, with a separate post-test reliability in the
    /// standard error.
    NunnallyKotsch,
    /// Hageman and Arrindell (1999): the change weighted by the reliability of the differences,
    /// tested one-tailed, with "true" cutoffs and an individual clinical-significance index.
    HagemanArrindell,
}

vocabulary!(
    RciMethod,
    "reliable change method",
    Some("written in lowercase: jt, gln, hll, en, nk or ha"),
    [
        JacobsonTruax => "jt",
        GulliksenLordNovick => "gln",
        HsuLinnLord => "hll",
        EdwardsNunnally => "en",
        NunnallyKotsch => "nk",
        HagemanArrindell => "ha",
    ]
);

impl RciMethod {
    /// Whether the RCI is tested one-tailed (only Hageman and Arrindell's).
    ///
    /// ```
    /// use therapeutic_alliance::change::RciMethod;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!(!"jt".parse::<RciMethod>()?.one_tailed());
    /// # Ok(())
    /// # }
    /// ```
    pub const fn one_tailed(self) -> bool {
        matches!(self, RciMethod::HagemanArrindell)
    }

    /// The paper the method comes from.
    ///
    /// ```
    /// use therapeutic_alliance::change::RciMethod;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!("jt".parse::<RciMethod>()?.citation().starts_with("Jacobson, N. S., & Truax, P. (1991)"));
    /// # Ok(())
    /// # }
    /// ```
    pub const fn citation(self) -> &'static str {
        match self {
            RciMethod::JacobsonTruax => {
                "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59(1), 12-19."
            }
            RciMethod::GulliksenLordNovick => {
                "Hsu, L. M. (1995). Regression toward the mean associated with measurement error and the identification of improvement and deterioration in psychotherapy. Journal of Consulting and Clinical Psychology, 63(1), 141-144."
            }
            RciMethod::HsuLinnLord => {
                "Hsu, L. M. (1989). Reliable changes in psychotherapy: Taking into account regression toward the mean. Behavioral Assessment, 11(4), 459-467."
            }
            RciMethod::EdwardsNunnally => {
                "Speer, D. C. (1992). Clinically significant change: Jacobson and Truax (1991) revisited. Journal of Consulting and Clinical Psychology, 60(3), 402-408."
            }
            RciMethod::NunnallyKotsch => {
                "Nunnally, J. C., & Kotsch, W. E. (1983). Studies of individual subjects: Logic and methods of analysis. British Journal of Clinical Psychology, 22(2), 83-93."
            }
            RciMethod::HagemanArrindell => {
                "Hageman, W. J. J. M., & Arrindell, W. A. (1999). Establishing clinically significant change: Increment of precision and the distinction between individual and group level of analysis. Behaviour Research and Therapy, 37(12), 1169-1193."
            }
        }
    }
}

/// Where the cutoff between the clinical and the functional population lies (Jacobson & Truax
/// 1991), with `better` pointing away from dysfunction:
///
/// - `a`: two clinical SDs from the clinical mean, toward the functional side;
/// - `b`: two SDs from the functional mean, toward the clinical side (which SD: [`CutoffBSd`]);
/// - `c`: the point equally likely under both: `(SD_c M_f + SD_f M_c) / (SD_c + SD_f)`.
///
/// Hageman and Arrindell's "true" cutoffs replace each `SD` by `SD sqrt(r)`, `r` the
/// reliability in that population. `b` and `c` need the functional population's mean and SD.
///
/// ```
/// use therapeutic_alliance::change::CutoffType;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("c".parse::<CutoffType>()?, CutoffType::C);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CutoffType {
    /// Beyond two clinical SDs from the clinical mean (the default, as in clinicalsignificance).
    #[default]
    A,
    /// Within two SDs of the functional mean.
    B,
    /// Nearer the functional than the clinical mean, in SD units.
    C,
}

vocabulary!(CutoffType, "cutoff type", None, [A => "a", B => "b", C => "c"]);

/// Which SD cutoff `b` steps from the functional mean.
///
/// Jacobson and Truax (1991) define `b` as two SDs *of the functional population* from its
/// mean: [`CutoffBSd::Functional`], the default. clinicalsignificance (2.1.0) uses the clinical
/// SD instead: [`CutoffBSd::Clinical`] reproduces it.
///
/// ```
/// use therapeutic_alliance::change::CutoffBSd;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(CutoffBSd::default(), "functional".parse()?);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CutoffBSd {
    /// The functional population's SD (Jacobson & Truax 1991; the default).
    #[default]
    Functional,
    /// The clinical population's SD (clinicalsignificance's choice).
    Clinical,
}

vocabulary!(CutoffBSd, "cutoff b SD", None, [Functional => "functional", Clinical => "clinical"]);

/// Who Hageman and Arrindell's method (HA) calls *harmed*, the only category where the peers
/// differ. Under HA, *recovered* is the same in all three: reliably improved, started on the
/// clinical side, and the individual clinical-significance index ([`PersonChange::cs_index`])
/// reliably on the functional side.
///
/// What the R package clinicalsignificance (2.1.0) does: its `cs_combined(..., rci_method =
/// "HA")` derives one set of categories per person and counts them in its summary table, and
/// `cs_get_augmented_data()` returns the same per-person categories. There *harmed* is anyone
/// who did not start on the clinical side and deteriorated reliably, wherever they ended (its
/// rule `!clinical_pre & !functional_post & deteriorated`, where under HA `functional_post`
/// already requires `clinical_pre`): [`HaCategories::CsCombined`]. The package's own per-person
/// HA categorization (`.calc_recovered_ha`, which its earlier `clinical_significance()` used;
/// 2.1.0 still ships it) never calls anyone harmed: a reliable deterioration is
/// *deteriorated*: [`HaCategories::NeverHarmed`].
///
/// ```
/// use therapeutic_alliance::change::{ChangeCategory, ChangeRow, CutoffType, HaCategories, ReliableChangeOptions, RciMethod};
/// use therapeutic_alliance::Better;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // "f" starts on the functional side (0) and ends past the cutoff, but not reliably so.
/// let rows = [("f", 0.0, 12.0), ("g", 2.0, 40.0), ("h", 30.0, 8.0), ("i", 35.0, 30.0),
///             ("j", 28.0, 27.0), ("k", 40.0, 10.0)]
///     .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)));
/// let ha = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.95, Better::Lower)?
///     .functional(5.0, 5.0)?
///     .cutoff(CutoffType::C);
/// let f_and_g = |categories| -> Result<_, therapeutic_alliance::Error> {
///     let r = ha.clone().ha_categories(categories).analyze(rows.clone())?;
///     Ok((r.people[0].category, r.people[1].category))
/// };
/// use ChangeCategory::{Deteriorated, Harmed};
/// assert_eq!(f_and_g(HaCategories::TrueScore)?, (Deteriorated, Harmed));
/// assert_eq!(f_and_g(HaCategories::CsCombined)?, (Harmed, Harmed));
/// assert_eq!(f_and_g(HaCategories::NeverHarmed)?, (Deteriorated, Deteriorated));
/// assert_eq!("cs-combined".parse::<HaCategories>()?, HaCategories::CsCombined);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum HaCategories {
    /// The crate's default: *harmed* is reliably worse, not started on the clinical side, and
    /// the individual clinical-significance index reliably on the clinical side (the mirror
    /// image of recovered, as Hageman and Arrindell judge a crossing).
    #[default]
    TrueScore,
    /// As clinicalsignificance's `cs_combined()` (its summary table and
    /// `cs_get_augmented_data()`): *harmed* is reliably worse and not started on the clinical
    /// side, wherever the person ended.
    CsCombined,
    /// As clinicalsignificance's per-person HA function `.calc_recovered_ha`: nobody is
    /// *harmed*; reliably worse is *deteriorated*.
    NeverHarmed,
}

vocabulary!(
    HaCategories,
    "HA categories",
    None,
    [
        TrueScore => "true-score",
        CsCombined => "cs-combined",
        NeverHarmed => "never-harmed",
    ]
);

/// What happened to one person (Jacobson & Truax 1991; harmed as in clinicalsignificance's
/// `cs_combined()`).
///
/// - `recovered`: reliably improved, and crossed the cutoff from the clinical to the functional
///   side;
/// - `improved`: reliably improved, without that crossing;
/// - `unchanged`: no reliable change;
/// - `deteriorated`: reliably worse, without the opposite crossing;
/// - `harmed`: reliably worse, and crossed from the functional to the clinical side (did not
///   start on the clinical side and did not end on the functional side).
///
/// A pre-test or post-test exactly on the cutoff is on neither side. Under Hageman and
/// Arrindell the crossing is judged by their individual clinical-significance index instead of
/// the post-test score (see [`PersonChange::cs_index`]), and who is harmed depends on
/// [`HaCategories`].
///
/// ```
/// use therapeutic_alliance::change::ChangeCategory;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("recovered".parse::<ChangeCategory>()?, ChangeCategory::Recovered);
/// assert_eq!(ChangeCategory::ALL.len(), 5);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeCategory {
    /// Reliably improved and now functional.
    Recovered,
    /// Reliably improved.
    Improved,
    /// No reliable change.
    Unchanged,
    /// Reliably worse.
    Deteriorated,
    /// Reliably worse and now dysfunctional.
    Harmed,
}

vocabulary!(
    ChangeCategory,
    "change category",
    None,
    [
        Recovered => "recovered",
        Improved => "improved",
        Unchanged => "unchanged",
        Deteriorated => "deteriorated",
        Harmed => "harmed",
    ]
);

/// One person's pre-test and post-test score; a missing score is `None`, and such a person is
/// left out of the analysis (complete cases only) and counted in
/// [`ReliableChange::dropped`].
///
/// ```
/// use therapeutic_alliance::change::ChangeRow;
///
/// let row = ChangeRow::new("c-017", Some(25.0), Some(13.0));
/// assert_eq!((row.id.as_str(), row.pre, row.post), ("c-017", Some(25.0), Some(13.0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ChangeRow {
    /// The person's id (unique among the rows).
    pub id: String,
    /// The pre-test score.
    pub pre: Option<f64>,
    /// The post-test score.
    pub post: Option<f64>,
}

impl ChangeRow {
    /// A row; validated when analyzed.
    ///
    /// ```
    /// use therapeutic_alliance::change::ChangeRow;
    ///
    /// assert_eq!(ChangeRow::new("4", Some(21.0), None).post, None);
    /// ```
    pub fn new(id: impl Into<String>, pre: Option<f64>, post: Option<f64>) -> Self {
        ChangeRow {
            id: id.into(),
            pre,
            post,
        }
    }
}

/// A population's mean and SD, given.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Population {
    mean: f64,
    sd: f64,
}

impl Population {
    /// Validates a mean and SD given for the options named `m_opt` and `sd_opt`.
    fn new(mean: f64, sd: f64, m_opt: &'static str, sd_opt: &'static str) -> Result<Self> {
        if !mean.is_finite() {
            return Err(invalid_option(m_opt, mean, "must be a finite number"));
        }
        if !(sd.is_finite() && sd > 0.0) {
            return Err(invalid_option(
                sd_opt,
                sd,
                "must be a finite number above 0",
            ));
        }
        Ok(Population { mean, sd })
    }
}

fn invalid_option(option: &'static str, value: f64, reason: impl Into<String>) -> Error {
    ErrorKind::InvalidOption {
        option,
        value: Num(value).to_string(),
        reason: reason.into(),
    }
    .into()
}

fn invalid_data(reason: String) -> Error {
    ErrorKind::InvalidTable { reason }.into()
}

/// How to analyze reliable change and clinical significance: the RCI method, the instrument's
/// reliability, which direction is better, and the options below; then
/// [`analyze`](ReliableChangeOptions::analyze) one [`ChangeRow`] per person.
///
/// Defaults: significance level .05; cutoff type `a`; the clinical population's mean and SD are
/// the analyzed sample's pre-test mean and SD (as clinicalsignificance takes them), unless given
/// with [`clinical`](ReliableChangeOptions::clinical); cutoff `b` steps two *functional* SDs
/// ([`CutoffBSd::Functional`], Jacobson & Truax's definition; clinicalsignificance uses the
/// clinical SD: set [`CutoffBSd::Clinical`] to match it); the NK post-test reliability is the
/// reliability (as clinicalsignificance assumes when none is given).
///
/// The RCI itself always uses the analyzed sample's means and SDs (as clinicalsignificance
/// does); a given clinical mean and SD move only the cutoff.
///
/// ## Coming from clinicalsignificance
/// `cs_combined(claus_2020, id, time, hamd, pre = 1, post = 4, reliability = 0.80,
/// m_functional = 8, sd_functional = 8, better_is = "lower", rci_method = "JT",
/// cutoff_type = "c")` is
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeCategory, ChangeRow, CutoffType, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("1", 25.0, 13.0), ("2", 15.0, 11.0), ("3", 28.0, 4.0), ("5", 30.0, 25.0),
///             ("13", 24.0, 30.0), ("21", 22.0, 21.0)]
///     .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)));
/// let result = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.80, Better::Lower)?
///     .functional(8.0, 8.0)?
///     .cutoff(CutoffType::C)
///     .analyze(rows)?;
/// assert_eq!(result.n_used, 6);
/// assert_eq!(result.people[2].category, ChangeCategory::Recovered);
/// assert_eq!(result.counts.get(ChangeCategory::Recovered), 2);
/// assert!((result.critical_value - 1.959963984540054).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
///
/// For cutoff type `b`, add `.cutoff_b_sd(CutoffBSd::Clinical)` to reproduce the package.
///
/// Where the crate differs from clinicalsignificance 2.1.0, on purpose:
/// - Cutoff `b` defaults to Jacobson and Truax's functional SD (above).
/// - HA's *harmed*: the package's `cs_combined()` calls harmed (per person and in its summary
///   table alike) anyone who did not start on the clinical side and deteriorated reliably,
///   wherever they ended. Here, by default, harmed under HA also needs the individual
///   clinical-significance index reliably on the clinical side, as recovered needs it reliably
///   on the functional side (the package's own HA statistical approach judges a move to the
///   clinical side this way). Set [`HaCategories::CsCombined`] with
///   [`ha_categories`](ReliableChangeOptions::ha_categories) to reproduce the package, or
///   [`HaCategories::NeverHarmed`] for its per-person HA function that never uses harmed. On
///   the package's `claus_2020` example all three agree.
/// - A reliability of 0 or 1 (for NK: both 1) is refused; the package accepts it and divides
///   by zero. Ids must be unique, and degenerate data (no variance, overflow) is an error,
///   never a NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliableChangeOptions {
    method: RciMethod,
    reliability: f64,
    better: Better,
    alpha: f64,
    cutoff: CutoffType,
    cutoff_b_sd: CutoffBSd,
    functional: Option<Population>,
    clinical: Option<Population>,
    post_reliability: Option<f64>,
    ha_categories: HaCategories,
}

impl ReliableChangeOptions {
    /// The analysis with a method, the instrument's reliability (above 0, at most 1) and the
    /// direction of improvement; other options at their defaults.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a reliability that is not above 0 and at most 1, or of
    /// exactly 1 for any method but NK (whose standard error is then still positive if the
    /// post-test reliability is below 1): at reliability 1 the other methods' standard errors
    /// are 0.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::EdwardsNunnally, 0.85, Better::Higher)?;
    /// assert_eq!(rc.reliability(), 0.85);
    /// let err = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 1.2, Better::Lower).unwrap_err();
    /// assert_eq!(err.code(), "invalid_option");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(method: RciMethod, reliability: f64, better: Better) -> Result<Self> {
        check_reliability("reliability", reliability)?;
        if reliability == 1.0 && method != RciMethod::NunnallyKotsch {
            return Err(invalid_option(
                "reliability",
                reliability,
                format!(
                    "the {method} reliable change index divides by 0 at reliability 1; give a reliability below 1"
                ),
            ));
        }
        Ok(ReliableChangeOptions {
            method,
            reliability,
            better,
            alpha: 0.05,
            cutoff: CutoffType::A,
            cutoff_b_sd: CutoffBSd::Functional,
            functional: None,
            clinical: None,
            post_reliability: None,
            ha_categories: HaCategories::TrueScore,
        })
    }

    /// Sets the significance level (default .05): the RCI's critical value is the standard
    /// normal quantile at `1 - alpha / 2` (two-tailed), or at `1 - alpha` for HA (one-tailed).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `0 < alpha < 0.5`.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.significance(0.01)?;
    /// assert!((rc.critical_value() - 2.5758293035489).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn significance(mut self, alpha: f64) -> Result<Self> {
        if !(alpha > 0.0 && alpha < 0.5) {
            return Err(invalid_option(
                "significance level",
                alpha,
                "must be above 0 and below 0.5",
            ));
        }
        self.alpha = alpha;
        Ok(self)
    }

    /// Sets the cutoff type (default `a`).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{CutoffType, ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?
    ///     .functional(8.0, 8.0)?
    ///     .cutoff(CutoffType::C);
    /// # let _ = rc;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn cutoff(mut self, cutoff: CutoffType) -> Self {
        self.cutoff = cutoff;
        self
    }

    /// Sets which SD cutoff `b` steps from the functional mean (default: the functional SD, as
    /// Jacobson & Truax define it; [`CutoffBSd::Clinical`] matches clinicalsignificance).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{CutoffBSd, CutoffType, ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let peer_like = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?
    ///     .functional(8.0, 8.0)?
    ///     .cutoff(CutoffType::B)
    ///     .cutoff_b_sd(CutoffBSd::Clinical);
    /// # let _ = peer_like;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn cutoff_b_sd(mut self, sd: CutoffBSd) -> Self {
        self.cutoff_b_sd = sd;
        self
    }

    /// Sets the functional (non-clinical) population's mean and SD, needed for cutoffs `b`
    /// and `c`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a mean that is not finite or an SD that is not a finite
    /// number above 0.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?;
    /// assert!(rc.clone().functional(8.0, 8.0).is_ok());
    /// assert_eq!(rc.functional(8.0, 0.0).unwrap_err().code(), "invalid_option");
    /// # Ok(())
    /// # }
    /// ```
    pub fn functional(mut self, mean: f64, sd: f64) -> Result<Self> {
        self.functional = Some(Population::new(
            mean,
            sd,
            "functional mean",
            "functional SD",
        )?);
        Ok(self)
    }

    /// Sets the clinical population's mean and SD for the cutoff, instead of the analyzed
    /// sample's pre-test mean and SD (the default, as clinicalsignificance takes them).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a mean that is not finite or an SD that is not a finite
    /// number above 0.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.clinical(26.0, 5.0)?;
    /// # let _ = rc;
    /// # Ok(())
    /// # }
    /// ```
    pub fn clinical(mut self, mean: f64, sd: f64) -> Result<Self> {
        self.clinical = Some(Population::new(mean, sd, "clinical mean", "clinical SD")?);
        Ok(self)
    }

    /// Sets the post-test reliability, used by the NK method only (by default the
    /// reliability).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a reliability that is not above 0 and at most 1.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::NunnallyKotsch, 0.8, Better::Lower)?.post_reliability(0.5)?;
    /// # let _ = rc;
    /// # Ok(())
    /// # }
    /// ```
    pub fn post_reliability(mut self, reliability: f64) -> Result<Self> {
        check_reliability("post reliability", reliability)?;
        self.post_reliability = Some(reliability);
        Ok(self)
    }

    /// Sets who is *harmed* under Hageman and Arrindell (default
    /// [`HaCategories::TrueScore`]); [`HaCategories::CsCombined`] reproduces
    /// clinicalsignificance's `cs_combined()` per person. No effect on other methods.
    ///
    /// ```
    /// use therapeutic_alliance::change::{HaCategories, ReliableChangeOptions, RciMethod};
    /// use therapeutic_alliance::Better;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ha = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.8, Better::Lower)?
    ///     .ha_categories(HaCategories::CsCombined);
    /// assert_eq!(ha.ha_categories_value(), HaCategories::CsCombined);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn ha_categories(mut self, categories: HaCategories) -> Self {
        self.ha_categories = categories;
        self
    }

    /// Who is *harmed* under Hageman and Arrindell (see
    /// [`ha_categories`](ReliableChangeOptions::ha_categories)).
    ///
    /// ```
    /// use therapeutic_alliance::change::{HaCategories, ReliableChangeOptions, RciMethod};
    /// use therapeutic_alliance::Better;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let jt = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?;
    /// assert_eq!(jt.ha_categories_value(), HaCategories::TrueScore);
    /// # Ok(())
    /// # }
    /// ```
    pub fn ha_categories_value(&self) -> HaCategories {
        self.ha_categories
    }

    /// The RCI method.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeOptions::new(RciMethod::HsuLinnLord, 0.8, Better::Lower)?;
    /// assert_eq!(rc.method(), RciMethod::HsuLinnLord);
    /// # Ok(())
    /// # }
    /// ```
    pub fn method(&self) -> RciMethod {
        self.method
    }

    /// The reliability.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.reliability(), 0.8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliability(&self) -> f64 {
        self.reliability
    }

    /// Which direction is better.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.better(), Better::Lower);
    /// # Ok(())
    /// # }
    /// ```
    pub fn better(&self) -> Better {
        self.better
    }

    /// The critical value of the RCI: the standard normal quantile at `1 - alpha / 2`, or at
    /// `1 - alpha` for HA.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ha = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.8, Better::Lower)?;
    /// assert!((ha.critical_value() - 1.6448536269514722).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn critical_value(&self) -> f64 {
        let p = if self.method.one_tailed() {
            1.0 - self.alpha
        } else {
            1.0 - self.alpha / 2.0
        };
        // `p` is in (0.5, 1), where the quantile is defined.
        stats::qnorm(p).unwrap_or(f64::NAN)
    }

    /// Analyses one row per person: each complete person's RCI and category, the counts, and
    /// everything the computation used.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidText`] for an id that is not a valid id, and
    ///   [`ErrorKind::InvalidTable`] for an id given twice or a score that is not a finite
    ///   number; each located at its row (counted from 1).
    /// - [`ErrorKind::TooFewRows`] with fewer than 2 complete rows.
    /// - [`ErrorKind::InvalidTable`] when the data leave the computation undefined: pre-test
    ///   scores that do not vary; for HA, post-test scores that do not vary more than the
    ///   measurement error, equal changes for everyone, or a reliability of the differences
    ///   that is not positive; or scores so extreme that the sums overflow.
    /// - [`ErrorKind::InvalidOption`] for cutoff `b` or `c` without a functional population;
    ///   NK with reliability and post-test reliability both 1; for HA, a clinical or
    ///   functional SD (used by the cutoff) not above the standard error of measurement.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ChangeCategory, ChangeRow, ReliableChangeOptions, RciMethod};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rows = vec![
    ///     ChangeRow::new("a", Some(30.0), Some(12.0)),
    ///     ChangeRow::new("b", Some(24.0), Some(22.0)),
    ///     ChangeRow::new("c", Some(27.0), None), // left out
    ///     ChangeRow::new("d", Some(20.0), Some(26.0)),
    /// ];
    /// let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Lower)?.analyze(rows)?;
    /// assert_eq!((r.n_used, r.n_dropped, r.dropped.as_slice()), (3, 1, ["c".to_string()].as_slice()));
    /// assert_eq!(r.people[0].category, ChangeCategory::Recovered);
    /// assert_eq!(r.people[2].category, ChangeCategory::Deteriorated);
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(&self, rows: impl IntoIterator<Item = ChangeRow>) -> Result<ReliableChange> {
        let (complete, dropped) = complete_cases(rows)?;
        let sample = Sample::of(&complete)?;
        let critical_value = self.critical_value();
        let errors = self.standard_errors(&complete, &sample)?;
        let (people, counts) = self.classify(complete, &sample, &errors, critical_value)?;
        Ok(ReliableChange {
            method: self.method,
            better: self.better,
            reliability: self.reliability,
            post_reliability: errors.post_reliability,
            alpha: self.alpha,
            critical_value,
            se: errors.se,
            se_measurement: errors.se_measurement,
            n_used: sample.n,
            n_dropped: dropped.len(),
            dropped,
            pre_mean: sample.pre.mean,
            pre_sd: sample.pre.sd,
            post_mean: sample.post.mean,
            post_sd: sample.post.sd,
            cutoff: errors.cutoff,
            hageman_arrindell: errors.ha,
            people,
            counts,
        })
    }

    /// The direction of improvement as a sign: 1 when higher is better, -1 when lower is.
    fn direction(&self) -> f64 {
        match self.better {
            Better::Higher => 1.0,
            Better::Lower => -1.0,
        }
    }

    /// Step 2: the standard errors, the cutoff and (for HA) Hageman and Arrindell's
    /// reliabilities, from the sample's moments.
    fn standard_errors(&self, complete: &[Complete], sample: &Sample) -> Result<StandardErrors> {
        let (pre, post) = (&sample.pre, &sample.post);
        let r = self.reliability;
        let se_measurement = pre.sd * (1.0 - r).sqrt();
        let s_diff = (2.0 * se_measurement * se_measurement).sqrt();
        let se_prediction = pre.sd * (1.0 - r * r).sqrt();
        let post_reliability = match self.method {
            RciMethod::NunnallyKotsch => Some(self.post_reliability.unwrap_or(r)),
            _ => None,
        };
        let cutoff = self.cutoff_value(pre, se_measurement, self.direction())?;
        if !cutoff.value.is_finite() {
            return Err(too_extreme());
        }
        let ha = match self.method {
            RciMethod::HagemanArrindell => Some(hageman_arrindell(
                complete,
                pre,
                post,
                se_measurement,
                &cutoff,
            )?),
            _ => None,
        };
        let se = match self.method {
            RciMethod::JacobsonTruax => s_diff,
            RciMethod::GulliksenLordNovick | RciMethod::HsuLinnLord => se_prediction,
            RciMethod::EdwardsNunnally => se_measurement,
            RciMethod::NunnallyKotsch => {
                let rp = post_reliability.unwrap_or(r);
                let var = pre.sd * pre.sd;
                (r * r * var * (1.0 - r) + var * (1.0 - rp)).sqrt()
            }
            // `ha` is always there for HA.
            RciMethod::HagemanArrindell => ha
                .as_ref()
                .map_or(s_diff, |h| h.reliability_difference.sqrt() * s_diff),
        };
        if !se.is_finite() {
            return Err(too_extreme());
        }
        if se <= 0.0 {
            // Only NK reaches this: reliability 1 is refused for every other method.
            return Err(invalid_option(
                "post reliability",
                post_reliability.unwrap_or(r),
                "with reliability 1 the NK standard error is 0; give a post-test reliability below 1",
            ));
        }
        Ok(StandardErrors {
            se,
            se_measurement,
            post_reliability,
            cutoff,
            ha,
        })
    }

    /// Step 3: each person's RCI, clinical-significance index and category, and the counts.
    fn classify(
        &self,
        complete: Vec<Complete>,
        sample: &Sample,
        errors: &StandardErrors,
        critical_value: f64,
    ) -> Result<(Vec<PersonChange>, CategoryCounts)> {
        let (pre, post) = (&sample.pre, &sample.post);
        let direction = self.direction();
        let cutoff = errors.cutoff.value;
        let ha = errors.ha.as_ref();
        let mut people = Vec::with_capacity(complete.len());
        let mut counts = CategoryCounts::default();
        for c in complete {
            let rci = self.rci(&c, pre, post, errors.se, ha);
            let cs_index = ha.map(|h| {
                (post.mean + (c.post - post.mean) * h.reliability_post - cutoff)
                    / (h.reliability_post.sqrt() * errors.se_measurement)
            });
            let change = crate::exact::decimal_difference(c.post, c.pre);
            if !(rci.is_finite() && change.is_finite()) || cs_index.is_some_and(|v| !v.is_finite())
            {
                return Err(too_extreme());
            }
            let improved = direction * rci > critical_value;
            let deteriorated = direction * rci < -critical_value;
            let clinical_pre = direction * c.pre < direction * cutoff;
            let (functional_post, dysfunctional_post) = match cs_index {
                // Hageman & Arrindell: the true post-test score is reliably beyond the true
                // cutoff, from the side the person started on.
                Some(cs) => (
                    clinical_pre && direction * cs > critical_value,
                    match self.ha_categories {
                        HaCategories::TrueScore => {
                            !clinical_pre && direction * cs < -critical_value
                        }
                        HaCategories::CsCombined => !clinical_pre,
                        HaCategories::NeverHarmed => false,
                    },
                ),
                None => {
                    let functional = direction * c.post > direction * cutoff;
                    (functional, !clinical_pre && !functional)
                }
            };
            let category = if improved && clinical_pre && functional_post {
                ChangeCategory::Recovered
            } else if improved {
                ChangeCategory::Improved
            } else if deteriorated && dysfunctional_post {
                ChangeCategory::Harmed
            } else if deteriorated {
                ChangeCategory::Deteriorated
            } else {
                ChangeCategory::Unchanged
            };
            counts.add(category);
            people.push(PersonChange {
                id: c.id,
                pre: c.pre,
                post: c.post,
                change,
                rci,
                cs_index,
                category,
            });
        }
        Ok((people, counts))
    }

    /// One person's RCI.
    fn rci(
        &self,
        c: &Complete,
        pre: &Moments,
        post: &Moments,
        se: f64,
        ha: Option<&HagemanArrindell>,
    ) -> f64 {
        let r = self.reliability;
        match self.method {
            RciMethod::JacobsonTruax => (c.post - c.pre) / se,
            // Predicted post-test: the pre-test regressed toward the pre-test mean.
            RciMethod::GulliksenLordNovick => ((c.post - pre.mean) - r * (c.pre - pre.mean)) / se,
            RciMethod::HsuLinnLord => ((c.post - post.mean) - r * (c.pre - pre.mean)) / se,
            RciMethod::EdwardsNunnally | RciMethod::NunnallyKotsch => {
                let true_pre = r * (c.pre - pre.mean) + pre.mean;
                (c.post - true_pre) / se
            }
            RciMethod::HagemanArrindell => {
                let r_dd = ha.map_or(1.0, |h| h.reliability_difference);
                ((c.post - c.pre) * r_dd + (post.mean - pre.mean) * (1.0 - r_dd)) / se
            }
        }
    }

    /// The cutoff: Jacobson & Truax's (1991) a, b or c, or Hageman & Arrindell's (1999) true
    /// a, b or c.
    fn cutoff_value(&self, pre: &Moments, sem: f64, direction: f64) -> Result<ClinicalCutoff> {
        let (clinical, from_sample) = match self.clinical {
            Some(p) => (p, false),
            None => (
                Population {
                    mean: pre.mean,
                    sd: pre.sd,
                },
                true,
            ),
        };
        let functional = self.functional;
        let needs_functional = || -> Error {
            ErrorKind::InvalidOption {
                option: "cutoff type",
                value: self.cutoff.to_string(),
                reason:
                    "needs the functional population's mean and SD (ReliableChangeOptions::functional)"
                        .into(),
            }
            .into()
        };
        let true_score = self.method == RciMethod::HagemanArrindell;
        // The spread of each population: its SD, or for HA the SD of its true scores,
        // SD sqrt(r) with r = (SD² - SEM²) / SD², the reliability in that population.
        let spread = |p: Population, option: &'static str| -> Result<f64> {
            if !true_score {
                return Ok(p.sd);
            }
            let rel = reliability_in(p.sd, sem);
            if rel.is_nan() || rel <= 0.0 {
                return Err(invalid_option(
                    option,
                    p.sd,
                    format!(
                        "Hageman and Arrindell's true cutoff needs an SD above the standard error of measurement {} (pre-test SD x sqrt(1 - reliability))",
                        Num(sem)
                    ),
                ));
            }
            Ok(p.sd * rel.sqrt())
        };
        let s_c = spread(clinical, "clinical SD")?;
        let value = match self.cutoff {
            CutoffType::A => clinical.mean + direction * 2.0 * s_c,
            CutoffType::B => {
                let f = functional.ok_or_else(needs_functional)?;
                let s = match self.cutoff_b_sd {
                    CutoffBSd::Functional => spread(f, "functional SD")?,
                    CutoffBSd::Clinical => s_c,
                };
                f.mean - direction * 2.0 * s
            }
            CutoffType::C => {
                let f = functional.ok_or_else(needs_functional)?;
                let s_f = spread(f, "functional SD")?;
                (s_c * f.mean + s_f * clinical.mean) / (s_c + s_f)
            }
        };
        Ok(ClinicalCutoff {
            kind: self.cutoff,
            value,
            true_score,
            b_sd: self.cutoff_b_sd,
            clinical_mean: clinical.mean,
            clinical_sd: clinical.sd,
            clinical_from_sample: from_sample,
            functional_mean: functional.map(|f| f.mean),
            functional_sd: functional.map(|f| f.sd),
        })
    }
}

fn check_reliability(option: &'static str, r: f64) -> Result<()> {
    if r > 0.0 && r <= 1.0 {
        Ok(())
    } else {
        Err(invalid_option(option, r, "must be above 0 and at most 1"))
    }
}

/// Hageman & Arrindell's (1999) reliability of a population with SD `sd`, given the
/// instrument's standard error of measurement: `(SD² - SEM²) / SD²`.
fn reliability_in(sd: f64, sem: f64) -> f64 {
    (sd * sd - sem * sem) / (sd * sd)
}

/// Hageman & Arrindell's (1999) quantities from the sample.
fn hageman_arrindell(
    complete: &[Complete],
    pre: &Moments,
    post: &Moments,
    sem: f64,
    cutoff: &ClinicalCutoff,
) -> Result<HagemanArrindell> {
    let n = complete.len();
    if post.sd <= 0.0 {
        return Err(invalid_data(format!(
            "the {n} complete post-test scores do not vary (SD 0), so Hageman and Arrindell's pre-post correlation is undefined"
        )));
    }
    let cov = complete
        .iter()
        .map(|c| (c.pre - pre.mean) * (c.post - post.mean))
        .sum::<f64>()
        / (n as f64 - 1.0);
    let correlation = cov / (pre.sd * post.sd);
    let r_pre = reliability_in(pre.sd, sem);
    let r_post = reliability_in(post.sd, sem);
    if r_post.is_nan() || r_post <= 0.0 {
        return Err(invalid_data(format!(
            "the post-test SD {} is not above the standard error of measurement {} (pre-test SD x sqrt(1 - reliability)), so Hageman and Arrindell's post-test reliability is not positive",
            Num(post.sd),
            Num(sem)
        )));
    }
    let cross = 2.0 * pre.sd * post.sd * correlation;
    let denominator = pre.sd * pre.sd + post.sd * post.sd - cross;
    if denominator.is_nan() || denominator <= 0.0 {
        return Err(invalid_data(
            "every person changed by the same amount, so Hageman and Arrindell's reliability of the differences is undefined".to_owned(),
        ));
    }
    let r_dd = (pre.sd * pre.sd * r_pre + post.sd * post.sd * r_post - cross) / denominator;
    if !(r_dd > 0.0 && r_dd.is_finite()) {
        return Err(invalid_data(format!(
            "Hageman and Arrindell's reliability of the differences is {}, not positive (the pre-post correlation {} is too high for the reliability)",
            Num(r_dd),
            Num(correlation)
        )));
    }
    Ok(HagemanArrindell {
        pre_post_correlation: correlation,
        reliability_pre: r_pre,
        reliability_post: r_post,
        reliability_difference: r_dd,
        reliability_clinical: reliability_in(cutoff.clinical_sd, sem),
        reliability_functional: cutoff.functional_sd.map(|sd| reliability_in(sd, sem)),
    })
}

/// Step 1: the complete rows' count and moments, checked for what the computation needs.
struct Sample {
    n: usize,
    pre: Moments,
    post: Moments,
}

impl Sample {
    fn of(complete: &[Complete]) -> Result<Sample> {
        let n = complete.len();
        if n < 2 {
            return Err(ErrorKind::TooFewRows {
                target: "pre-post data".into(),
                rows: n as u64,
                statistic: "the reliable change index",
                needed: 2,
            }
            .into());
        }
        let pre = Moments::of(complete.iter().map(|c| c.pre));
        let post = Moments::of(complete.iter().map(|c| c.post));
        if !(pre.mean.is_finite()
            && pre.sd.is_finite()
            && post.mean.is_finite()
            && post.sd.is_finite())
        {
            return Err(too_extreme());
        }
        if pre.sd <= 0.0 {
            return Err(invalid_data(format!(
                "the {n} complete pre-test scores do not vary (SD 0), so the standard error of the reliable change index is 0"
            )));
        }
        Ok(Sample { n, pre, post })
    }
}

/// What [`ReliableChangeOptions::standard_errors`] finds.
struct StandardErrors {
    se: f64,
    se_measurement: f64,
    post_reliability: Option<f64>,
    cutoff: ClinicalCutoff,
    ha: Option<HagemanArrindell>,
}

fn too_extreme() -> Error {
    invalid_data(
        "the scores are too extreme for their sums to be computed in double precision".to_owned(),
    )
}

/// A complete row.
struct Complete {
    id: String,
    pre: f64,
    post: f64,
}

/// Validates the rows and splits them into complete cases and the ids of the others.
fn complete_cases(
    rows: impl IntoIterator<Item = ChangeRow>,
) -> Result<(Vec<Complete>, Vec<String>)> {
    let mut complete = Vec::new();
    let mut dropped = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, row) in rows.into_iter().enumerate() {
        let at = i as u64 + 1;
        check_field(TextRule::Id, "client id", &row.id).map_err(|e| e.at_row(at))?;
        if let Some(first) = seen.insert(row.id.clone(), at) {
            return Err(invalid_data(format!(
                "the client id is given again (first in row {first})"
            ))
            .at_row(at)
            .at_column("id"));
        }
        for (value, column, what) in [
            (row.pre, "pre", "pre-test"),
            (row.post, "post", "post-test"),
        ] {
            if let Some(v) = value
                && !v.is_finite()
            {
                return Err(invalid_data(format!(
                    "{what} score {} is not a finite number",
                    Num(v)
                ))
                .at_row(at)
                .at_column(column));
            }
            if let Some(v) = value {
                super::check_magnitude(|| format!("{what} score"), v)
                    .map_err(|e| e.at_row(at).at_column(column))?;
            }
        }
        match (row.pre, row.post) {
            (Some(pre), Some(post)) => complete.push(Complete {
                id: row.id,
                pre,
                post,
            }),
            _ => dropped.push(row.id),
        }
    }
    Ok((complete, dropped))
}

/// Mean and SD (n - 1) of at least two values.
struct Moments {
    mean: f64,
    sd: f64,
}

impl Moments {
    fn of(values: impl Iterator<Item = f64>) -> Moments {
        let values: Vec<f64> = values.collect();
        Moments {
            mean: stats::mean(&values).unwrap_or(f64::NAN),
            sd: stats::sd(&values).unwrap_or(f64::NAN),
        }
    }
}

/// The cutoff between the clinical and the functional population, with what it was computed
/// from.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeRow, CutoffType, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("a", 20.0, 10.0), ("b", 30.0, 12.0)].map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
/// let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.analyze(rows)?;
/// // Cutoff a: two clinical SDs below the clinical (pre-test) mean.
/// assert_eq!(r.cutoff.kind, CutoffType::A);
/// assert!((r.cutoff.value - (25.0 - 2.0 * 50f64.sqrt())).abs() < 1e-12);
/// assert!(r.cutoff.clinical_from_sample);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClinicalCutoff {
    /// The cutoff type.
    pub kind: CutoffType,
    /// The cutoff score.
    pub value: f64,
    /// Whether it is Hageman and Arrindell's true-score cutoff (HA).
    pub true_score: bool,
    /// Which SD cutoff `b` steps (recorded for every type; used only by `b`).
    pub b_sd: CutoffBSd,
    /// The clinical population's mean.
    pub clinical_mean: f64,
    /// The clinical population's SD.
    pub clinical_sd: f64,
    /// Whether the clinical mean and SD are the analyzed sample's pre-test mean and SD (else
    /// they were given).
    pub clinical_from_sample: bool,
    /// The functional population's mean, if given.
    pub functional_mean: Option<f64>,
    /// The functional population's SD, if given.
    pub functional_sd: Option<f64>,
}

/// Hageman and Arrindell's (1999) reliabilities. Each population's reliability is
/// `(SD² - SEM²) / SD²` with `SEM = SD_pre sqrt(1 - r)`; the reliability of the differences is
/// `r_dd = (SD_pre² r_pre + SD_post² r_post - 2 SD_pre SD_post r_prepost) /
/// (SD_pre² + SD_post² - 2 SD_pre SD_post r_prepost)`.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeRow, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rows = [("a", 20.0, 10.0), ("b", 30.0, 12.0), ("c", 26.0, 25.0), ("d", 24.0, 15.0)]
///     .map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
/// let r = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.8, Better::Lower)?.analyze(rows)?;
/// let ha = r.hageman_arrindell.ok_or("no HA details")?;
/// assert!((ha.reliability_pre - 0.8).abs() < 1e-12);
/// assert!(ha.reliability_difference > 0.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct HagemanArrindell {
    /// The Pearson correlation of the pre-test and post-test scores.
    pub pre_post_correlation: f64,
    /// The pre-test reliability (the given reliability, recomputed as HA do).
    pub reliability_pre: f64,
    /// The post-test reliability, from the post-test SD.
    pub reliability_post: f64,
    /// The reliability of the differences, `r_dd`.
    pub reliability_difference: f64,
    /// The clinical population's reliability, from its SD (for the true cutoff).
    pub reliability_clinical: f64,
    /// The functional population's reliability, from its SD, if one was given.
    pub reliability_functional: Option<f64>,
}

/// One person's result.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeCategory, ChangeRow, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("a", 20.0, 10.0), ("b", 30.0, 8.0)].map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
/// let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.analyze(rows)?;
/// let b = &r.people[1];
/// assert_eq!((b.id.as_str(), b.change), ("b", -22.0));
/// assert!((b.rci - -22.0 / r.se).abs() < 1e-12);
/// assert_eq!(b.category, ChangeCategory::Recovered);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PersonChange {
    /// The person's id.
    pub id: String,
    /// The pre-test score.
    pub pre: f64,
    /// The post-test score.
    pub post: f64,
    /// `post - pre`.
    pub change: f64,
    /// The reliable change index.
    pub rci: f64,
    /// HA only: the individual clinical-significance index, the estimated true post-test score's
    /// distance from the true cutoff in standard errors,
    /// `(M_post + (y - M_post) r_post - cutoff) / (sqrt(r_post) SEM)`. A person who started on
    /// the clinical side has crossed when it is beyond the critical value on the functional
    /// side; one who started elsewhere, when it is beyond it on the clinical side.
    pub cs_index: Option<f64>,
    /// The category.
    pub category: ChangeCategory,
}

/// How many people fall in each category.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeCategory, ChangeRow, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("a", 20.0, 10.0), ("b", 30.0, 12.0)].map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
/// let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.analyze(rows)?;
/// assert_eq!(r.counts.total(), 2);
/// assert_eq!(r.counts.get(ChangeCategory::Harmed), r.counts.harmed);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CategoryCounts {
    /// Recovered.
    pub recovered: usize,
    /// Improved (not recovered).
    pub improved: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Deteriorated (not harmed).
    pub deteriorated: usize,
    /// Harmed.
    pub harmed: usize,
}

impl CategoryCounts {
    /// The count of one category.
    ///
    /// ```
    /// use therapeutic_alliance::change::{CategoryCounts, ChangeCategory};
    ///
    /// assert_eq!(CategoryCounts::default().get(ChangeCategory::Improved), 0);
    /// ```
    pub fn get(&self, category: ChangeCategory) -> usize {
        match category {
            ChangeCategory::Recovered => self.recovered,
            ChangeCategory::Improved => self.improved,
            ChangeCategory::Unchanged => self.unchanged,
            ChangeCategory::Deteriorated => self.deteriorated,
            ChangeCategory::Harmed => self.harmed,
        }
    }

    /// The number of people counted.
    ///
    /// ```
    /// use therapeutic_alliance::change::CategoryCounts;
    ///
    /// assert_eq!(CategoryCounts::default().total(), 0);
    /// ```
    pub fn total(&self) -> usize {
        self.recovered + self.improved + self.unchanged + self.deteriorated + self.harmed
    }

    fn add(&mut self, category: ChangeCategory) {
        match category {
            ChangeCategory::Recovered => self.recovered += 1,
            ChangeCategory::Improved => self.improved += 1,
            ChangeCategory::Unchanged => self.unchanged += 1,
            ChangeCategory::Deteriorated => self.deteriorated += 1,
            ChangeCategory::Harmed => self.harmed += 1,
        }
    }
}

/// The result of [`ReliableChangeOptions::analyze`]: the method and everything it used (standard
/// error, critical value, cutoff, sample statistics), one [`PersonChange`] per complete row in
/// input order, and the [`CategoryCounts`].
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeRow, ReliableChangeOptions, RciMethod};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("a", 20.0, 10.0), ("b", 30.0, 12.0)].map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
/// let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.analyze(rows)?;
/// assert_eq!(r.method, RciMethod::JacobsonTruax);
/// // JT's standard error of the difference: sqrt(2) x SD_pre x sqrt(1 - r).
/// assert!((r.se - 2f64.sqrt() * 50f64.sqrt() * 0.2f64.sqrt()).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReliableChange {
    /// The RCI method.
    pub method: RciMethod,
    /// Which direction is better.
    pub better: Better,
    /// The reliability.
    pub reliability: f64,
    /// NK only: the post-test reliability used.
    pub post_reliability: Option<f64>,
    /// The significance level.
    pub alpha: f64,
    /// The critical value the RCI is compared with.
    pub critical_value: f64,
    /// The standard error the RCI divides by: JT the standard error of the difference
    /// `sqrt(2 SEM²)`; GLN and HLL the standard error of prediction `SD_pre sqrt(1 - r²)`; EN the
    /// standard error of measurement; NK `sqrt(r² SD_pre² (1 - r) + SD_pre² (1 - r_post))`;
    /// HA `sqrt(r_dd) sqrt(2 SEM²)`.
    pub se: f64,
    /// The standard error of measurement, `SD_pre sqrt(1 - r)`.
    pub se_measurement: f64,
    /// The number of complete rows analyzed.
    pub n_used: usize,
    /// The number of rows left out for a missing score.
    pub n_dropped: usize,
    /// The ids of the rows left out, in input order.
    pub dropped: Vec<String>,
    /// The mean pre-test score of the analyzed rows.
    pub pre_mean: f64,
    /// Their pre-test SD (n - 1).
    pub pre_sd: f64,
    /// Their mean post-test score.
    pub post_mean: f64,
    /// Their post-test SD (n - 1).
    pub post_sd: f64,
    /// The cutoff.
    pub cutoff: ClinicalCutoff,
    /// HA only: its reliabilities.
    pub hageman_arrindell: Option<HagemanArrindell>,
    /// One result per analyzed row, in input order.
    pub people: Vec<PersonChange>,
    /// How many people fall in each category.
    pub counts: CategoryCounts,
}

#[cfg(test)]
mod tests;
