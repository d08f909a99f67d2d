//! The NHS Talking Therapies (formerly IAPT) classification of a course of treatment from the
//! first and last PHQ-9 and GAD-7 totals.

use crate::catalog::{gad_7, phq_9};
use crate::error::{ErrorKind, Num, Result};
use crate::matrix::Merge;
use crate::vocab::vocabulary;

/// The first and last totals of one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MeasureCourse {
    /// The first total.
    pub first: f64,
    /// The last total.
    pub last: f64,
    /// First minus last: positive when symptoms fell.
    pub improvement: f64,
    /// Whether the first total is at or above the measure's caseness cutoff.
    pub case_at_start: bool,
    /// Whether the last total is at or above the caseness cutoff.
    pub case_at_end: bool,
    /// Reliable improvement, deterioration or neither on this measure alone.
    pub reliable: ReliableStatus,
}

/// Reliable change on one measure, or on both together.
///
/// ```
/// use therapeutic_alliance::change::ReliableStatus;
///
/// assert_eq!(ReliableStatus::Improvement.to_string(), "reliable_improvement");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReliableStatus {
    /// A reliable improvement.
    Improvement,
    /// No reliable change (or, for both measures together, a reliable change in opposite
    /// directions).
    NoReliableChange,
    /// A reliable deterioration.
    Deterioration,
}

vocabulary!(
    ReliableStatus,
    "reliable change status",
    None,
    [Improvement => "reliable_improvement", NoReliableChange => "no_reliable_change", Deterioration => "reliable_deterioration"]
);

/// Whether a course recovered.
///
/// ```
/// use therapeutic_alliance::change::Recovery;
///
/// assert_eq!(Recovery::NotACaseAtStart.to_string(), "not_a_case_at_start");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recovery {
    /// Below both caseness cutoffs at the start: recovery does not apply (NHS Talking Therapies
    /// leaves these courses out of the recovery rate).
    NotACaseAtStart,
    /// A case at the start and below both cutoffs at the end.
    Recovered,
    /// A case at the start and at or above a cutoff at the end.
    NotRecovered,
}

vocabulary!(
    Recovery,
    "recovery status",
    None,
    [NotACaseAtStart => "not_a_case_at_start", Recovered => "recovered", NotRecovered => "not_recovered"]
);

/// The NHS Talking Therapies outcome of one course of treatment.
///
/// The conventions (NHS Talking Therapies, formerly IAPT): caseness is a PHQ-9 total at or
/// above 10 or a GAD-7 total at or above 8; a reliable change is at least 6 points on the PHQ-9
/// and 4 on the GAD-7. Then:
///
/// - **case at start**: a case on either measure at the first session;
/// - **recovery**: a case at the start and below both cutoffs at the end;
/// - **reliable improvement**: a reliable improvement on at least one measure and no reliable
///   deterioration on the other; **reliable deterioration**: the mirror image. A reliable
///   improvement on one measure with a reliable deterioration on the other counts as neither.
///   How the two measures combine is documented from secondary sources, so each measure's own
///   status is reported as well ([`MeasureCourse::reliable`]);
/// - **reliable recovery**: both recovery and reliable improvement.
///
/// With `serde` the JSON is `{"phq9": {"first": 16.0, "last": 7.0, "improvement": 9.0,
/// "case_at_start": true, "case_at_end": false, "reliable": "reliable_improvement"}, "gad7":
/// {…}, "case_at_start": true, "reliable": "reliable_improvement", "recovery": "recovered",
/// "reliable_recovery": true}`.
///
/// ```
/// use therapeutic_alliance::change::{Recovery, ReliableStatus, TalkingTherapiesOutcome};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // PHQ-9 16 -> 7, GAD-7 11 -> 6.
/// let course = TalkingTherapiesOutcome::classify(16.0, 7.0, 11.0, 6.0)?;
/// assert!(course.case_at_start);
/// assert_eq!(course.recovery, Recovery::Recovered);
/// assert_eq!(course.reliable, ReliableStatus::Improvement);
/// assert!(course.reliable_recovery);
/// assert!(TalkingTherapiesOutcome::classify(28.0, 7.0, 11.0, 6.0).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TalkingTherapiesOutcome {
    /// The PHQ-9's course.
    pub phq9: MeasureCourse,
    /// The GAD-7's course.
    pub gad7: MeasureCourse,
    /// A case on either measure at the start.
    pub case_at_start: bool,
    /// Reliable improvement or deterioration on the two measures together.
    pub reliable: ReliableStatus,
    /// Recovery.
    pub recovery: Recovery,
    /// Recovered and reliably improved.
    pub reliable_recovery: bool,
}

