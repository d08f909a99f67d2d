//! Closed vocabularies: one spelling per value, shared by `Display`, `FromStr` and serde.
//!
//! Every enum of fixed names in the crate (components, raters, metrics, comparisons, ...) is
//! written with [`vocabulary!`]: its token is a lowercase snake_case word, `Display` prints it,
//! `FromStr` and serde read exactly it, and an unknown word is an [`UnknownName`] listing the
//! valid ones (it converts into the crate's `Error` as `ErrorKind::UnknownName`).
//!
//! This module is on the ground floor: it imports nothing from the crate.

use std::fmt;

/// A word that is not in one of the crate's closed vocabularies (a component, rater, metric,
/// comparison, ...): the error of their `FromStr`. It names the vocabulary and lists the valid
/// words; with `?` it becomes the crate's [`Error`](crate::Error) of kind
/// [`ErrorKind::UnknownName`](crate::ErrorKind::UnknownName), with the same message.
///
/// ```
/// use therapeutic_alliance::{Error, Rater};
///
/// let err = "patient".parse::<Rater>().unwrap_err();
/// assert_eq!((err.what(), err.value()), ("rater", "patient"));
/// assert_eq!(err.to_string(), r#"unknown rater "patient": expected client, therapist or observer"#);
/// assert_eq!(Error::from(err).code(), "unknown_name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub(crate) what: &'static str,
    pub(crate) value: String,
    pub(crate) expected: &'static [&'static str],
    pub(crate) hint: Option<&'static str>,
}

impl UnknownName {
    /// Which vocabulary: `"component"`, `"rater"`, ...
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The text given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The valid words, in canonical order.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }

    /// A hint for a likely confusion, if the vocabulary has one.
    pub fn hint(&self) -> Option<&'static str> {
        self.hint
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}: expected ", self.what, self.value)?;
        let n = self.expected.len();
        for (i, s) in self.expected.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " or " } else { ", " })?;
            }
            f.write_str(s)?;
        }
        match self.hint {
            Some(h) => write!(f, " ({h})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownName {}

/// Implements `name()`, `ALL`, `Display`, `FromStr` and (with `serde`) string serialization.
///
/// `vocabulary!(Type, "what", hint, [Variant => "token", ...]);` where `hint` is an
/// `Option<&'static str>` added to the unknown-name message.
macro_rules! vocabulary {
    ($ty:ident, $what:literal, $hint:expr, [$($variant:ident => $token:literal),+ $(,)?]) => {
        impl $ty {
            /// Every value, in canonical order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The token used in files, on the command line and in `Display`.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $token),+
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::vocab::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($token => Ok($ty::$variant),)+
                    _ => Err(crate::vocab::UnknownName {
                        what: $what,
                        value: s.to_owned(),
                        expected: &[$($token),+],
                        hint: $hint,
                    }),
                }
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

pub(crate) use vocabulary;
