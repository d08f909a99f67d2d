//! Scoring methods of [`Administration`]: the scoring floor adds them to the validated answers.

use super::{Flag, Report, Scores, score_units};
use crate::responses::Administration;

impl Administration {
    /// Scores this administration under its instrument's rules. Infallible: the answers were
    /// validated when given.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("wai-sr")?).answer("1", 4)?.build()?;
    /// assert_eq!(adm.score().primary("total"), None, "one answer scores no total");
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> Scores {
        score_units(self.instrument(), self.units())
    }

    /// The flags its scores raise under its instrument's thresholds.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::from_values(&srs, &[Some(9.0), Some(9.0), Some(9.0), Some(9.1)])?;
    /// assert!(adm.flags().is_empty(), "36.1 is above the alert at 36");
    /// # Ok(())
    /// # }
    /// ```
    pub fn flags(&self) -> Vec<Flag> {
        self.score().flags()
    }

    /// The report of this administration: its context, every score and the flags (see
    /// [`Report`] for the JSON shape).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let adm = Administration::builder(&wai).client("c-9").session(2).answers((1..=12).map(|i| (i.to_string(), 3)))?.build()?;
    /// let report = adm.report();
    /// assert_eq!((report.client.as_deref(), report.session), (Some("c-9"), Some(2)));
    /// assert_eq!(report.subscales[1].label, "Task");
    /// # Ok(())
    /// # }
    /// ```
    pub fn report(&self) -> Report {
        Report::new(&self.score(), Some(self))
    }
}
