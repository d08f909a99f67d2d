//! A flat row of scores for tabular export.

use super::{Metric, Scores};

/// One administration's scores as a flat row: for each subscale and then the total, its sum,
/// mean and percent of maximum (`None` where not scored) and the items answered, in the order of
/// [`Instrument::score_columns`](crate::Instrument::score_columns).
///
/// With `serde` it serializes as a sequence, so a CSV writer's `serialize` writes it as
/// columns (and flattens it after other fields in a tuple):
///
/// ```
/// # #[cfg(feature = "serde")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
/// let mut out = csv::Writer::from_writer(vec![]);
/// out.write_record(std::iter::once("id".to_owned()).chain(wai.score_columns()))?;
/// let scores = wai.score_values(&[Some(4.0); 12])?;
/// out.serialize(("p01", scores.row()))?;
/// let text = String::from_utf8(out.into_inner()?)?;
/// assert_eq!(text.lines().nth(1), Some("p01,16.0,4.0,75.0,4,16.0,4.0,75.0,4,16.0,4.0,75.0,4,48.0,4.0,75.0,12"));
/// // Not scored: empty cells, the answered count still there.
/// out = csv::Writer::from_writer(vec![]);
/// out.serialize(("p02", wai.score_values(&[None; 12])?.row()))?;
/// assert_eq!(String::from_utf8(out.into_inner()?)?, "p02,,,,0,,,,0,,,,0,,,,0\n");
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "serde"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ScoreRow<'a> {
    scores: &'a Scores,
}

impl<'a> ScoreRow<'a> {
    pub(crate) fn new(scores: &'a Scores) -> Self {
        ScoreRow { scores }
    }

    /// The values in column order.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let scores = srs.score_values(&[Some(9.0); 4])?;
    /// assert_eq!(scores.row().values().count(), srs.score_columns().len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn values(&self) -> impl Iterator<Item = Option<f64>> + 'a {
        let scores = self.scores;
        scores
            .subscales()
            .map(|(_, r)| r)
            .chain(scores.total())
            .flat_map(|r| {
                let s = r.score().copied();
                let answered = r.answered() as f64;
                Metric::ALL
                    .iter()
                    .map(move |&m| s.map(|s| s.get(m)))
                    .chain([Some(answered)])
            })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ScoreRow<'_> {
    /// Each score as an optional number, each answered count as an integer.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let scores = self.scores;
        let n = (scores.subscales().len() + usize::from(scores.total().is_some())) * 4;
        let mut seq = s.serialize_seq(Some(n))?;
        for r in scores.subscales().map(|(_, r)| r).chain(scores.total()) {
            let score = r.score();
            for &m in Metric::ALL {
                seq.serialize_element(&score.map(|s| s.get(m)))?;
            }
            seq.serialize_element(&r.answered())?;
        }
        seq.end()
    }
}
