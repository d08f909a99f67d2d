//! Closed vocabularies: one spelling per value, shared by `Display`, `FromStr` and serde.
//!
//! Every enum of fixed names in the crate (components, raters, metrics, comparisons, ...) is
//! written with [`vocabulary!`]: its token is a lowercase snake_case word, `Display` prints it,
//! `FromStr` and serde read exactly it, and an unknown word is
//! [`ErrorKind::UnknownName`](crate::ErrorKind::UnknownName) listing the valid ones.

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
            type Err = crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($token => Ok($ty::$variant),)+
                    _ => Err(crate::ErrorKind::UnknownName {
                        what: $what,
                        value: s.to_owned(),
                        expected: &[$($token),+],
                        hint: $hint,
                    }
                    .into()),
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
