//! The three components of the working alliance (Bordin 1979) and the vocabulary around them:
//! which therapy an instrument was written for, who rates it, and what a score refers to.
//!
//! Bordin, E. S. (1979). The generalizability of the psychoanalytic concept of the working alliance.
//! *Psychotherapy: Theory, Research & Practice*, 16(3), 252-260.

use crate::vocab::vocabulary;
use std::fmt;

/// One of the three components of the working alliance.
///
/// Bordin called the second component *tasks*; this crate calls it [`Component::Collaboration`]
/// because what is measured is whether client and therapist work together on the tasks of therapy.
/// Instruments keep their own names in their subscale labels (the WAI's "Task" subscale measures
/// collaboration).
///
/// ```
/// use therapeutic_alliance::Component;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("collaboration".parse::<Component>()?, Component::Collaboration);
/// let err = "task".parse::<Component>().unwrap_err();
/// assert!(err.to_string().contains("the WAI's Task subscale measures collaboration"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    /// Agreement on the goals of therapy.
    Goals,
    /// Collaboration on the tasks of therapy (Bordin's "tasks").
    Collaboration,
    /// The emotional bond between client and therapist.
    Bond,
}

vocabulary!(
    Component,
    "component",
    Some("Bordin's \"tasks\" is collaboration here: the WAI's Task subscale measures collaboration"),
    [Goals => "goals", Collaboration => "collaboration", Bond => "bond"]
);

/// The kind of therapy an instrument's wording was written for.
///
/// ```
/// use therapeutic_alliance::Modality;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("psychodynamic".parse::<Modality>()?, Modality::Psychodynamic);
/// assert_eq!(Modality::Cbt.to_string(), "cbt");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Modality {
    /// Modality-free: the published instruments (WAI, SRS, ...).
    General,
    /// Cognitive behavioral therapy.
    Cbt,
    /// Psychodynamic therapy.
    Psychodynamic,
    /// Humanistic (person-centered, emotion-focused, ...) therapy.
    Humanistic,
}

vocabulary!(
    Modality,
    "modality",
    None,
    [General => "general", Cbt => "cbt", Psychodynamic => "psychodynamic", Humanistic => "humanistic"]
);

/// Who fills in the questionnaire.
///
/// ```
/// use therapeutic_alliance::Rater;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("observer".parse::<Rater>()?, Rater::Observer);
/// assert_eq!(Rater::ALL.len(), 3);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rater {
    /// The client rates the alliance.
    Client,
    /// The therapist rates the alliance.
    Therapist,
    /// A trained observer rates a recorded session.
    Observer,
}

vocabulary!(
    Rater,
    "rater",
    None,
    [Client => "client", Therapist => "therapist", Observer => "observer"]
);

/// What a score, a threshold or a lookup refers to: the instrument's total, the subscale that
/// measures an alliance component, or a subscale by its id.
///
/// Written as text it is `total`, a component name (`goals`, `collaboration`, `bond`), or a
/// subscale id; `From<&str>` reads it that way, so lookups accept plain strings. An instrument
/// reserves `total`, and a subscale whose id is a component name must measure that component,
/// so the text form is never ambiguous.
///
/// ```
/// use therapeutic_alliance::{catalog, Component, Target};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// assert_eq!(Target::from("bond"), Target::Component(Component::Bond));
/// assert_eq!(Target::from("total"), Target::Total);
/// assert_eq!(Target::from("trust"), Target::Subscale("trust".into()));
///
/// // Asking for a component finds the subscale that measures it.
/// let srs = catalog::require("srs")?;
/// let scores = srs.score_values(&[Some(8.0), Some(7.5), Some(9.0), Some(8.2)])?;
/// assert_eq!(scores.primary(Component::Goals), Some(7.5));
/// assert_eq!(scores.primary("global"), Some(8.2));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Target {
    /// The instrument's total score.
    Total,
    /// The subscale that measures this component.
    Component(Component),
    /// The subscale with this id.
    Subscale(String),
}

