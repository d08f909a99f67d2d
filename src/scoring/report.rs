//! The report of one administration: what a clinic's service returns.

use super::{Flag, Metric, NotScored, Scores, TargetScore};
use crate::components::Component;
use crate::instruments::Slot;
use crate::responses::{Administration, Date};

/// The scores of one administration as plain data: the instrument, the context, each subscale
/// and the total with every metric, and the flags. This is what a clinic's API returns; it also
/// deserializes, so a session monitor can store reports and read them back (as stored data: a
/// report is not re-validated against its instrument).
///
/// Its JSON (with `serde`), for an SRS administration whose overall line was skipped:
///
/// ```json
/// {
///   "instrument": {"id": "srs", "version": "3.0", "name": "Session Rating Scale (SRS)",
///                  "digest": "…"},
///   "client": "c-017", "session": 4, "date": "2026-11-02",
///   "metric": "sum",
///   "subscales": [
///     {"id": "goals", "label": "Goals and topics", "component": "goals", "primary": 8.5,
///      "sum": 8.5, "mean": 8.5, "pomp": 85.0, "range": {"min": 0.0, "max": 10.0},
///      "answered": 1, "items": 1, "prorated": false},
///     …
///     {"id": "global", "label": "Overall", "primary": null, "sum": null, "mean": null,
///      "pomp": null, "range": {"min": 0.0, "max": 10.0}, "answered": 0, "items": 1,
///      "prorated": false, "not_scored": "0 of 1 items answered; the missing-item rule needs 1"}
///   ],
///   "total": {"id": "total", "label": "Total", "primary": null, …,
///             "not_scored": "subscale global is not scored"},
///   "flags": []
/// }
/// ```
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).client("c-017").session(4)
///     .answers([("1", 8.5), ("2", 7.0), ("3", 9.0), ("4", 8.0)])?.build()?;
/// let report = adm.report();
/// assert_eq!(report.subscales[2].label, "Relationship");
/// assert_eq!(report.total.as_ref().and_then(|t| t.primary), Some(32.5));
/// assert_eq!(report.flags[0].message(), "discuss the relationship");
/// assert_eq!(report.no_thresholds, None);
///
/// // The WAI-SR defines no cutoff: its report says so (no flag is not good news).
/// let wai = catalog::require("wai-sr")?.score_values(&[Some(2.0); 12])?.report();
/// assert!(wai.flags.is_empty());
/// assert_eq!(
///     wai.no_thresholds.as_deref(),
///     Some("Working Alliance Inventory, short revised (WAI-SR) defines no thresholds: no score is flagged")
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Report {
    /// The instrument scored.
    pub instrument: InstrumentSummary,
    /// The client's id, if recorded.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub client: Option<String>,
    /// The therapist's id, if recorded.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub therapist: Option<String>,
    /// The session number, if recorded.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub session: Option<u32>,
    /// The session date, if recorded.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub date: Option<Date>,
    /// The metric of each entry's `primary` value (the instrument's scoring rule).
    pub metric: Metric,
    /// Each subscale, in the instrument's order.
    pub subscales: Vec<ReportEntry>,
    /// The total, if the instrument has one.
    pub total: Option<ReportEntry>,
    /// The thresholds crossed.
    pub flags: Vec<Flag>,
    /// Said when the instrument defines no thresholds, so that an empty `flags` is not read as
    /// good news: `"Working Alliance Inventory, short revised (WAI-SR) defines no thresholds:
    /// no score is flagged"`. Absent (`None`) when it defines some. A report stored before this
    /// field existed reads with `None`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub no_thresholds: Option<String>,
}

/// Which instrument a report is of.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
/// let report = wai.score_values(&[Some(4.0); 12])?.report();
/// assert_eq!((report.instrument.id.as_str(), report.instrument.version.as_str()), ("wai-sr", "client-form"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct InstrumentSummary {
    /// The instrument's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its display name.
    pub name: String,
    /// Its definition digest ([`Instrument::digest`](crate::Instrument::digest)).
    pub digest: String,
}