impl TalkingTherapiesOutcome {
    /// Classifies a course from its first and last PHQ-9 and GAD-7 totals.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] naming the total that is not a whole number within its
    /// measure's range (0-27 for the PHQ-9, 0-21 for the GAD-7).
    ///
    /// ```
    /// use therapeutic_alliance::change::{Recovery, ReliableStatus, TalkingTherapiesOutcome};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // Below caseness at the start: recovery does not apply.
    /// let mild = TalkingTherapiesOutcome::classify(8.0, 2.0, 6.0, 1.0)?;
    /// assert_eq!((mild.recovery, mild.reliable), (Recovery::NotACaseAtStart, ReliableStatus::Improvement));
    /// // Mixed: PHQ-9 reliably better, GAD-7 reliably worse.
    /// let mixed = TalkingTherapiesOutcome::classify(18.0, 10.0, 6.0, 12.0)?;
    /// assert_eq!(mixed.reliable, ReliableStatus::NoReliableChange);
    /// let err = TalkingTherapiesOutcome::classify(18.0, 10.5, 6.0, 12.0).unwrap_err();
    /// assert_eq!(err.to_string(), "last PHQ-9 total 10.5: it must be a whole number from 0 to 27");
    /// # Ok(())
    /// # }
    /// ```
    pub fn classify(
        phq9_first: f64,
        phq9_last: f64,
        gad7_first: f64,
        gad7_last: f64,
    ) -> Result<Self> {
        let phq9 = course(
            ("first PHQ-9 total", phq9_first),
            ("last PHQ-9 total", phq9_last),
            27.0,
            phq_9::CASENESS,
            phq_9::RELIABLE_CHANGE,
        )?;
        let gad7 = course(
            ("first GAD-7 total", gad7_first),
            ("last GAD-7 total", gad7_last),
            21.0,
            gad_7::CASENESS,
            gad_7::RELIABLE_CHANGE,
        )?;
        use ReliableStatus::{Deterioration, Improvement, NoReliableChange};
        let statuses = [phq9.reliable, gad7.reliable];
        let reliable = match (
            statuses.contains(&Improvement),
            statuses.contains(&Deterioration),
        ) {
            (true, false) => Improvement,
            (false, true) => Deterioration,
            _ => NoReliableChange,
        };
        let case_at_start = phq9.case_at_start || gad7.case_at_start;
        let recovery = match (case_at_start, phq9.case_at_end || gad7.case_at_end) {
            (false, _) => Recovery::NotACaseAtStart,
            (true, false) => Recovery::Recovered,
            (true, true) => Recovery::NotRecovered,
        };
        Ok(TalkingTherapiesOutcome {
            phq9,
            gad7,
            case_at_start,
            reliable,
            recovery,
            reliable_recovery: recovery == Recovery::Recovered && reliable == Improvement,
        })
    }
}

impl TalkingTherapiesOutcome {
    /// Classifies a course from a client's PHQ-9 and GAD-7 series: the first and last session
    /// with a scored total on each.
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] if a series is not of the catalog's PHQ-9 or GAD-7
    /// definition (the cutoffs are theirs); [`ErrorKind::TooFewRows`] if a series has no scored
    /// total.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{Recovery, Series, TalkingTherapiesOutcome};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let (phq9, gad7) = (catalog::require("phq-9")?, catalog::require("gad-7")?);
    /// // Every item answered `value` at a session.
    /// let at = |inst: &therapeutic_alliance::Instrument, session: u32, value: f64| {
    ///     Administration::builder(inst).session(session)
    ///         .answers(inst.items().iter().map(|i| (i.id().to_owned(), value)))?.build()
    /// };
    /// let series = |inst, values: [f64; 2]| Series::from_administrations([at(inst, 1, values[0])?, at(inst, 6, values[1])?]);
    /// // PHQ-9 18 -> 9, GAD-7 14 -> 7.
    /// let course = TalkingTherapiesOutcome::from_series(&series(&phq9, [2.0, 1.0])?, &series(&gad7, [2.0, 1.0])?)?;
    /// assert_eq!((course.phq9.first, course.phq9.last), (18.0, 9.0));
    /// assert_eq!(course.recovery, Recovery::Recovered);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_series(phq9: &super::Series, gad7: &super::Series) -> Result<Self> {
        let ends = |series: &super::Series, expected: crate::Instrument| -> Result<(f64, f64)> {
            let inst = series.instrument();
            if inst != &expected {
                return Err(ErrorKind::InstrumentMismatch {
                    expected: format!("{} version {:?}", expected.id(), expected.version()),
                    found: format!("{} version {:?}", inst.id(), inst.version()),
                }
                .into());
            }
            let totals: Vec<f64> = series
                .values(crate::Target::Total, crate::Metric::Sum)
                .into_iter()
                .flatten()
                .collect();
            match (totals.first(), totals.last()) {
                (Some(&first), Some(&last)) => Ok((first, last)),
                _ => Err(ErrorKind::TooFewRows {
                    target: format!("the {} series", inst.id()),
                    rows: 0,
                    statistic: "the Talking Therapies classification",
                    needed: 1,
                }
                .into()),
            }
        };
        let (p0, p1) = ends(phq9, phq_9::instrument())?;
        let (g0, g1) = ends(gad7, gad_7::instrument())?;
        Self::classify(p0, p1, g0, g1)
    }
}

