//! The three components of the working alliance (Bordin 1979) and the vocabulary around them:
//! which part of an instrument an item scores, which therapy it was written for, and who rates it.
//!
//! Bordin, E. S. (1979). The generalizability of the psychoanalytic concept of the working alliance.
//! *Psychotherapy: Theory, Research & Practice*, 16(3), 252-260.

use std::fmt;
use std::str::FromStr;

/// One of the three components of the working alliance.
///
/// Bordin called the second component *tasks*; this crate calls it [`Component::Collaboration`]
/// because what is measured is whether client and therapist work together on the tasks of therapy.
///
/// ```
/// use therapeutic_alliance::Component;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let c: Component = "collaboration".parse()?;
/// assert_eq!(c, Component::Collaboration);
/// assert_eq!(Component::ALL.len(), 3);
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

impl Component {
    /// The three components in their canonical order: goals, collaboration, bond.
    pub const ALL: [Component; 3] = [Component::Goals, Component::Collaboration, Component::Bond];

    /// The lowercase name used in files and messages: `goals`, `collaboration`, `bond`.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Component::Bond.name(), "bond");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Component::Goals => "goals",
            Component::Collaboration => "collaboration",
            Component::Bond => "bond",
        }
    }
}

/// The part of an instrument an item is scored in: one alliance component, or the instrument's
/// global part (the SRS "overall" line, or every item of an instrument published without a
/// component key, such as ARM-5).
///
/// ```
/// use therapeutic_alliance::{Component, Part};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(Part::from(Component::Goals), "goals".parse::<Part>()?);
/// assert_eq!(Part::Global.to_string(), "global");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// One of the three alliance components.
    Component(Component),
    /// The global or overall part of an instrument.
    Global,
}

impl Part {
    /// Every part in canonical order: goals, collaboration, bond, global.
    pub const ALL: [Part; 4] = [
        Part::Component(Component::Goals),
        Part::Component(Component::Collaboration),
        Part::Component(Component::Bond),
        Part::Global,
    ];

    /// The lowercase name: `goals`, `collaboration`, `bond` or `global`.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Part::Global.name(), "global");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Part::Component(c) => c.name(),
            Part::Global => "global",
        }
    }

    /// Position in [`Part::ALL`].
    pub(crate) const fn index(self) -> usize {
        match self {
            Part::Component(Component::Goals) => 0,
            Part::Component(Component::Collaboration) => 1,
            Part::Component(Component::Bond) => 2,
            Part::Global => 3,
        }
    }
}

impl From<Component> for Part {
    fn from(c: Component) -> Self {
        Part::Component(c)
    }
}

/// What a score or threshold refers to: one part of an instrument, or its total.
///
/// ```
/// use therapeutic_alliance::{Component, Target};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("total".parse::<Target>()?, Target::Total);
/// assert_eq!(Target::from(Component::Bond).to_string(), "bond");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// One part (component or global).
    Part(Part),
    /// The instrument's total score.
    Total,
}

impl Target {
    /// The lowercase name: a part's name or `total`.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Target::Total.name(), "total");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Target::Part(p) => p.name(),
            Target::Total => "total",
        }
    }
}

impl From<Part> for Target {
    fn from(p: Part) -> Self {
        Target::Part(p)
    }
}

impl From<Component> for Target {
    fn from(c: Component) -> Self {
        Target::Part(Part::Component(c))
    }
}

/// The kind of therapy an instrument's wording was written for.
///
/// ```
/// use therapeutic_alliance::Modality;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("cbt".parse::<Modality>()?, Modality::Cbt);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Modality {
    /// Modality-free: the published instruments (WAI, SRS, ...).
    General,
    /// Cognitive behavioural therapy.
    Cbt,
    /// Psychodynamic therapy.
    Psychodynamic,
    /// Humanistic (person-centred, emotion-focused, ...) therapy.
    Humanistic,
}

impl Modality {
    /// Every modality in canonical order.
    pub const ALL: [Modality; 4] = [
        Modality::General,
        Modality::Cbt,
        Modality::Psychodynamic,
        Modality::Humanistic,
    ];

    /// The lowercase name: `general`, `cbt`, `psychodynamic`, `humanistic`.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Modality::Cbt.name(), "cbt");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Modality::General => "general",
            Modality::Cbt => "cbt",
            Modality::Psychodynamic => "psychodynamic",
            Modality::Humanistic => "humanistic",
        }
    }
}

/// Who fills in the questionnaire.
///
/// ```
/// use therapeutic_alliance::Rater;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("therapist".parse::<Rater>()?, Rater::Therapist);
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

impl Rater {
    /// Every rater in canonical order.
    pub const ALL: [Rater; 3] = [Rater::Client, Rater::Therapist, Rater::Observer];

    /// The lowercase name: `client`, `therapist`, `observer`.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Rater::Observer.name(), "observer");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Rater::Client => "client",
            Rater::Therapist => "therapist",
            Rater::Observer => "observer",
        }
    }
}

/// Display, FromStr and (with the `serde` feature) string serialization by `name()`.
macro_rules! named_enum {
    ($ty:ty, $what:literal, [$($v:expr),+ $(,)?]) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.name())
            }
        }

        impl FromStr for $ty {
            type Err = crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                [$($v),+]
                    .into_iter()
                    .find(|v: &$ty| v.name() == s)
                    .ok_or_else(|| crate::Error::InvalidId {
                        field: $what,
                        value: s.to_owned(),
                        rule: concat!("not a known ", $what),
                    })
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

named_enum!(
    Component,
    "component",
    [Component::Goals, Component::Collaboration, Component::Bond]
);
named_enum!(
    Part,
    "part",
    [
        Part::Component(Component::Goals),
        Part::Component(Component::Collaboration),
        Part::Component(Component::Bond),
        Part::Global,
    ]
);
named_enum!(
    Target,
    "score target",
    [
        Target::Part(Part::Component(Component::Goals)),
        Target::Part(Part::Component(Component::Collaboration)),
        Target::Part(Part::Component(Component::Bond)),
        Target::Part(Part::Global),
        Target::Total,
    ]
);
named_enum!(
    Modality,
    "modality",
    [
        Modality::General,
        Modality::Cbt,
        Modality::Psychodynamic,
        Modality::Humanistic
    ]
);
named_enum!(
    Rater,
    "rater",
    [Rater::Client, Rater::Therapist, Rater::Observer]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for p in Part::ALL {
            assert_eq!(p.name().parse::<Part>(), Ok(p));
            assert_eq!(
                Target::from(p).name().parse::<Target>(),
                Ok(Target::from(p))
            );
            assert_eq!(Part::ALL[p.index()], p);
        }
        for m in Modality::ALL {
            assert_eq!(m.to_string().parse::<Modality>(), Ok(m));
        }
        for r in Rater::ALL {
            assert_eq!(r.to_string().parse::<Rater>(), Ok(r));
        }
        assert!("Goals".parse::<Component>().is_err());
        assert!("".parse::<Rater>().is_err());
    }
}