/// One subscale or the total in a [`Report`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
/// let mut row = [Some(4.0); 12];
/// (row[3], row[5]) = (None, None); // two goals items
/// let report = wai.score_values(&row)?.report();
/// let goals = &report.subscales[0];
/// assert_eq!((goals.label.as_str(), goals.primary), ("Goal", None));
/// assert_eq!(goals.not_scored.as_deref(), Some("2 of 4 items answered; the missing-item rule needs 3"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReportEntry {
    /// The subscale id, or `total`.
    pub id: String,
    /// The subscale label in the instrument's words, or `Total`.
    pub label: String,
    /// The alliance component the subscale measures.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub component: Option<Component>,
    /// The score in the report's metric; `None` when not scored.
    pub primary: Option<f64>,
    /// The (prorated) sum.
    pub sum: Option<f64>,
    /// The mean item score.
    pub mean: Option<f64>,
    /// Percent of maximum, 0-100.
    pub pomp: Option<f64>,
    /// The range of the primary score.
    pub range: super::ScoreRange,
    /// Items answered.
    pub answered: usize,
    /// Items in the subscale (or instrument).
    pub items: usize,
    /// Whether unanswered items were prorated.
    pub prorated: bool,
    /// The band the score falls in (e.g. PHQ-9 severity), if the instrument has bands for it.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub band: Option<String>,
    /// Why there is no score, in words.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub not_scored: Option<String>,
}

impl Report {
    pub(crate) fn new(scores: &Scores, adm: Option<&Administration>) -> Self {
        let inst = scores.instrument();
        let metric = inst.primary_metric();
        let entry = |slot: Slot, id: &str, label: &str, result: &TargetScore| {
            let (answered, items) = match result {
                TargetScore::Scored(s) => (s.answered(), s.items()),
                TargetScore::NotScored(NotScored::TooFewAnswered {
                    answered, items, ..
                }) => (*answered, *items),
                TargetScore::NotScored(_) => (result.answered(), inst.items().len()),
            };
            let score = result.score();
            ReportEntry {
                id: id.to_owned(),
                label: label.to_owned(),
                component: scores.component_of(slot),
                primary: score.map(|s| s.get(metric)),
                sum: score.map(|s| s.get(Metric::Sum)),
                mean: score.map(|s| s.get(Metric::Mean)),
                pomp: score.map(|s| s.get(Metric::Pomp)),
                range: inst.slot_range(slot, metric),
                answered,
                items,
                prorated: score.is_some_and(|s| s.is_prorated()),
                band: match slot {
                    Slot::Total => scores.band(crate::Target::Total),
                    Slot::Subscale(_) => scores.band(crate::Target::Subscale(id.to_owned())),
                }
                .map(str::to_owned),
                not_scored: result.not_scored().map(ToString::to_string),
            }
        };
        Report {
            instrument: inst.summary(),
            client: adm.and_then(|a| a.client().map(str::to_owned)),
            therapist: adm.and_then(|a| a.therapist().map(str::to_owned)),
            session: adm.and_then(Administration::session),
            date: adm.and_then(Administration::date),
            metric,
            subscales: scores
                .subscales()
                .enumerate()
                .map(|(i, (s, r))| entry(Slot::Subscale(i), s.id(), s.label(), r))
                .collect(),
            total: scores
                .total()
                .map(|r| entry(Slot::Total, "total", "Total", r)),
            flags: scores.flags(),
            no_thresholds: no_thresholds(inst),
        }
    }
}

/// What a report and an Observation say of an instrument without thresholds; `None` when it
/// defines some.
pub(crate) fn no_thresholds(inst: &crate::Instrument) -> Option<String> {
    inst.thresholds()
        .is_empty()
        .then(|| format!("{} defines no thresholds: no score is flagged", inst.name()))
}