fn course(
    first: (&'static str, f64),
    last: (&'static str, f64),
    max: f64,
    caseness: f64,
    reliable_change: f64,
) -> Result<MeasureCourse> {
    for (option, v) in [first, last] {
        if !(v.is_finite() && v.fract() == 0.0 && (0.0..=max).contains(&v)) {
            return Err(ErrorKind::InvalidOption {
                option,
                value: Num(v).to_string(),
                reason: format!("it must be a whole number from 0 to {max}"),
            }
            .into());
        }
    }
    let (first, last) = (first.1, last.1);
    let improvement = first - last;
    Ok(MeasureCourse {
        first,
        last,
        improvement,
        case_at_start: first >= caseness,
        case_at_end: last >= caseness,
        reliable: if improvement >= reliable_change {
            ReliableStatus::Improvement
        } else if -improvement >= reliable_change {
            ReliableStatus::Deterioration
        } else {
            ReliableStatus::NoReliableChange
        },
    })
}

/// Counts and rates of NHS Talking Therapies outcomes over many courses: what services report
/// each month. Collect it from outcomes, or [`merge`](Merge::merge) partial summaries.
///
/// Rates follow NHS Talking Therapies: recovery and reliable recovery over the courses that
/// were a case at the start; reliable improvement and deterioration over all courses.
///
/// ```
/// use therapeutic_alliance::change::{TalkingTherapiesOutcome, TalkingTherapiesSummary};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let courses = [
///     TalkingTherapiesOutcome::classify(16.0, 7.0, 11.0, 6.0)?,  // recovered, reliably
///     TalkingTherapiesOutcome::classify(20.0, 15.0, 14.0, 12.0)?, // neither
///     TalkingTherapiesOutcome::classify(6.0, 12.0, 4.0, 9.0)?,   // not a case; deteriorated
/// ];
/// let summary: TalkingTherapiesSummary = courses.iter().collect();
/// assert_eq!((summary.courses, summary.cases_at_start, summary.recovered), (3, 2, 1));
/// assert_eq!(summary.recovery_rate(), Some(0.5));
/// assert_eq!(summary.reliable_deterioration_rate(), Some(1.0 / 3.0));
/// # Ok(())
/// # }
/// ```
///
/// With `serde` it serializes (as a report); it does not deserialize, so its counts only come
/// from classified courses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TalkingTherapiesSummary {
    /// Courses counted.
    pub courses: u64,
    /// Courses that were a case at the start.
    pub cases_at_start: u64,
    /// Courses that recovered.
    pub recovered: u64,
    /// Courses that reliably improved.
    pub reliably_improved: u64,
    /// Courses that reliably deteriorated.
    pub reliably_deteriorated: u64,
    /// Courses that reliably recovered.
    pub reliably_recovered: u64,
}

impl TalkingTherapiesSummary {
    /// Recovered over cases at the start; `None` without cases.
    ///
    /// ```
    /// let empty = therapeutic_alliance::change::TalkingTherapiesSummary::default();
    /// assert_eq!(empty.recovery_rate(), None);
    /// ```
    pub fn recovery_rate(&self) -> Option<f64> {
        rate(self.recovered, self.cases_at_start)
    }

    /// Reliably recovered over cases at the start; `None` without cases.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::change::{TalkingTherapiesOutcome, TalkingTherapiesSummary};
    /// let s: TalkingTherapiesSummary = [TalkingTherapiesOutcome::classify(12.0, 9.0, 9.0, 7.0)?].iter().collect();
    /// assert_eq!((s.recovery_rate(), s.reliable_recovery_rate()), (Some(1.0), Some(0.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliable_recovery_rate(&self) -> Option<f64> {
        rate(self.reliably_recovered, self.cases_at_start)
    }

    /// Reliably improved over all courses; `None` without courses.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::change::{TalkingTherapiesOutcome, TalkingTherapiesSummary};
    /// let s: TalkingTherapiesSummary = [TalkingTherapiesOutcome::classify(12.0, 6.0, 3.0, 3.0)?].iter().collect();
    /// assert_eq!(s.reliable_improvement_rate(), Some(1.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliable_improvement_rate(&self) -> Option<f64> {
        rate(self.reliably_improved, self.courses)
    }

    /// Reliably deteriorated over all courses; `None` without courses.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::change::{TalkingTherapiesOutcome, TalkingTherapiesSummary};
    /// let s: TalkingTherapiesSummary = [TalkingTherapiesOutcome::classify(2.0, 9.0, 3.0, 3.0)?].iter().collect();
    /// assert_eq!(s.reliable_deterioration_rate(), Some(1.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliable_deterioration_rate(&self) -> Option<f64> {
        rate(self.reliably_deteriorated, self.courses)
    }
}