impl Target {
    /// The text form: `total`, a component name or the subscale id.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Target};
    ///
    /// assert_eq!(Target::Component(Component::Goals).as_str(), "goals");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Target::Total => "total",
            Target::Component(c) => c.name(),
            Target::Subscale(id) => id,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl From<Component> for Target {
    fn from(c: Component) -> Self {
        Target::Component(c)
    }
}

impl From<&str> for Target {
    fn from(s: &str) -> Self {
        match s {
            "total" => Target::Total,
            _ => s
                .parse::<Component>()
                .map_or_else(|_| Target::Subscale(s.to_owned()), Target::Component),
        }
    }
}

impl From<&String> for Target {
    fn from(s: &String) -> Self {
        Target::from(s.as_str())
    }
}

impl From<String> for Target {
    fn from(s: String) -> Self {
        match Target::from(s.as_str()) {
            Target::Subscale(_) => Target::Subscale(s),
            other => other,
        }
    }
}

impl From<&Target> for Target {
    fn from(t: &Target) -> Self {
        t.clone()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        Ok(Target::from(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for c in Component::ALL {
            assert_eq!(c.name().parse::<Component>().ok(), Some(*c));
            assert_eq!(Target::from(c.name()), Target::Component(*c));
        }
        for m in Modality::ALL {
            assert_eq!(m.to_string().parse::<Modality>().ok(), Some(*m));
        }
        for r in Rater::ALL {
            assert_eq!(r.to_string().parse::<Rater>().ok(), Some(*r));
        }
        assert!("Goals".parse::<Component>().is_err());
        let err = "".parse::<Rater>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown rater \"\": expected client, therapist or observer"
        );
        assert_eq!(Target::from(String::from("trust")).as_str(), "trust");
    }
}

/// Which direction of change is improvement: lower scores (symptom measures such as the PHQ-9)
/// or higher scores (alliance, the ORS).
///
/// ```
/// use therapeutic_alliance::Better;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("lower".parse::<Better>()?, Better::Lower);
/// assert_eq!(Better::Higher.improvement(10.0, 14.0), 4.0);
/// assert_eq!(Better::Lower.improvement(10.0, 14.0), -4.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Better {
    /// Lower scores are better (symptoms).
    Lower,
    /// Higher scores are better (alliance, well-being).
    Higher,
}

vocabulary!(Better, "direction", None, [Lower => "lower", Higher => "higher"]);

impl Better {
    /// The improvement from `before` to `after`: positive when things got better.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    ///
    /// assert_eq!(Better::Lower.improvement(20.0, 12.0), 8.0);
    /// ```
    ///
    /// The difference is taken in decimal, as the scores are written: on a scale read to one
    /// decimal, 32.3 to 27.3 is exactly 5, not the 4.9999999999999964 of binary floating point
    /// (see [`decimal_difference`](crate::change::decimal_difference)).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    ///
    /// assert_eq!(Better::Higher.improvement(32.3, 27.3), -5.0);
    /// ```
    pub fn improvement(self, before: f64, after: f64) -> f64 {
        match self {
            Better::Lower => crate::exact::decimal_difference(before, after),
            Better::Higher => crate::exact::decimal_difference(after, before),
        }
    }
}
/// Which form of a score: the (prorated) sum, the mean item score, or the percent of maximum.
///
/// Its token (`sum`, `mean`, `pomp`) is used by `Display`, `FromStr`, serde, column names and
/// the command line alike; [`Metric::label`] gives words for prose.
///
/// ```
/// use therapeutic_alliance::Metric;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("pomp".parse::<Metric>()?, Metric::Pomp);
/// assert_eq!(Metric::Pomp.to_string(), "pomp");
/// assert_eq!(Metric::Pomp.label(), "percent of maximum");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// The (prorated) sum.
    Sum,
    /// The mean item score.
    Mean,
    /// Percent of the maximum possible score, 0-100.
    Pomp,
}

vocabulary!(Metric, "metric", None, [Sum => "sum", Mean => "mean", Pomp => "pomp"]);

impl Metric {
    /// Words for messages: "sum", "mean", "percent of maximum".
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Metric::Mean.label(), "mean");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            Metric::Sum => "sum",
            Metric::Mean => "mean",
            Metric::Pomp => "percent of maximum",
        }
    }
}