fn rate(count: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| count as f64 / of as f64)
}

impl Merge for TalkingTherapiesSummary {
    type Error = std::convert::Infallible;

    /// Adds another summary's counts; never fails (counts come from classified courses, far
    /// below `u64::MAX`).
    fn merge(&mut self, other: &Self) -> std::result::Result<(), Self::Error> {
        self.courses += other.courses;
        self.cases_at_start += other.cases_at_start;
        self.recovered += other.recovered;
        self.reliably_improved += other.reliably_improved;
        self.reliably_deteriorated += other.reliably_deteriorated;
        self.reliably_recovered += other.reliably_recovered;
        Ok(())
    }
}

impl<'a> Extend<&'a TalkingTherapiesOutcome> for TalkingTherapiesSummary {
    fn extend<I: IntoIterator<Item = &'a TalkingTherapiesOutcome>>(&mut self, iter: I) {
        for o in iter {
            self.courses += 1;
            self.cases_at_start += u64::from(o.case_at_start);
            self.recovered += u64::from(o.recovery == Recovery::Recovered);
            self.reliably_improved += u64::from(o.reliable == ReliableStatus::Improvement);
            self.reliably_deteriorated += u64::from(o.reliable == ReliableStatus::Deterioration);
            self.reliably_recovered += u64::from(o.reliable_recovery);
        }
    }
}

impl<'a> FromIterator<&'a TalkingTherapiesOutcome> for TalkingTherapiesSummary {
    fn from_iter<I: IntoIterator<Item = &'a TalkingTherapiesOutcome>>(iter: I) -> Self {
        let mut s = TalkingTherapiesSummary::default();
        s.extend(iter);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of first and last totals on both measures, against the rules written out
    /// independently: 28 x 28 x 22 x 22 = 379,456 courses.
    #[test]
    fn every_course_follows_the_written_rules() {
        let mut summary = TalkingTherapiesSummary::default();
        let mut halves = [TalkingTherapiesSummary::default(); 2];
        for p0 in 0..=27 {
            for p1 in 0..=27 {
                for g0 in 0..=21 {
                    for g1 in 0..=21 {
                        let o = TalkingTherapiesOutcome::classify(
                            f64::from(p0),
                            f64::from(p1),
                            f64::from(g0),
                            f64::from(g1),
                        )
                        .unwrap();
                        let case0 = p0 >= 10 || g0 >= 8;
                        let case1 = p1 >= 10 || g1 >= 8;
                        let better = p0 - p1 >= 6 || g0 - g1 >= 4;
                        let worse = p1 - p0 >= 6 || g1 - g0 >= 4;
                        assert_eq!(o.case_at_start, case0);
                        assert_eq!(o.reliable == ReliableStatus::Improvement, better && !worse);
                        assert_eq!(
                            o.reliable == ReliableStatus::Deterioration,
                            worse && !better
                        );
                        assert_eq!(o.recovery == Recovery::Recovered, case0 && !case1);
                        assert_eq!(o.recovery == Recovery::NotACaseAtStart, !case0);
                        assert_eq!(o.reliable_recovery, case0 && !case1 && better && !worse);
                        summary.extend([&o]);
                        halves[usize::from(p0 % 2 == 0)].extend([&o]);
                    }
                }
            }
        }
        assert_eq!(summary.courses, 28 * 28 * 22 * 22);
        let [mut a, b] = halves;
        let Ok(()) = a.merge(&b);
        assert_eq!(a, summary);
    }

    #[test]
    fn totals_outside_the_measure_are_refused() {
        for (p, g) in [
            (-1.0, 0.0),
            (27.5, 0.0),
            (f64::NAN, 0.0),
            (0.0, 22.0),
            (0.0, f64::INFINITY),
        ] {
            assert!(TalkingTherapiesOutcome::classify(p, 0.0, g, 0.0).is_err());
            assert!(TalkingTherapiesOutcome::classify(0.0, p, 0.0, g).is_err());
        }
        let err = TalkingTherapiesOutcome::classify(0.0, 0.0, 22.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "first GAD-7 total 22: it must be a whole number from 0 to 21"
        );
    }
}
