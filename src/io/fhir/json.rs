//! The JSON layer under the FHIR types: [`Decimal`] (a decimal kept as written), [`Extra`]
//! (elements the crate does not model, kept as written) and the `element!` macro that writes
//! each type's serde by hand, so that both work inside every type.
//!
//! Why by hand: serde's `#[serde(flatten)]` buffers a struct's entries before reading them, and a
//! buffered entry can no longer be read as a [`RawValue`] (the raw text is gone); so the types
//! read their known keys one by one and take every other key as raw JSON text.

use crate::error::{ErrorKind, Result};
use serde::de::{self, DeserializeOwned, MapAccess};
use serde_json::value::RawValue;
use std::fmt;

/// A FHIR `decimal`, kept exactly as written: `7.30` stays `7.30` when read and written back,
/// where a double would print `7.3` (FHIR gives trailing zeros meaning: the precision).
///
/// In JSON a decimal is a number (`7.30`), never a string (`"7.30"`). Two decimals are equal
/// when they are written alike (`7.30` is not `7.3`); [`Decimal::to_f64`] compares values.
///
/// ```
/// use therapeutic_alliance::fhir::Decimal;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let d: Decimal = "7.30".parse()?;
/// assert_eq!((d.as_str(), d.to_f64()), ("7.30", 7.3));
/// assert_eq!(serde_json::to_string(&d)?, "7.30");
/// let back: Decimal = serde_json::from_str("7.30")?;
/// assert_eq!(back, d);
/// assert!("7,3".parse::<Decimal>().is_err());
/// assert!(serde_json::from_str::<Decimal>("\"7.3\"").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// The decimal written `text` (JSON number syntax: `-1.50`, `0`, `2e3`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFhir`] if `text` is not a number written as JSON writes one.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Decimal;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(Decimal::new("10.0")?.as_str(), "10.0");
    /// assert_eq!(Decimal::new("01").unwrap_err().code(), "invalid_fhir");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(text: &str) -> Result<Self> {
        if is_json_number(text) {
            Ok(Decimal(text.to_owned()))
        } else {
            Err(ErrorKind::InvalidFhir {
                resource: "decimal",
                reason: format!("{:?} is not a decimal number", crate::ids::escaped(text)),
            }
            .into())
        }
    }

    /// The decimal as written.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(therapeutic_alliance::fhir::Decimal::new("0.50")?.as_str(), "0.50");
    /// # Ok(())
    /// # }
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest double (infinite for a decimal beyond the double range, such as `1e400`).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(therapeutic_alliance::fhir::Decimal::new("7.30")?.to_f64(), 7.3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_f64(&self) -> f64 {
        // The text is JSON number syntax, which Rust's parser reads (overflowing to infinity).
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// `units / 10^decimals`, written with exactly `decimals` decimals (`73, 1` is `7.3`,
    /// `100, 1` is `10.0`).
    pub(crate) fn from_units(units: i64, decimals: u8) -> Self {
        if decimals == 0 {
            return Decimal(units.to_string());
        }
        let scale = 10u64.pow(u32::from(decimals));
        let abs = units.unsigned_abs();
        let sign = if units < 0 { "-" } else { "" };
        Decimal(format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = usize::from(decimals)
        ))
    }

    /// The shortest decimal that reads back as `value`; `None` for NaN or an infinity.
    pub(crate) fn from_f64(value: f64) -> Option<Self> {
        value.is_finite().then(|| Decimal(format!("{value}")))
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Decimal {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        Decimal::new(s)
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        if is_json_number(text) {
            Ok(Decimal(text.to_owned()))
        } else {
            Err(de::Error::custom(format!(
                "expected a decimal number, found {}",
                crate::ids::escaped(text)
            )))
        }
    }
}

/// Whether two numbers in JSON syntax have the same value, exactly: `6`, `6.0`, `6.00` and
/// `0.6e1` are equal; `2.9999999999999999999` is not `3`. Text that is not a JSON number (or
/// whose exponent does not fit 18 digits) equals only the same text.
pub(crate) fn same_decimal(a: &str, b: &str) -> bool {
    a == b
        || match (normalized(a), normalized(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
}

/// A JSON number as `(negative, significant digits, exponent)`, with the digits stripped of
/// leading and trailing zeros (zero is `(false, "", 0)`); `None` for other text.
fn normalized(s: &str) -> Option<(bool, String, i64)> {
    if !is_json_number(s) {
        return None;
    }
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => {
            let e = e.strip_prefix('+').unwrap_or(e);
            if e.trim_start_matches('-').len() > 18 {
                return None;
            }
            (m, e.parse::<i64>().ok()?)
        }
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut exponent = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let digits: String = int.chars().chain(frac.chars()).collect();
    let digits = digits.trim_start_matches('0');
    let trimmed = digits.trim_end_matches('0');
    if trimmed.is_empty() {
        return Some((false, String::new(), 0));
    }
    exponent = exponent.checked_add(i64::try_from(digits.len() - trimmed.len()).ok()?)?;
    Some((negative, trimmed.to_owned(), exponent))
}

/// Whether `s` is a number in JSON syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
/// which is also FHIR's `decimal` syntax.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// The elements of a FHIR object that this crate does not model (`meta`, `text`, `contained`,
/// `_status`, any element of a later release, ...), in the order read, each kept as its JSON
/// text exactly as written. Written back after the modeled elements, so nothing a form
/// builder or server put in a resource is lost by reading and writing it, not even the written
/// form of a decimal.
///
/// ```
/// use therapeutic_alliance::fhir::QuestionnaireResponse;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let qr = QuestionnaireResponse::from_json(
///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
///         "meta": {"versionId": "3"}, "_status": {"extension": [{"url": "https://x.example/e", "valueDecimal": 1.50}]}}"#,
/// )?;
/// assert_eq!(qr.other.get("meta"), Some(r#"{"versionId": "3"}"#));
/// assert_eq!(qr.other.value("meta"), Some(serde_json::json!({"versionId": "3"})));
/// assert!(serde_json::to_string(&qr)?.contains(r#""valueDecimal": 1.50"#));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Extra(Vec<(String, Box<RawValue>)>);

impl Extra {
    /// How many elements.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "en"}"#)?;
    /// assert_eq!(qr.other.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed"}"#)?;
    /// assert!(qr.other.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON text of an element, as written.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "en"}"#)?;
    /// assert_eq!(qr.other.get("language"), Some(r#""en""#));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.get())
    }

    /// An element as a [`serde_json::Value`] (decimals become doubles there).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "en"}"#)?;
    /// assert_eq!(qr.other.value("language"), Some(serde_json::json!("en")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, key: &str) -> Option<serde_json::Value> {
        serde_json::from_str(self.get(key)?).ok()
    }

    /// Every element as `(key, JSON text)`, in the order read.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "en", "id": "qr-1"}"#)?;
    /// let keys: Vec<&str> = qr.other.iter().map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["language"]); // `id` is modeled
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v.get()))
    }

    /// Removes an element, returning its JSON text.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut qr = therapeutic_alliance::fhir::QuestionnaireResponse::from_json(
    ///     r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "en"}"#)?;
    /// assert_eq!(qr.other.remove("language").as_deref(), Some(r#""en""#));
    /// assert!(qr.other.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1.get().to_owned())
    }

    /// Adds an element read from JSON; an element given twice is refused.
    pub(crate) fn push(
        &mut self,
        key: String,
        raw: Box<RawValue>,
    ) -> std::result::Result<(), String> {
        if self.0.iter().any(|(k, _)| *k == key) {
            return Err(format!("element {key:?} appears twice"));
        }
        self.0.push((key, raw));
        Ok(())
    }

    /// The raw values, for writing.
    pub(crate) fn raw(&self) -> impl Iterator<Item = (&str, &RawValue)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), &**v))
    }

    /// How many keys are `value[x]` choices (`valueString`, `valueAttachment`, ...).
    pub(crate) fn value_choices(&self) -> impl Iterator<Item = &str> + '_ {
        self.0
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| is_value_choice(k))
    }
}

/// `valueString`, `valueCoding`, ...: `value` followed by a capital letter.
pub(crate) fn is_value_choice(key: &str) -> bool {
    key.strip_prefix("value")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((k, v), (l, w))| k == l && v.get() == w.get())
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// How one modeled element of a FHIR object is read and written: whether it may be left out,
/// what it is when it is, and how its JSON is read. FHIR JSON has no `null` and no empty
/// arrays, so an optional element given as `null` or an array given as `[]` is refused (it
/// could not be written back as it was).
pub(crate) trait Slot: Sized {
    /// Whether the element is left out when written.
    fn absent(&self) -> bool {
        false
    }

    /// Its value when the key is missing; `None` for a required element.
    fn missing() -> Option<Self> {
        None
    }

    /// Reads its JSON.
    fn read<'de, A: MapAccess<'de>>(map: &mut A, key: &str) -> std::result::Result<Self, A::Error>;
}

impl<T: DeserializeOwned> Slot for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }

    fn missing() -> Option<Self> {
        Some(None)
    }

    fn read<'de, A: MapAccess<'de>>(map: &mut A, _: &str) -> std::result::Result<Self, A::Error> {
        map.next_value::<T>().map(Some)
    }
}

impl<T: DeserializeOwned> Slot for Vec<T> {
    fn absent(&self) -> bool {
        self.is_empty()
    }

    fn missing() -> Option<Self> {
        Some(Vec::new())
    }

    fn read<'de, A: MapAccess<'de>>(map: &mut A, key: &str) -> std::result::Result<Self, A::Error> {
        let v: Vec<T> = map.next_value()?;
        if v.is_empty() {
            return Err(de::Error::custom(format!(
                "{key} is an empty array (FHIR JSON leaves out an element without values)"
            )));
        }
        Ok(v)
    }
}

/// Elements that must be present.
macro_rules! required_slot {
    ($($t:ty),* $(,)?) => {
        $(
            impl Slot for $t {
                fn read<'de, A: serde::de::MapAccess<'de>>(
                    map: &mut A,
                    _: &str,
                ) -> std::result::Result<Self, A::Error> {
                    map.next_value()
                }
            }
        )*
    };
}

pub(crate) use required_slot;

required_slot!(String);

/// A FHIR object type: its modeled elements (each a public field with its JSON key), plus
/// `other` ([`Extra`]) for the rest; serde written by hand so that [`Decimal`]s and `other`
/// keep their text. A resource names its `resourceType`, which is checked when read and
/// written first. An optional `check` function validates the object after reading.
macro_rules! element {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([resource $rt:literal])? {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty => $key:literal,
            )*
        }
        $(check = $check:path;)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
            /// Every element this crate does not model, kept as written.
            pub other: Extra,
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                $( m.serialize_entry("resourceType", $rt)?; )?
                $(
                    if !Slot::absent(&self.$field) {
                        m.serialize_entry($key, &self.$field)?;
                    }
                )*
                for (k, v) in self.other.raw() {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a FHIR ", stringify!($name), " object"))
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> std::result::Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        let mut other = Extra::default();
                        $( let mut resource_type: Option<String> = { let _ = $rt; None }; )?
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $(
                                    $key => {
                                        if $field.is_some() {
                                            return Err(serde::de::Error::custom(format!(
                                                "element {:?} appears twice",
                                                $key
                                            )));
                                        }
                                        $field = Some(Slot::read(&mut map, $key)?);
                                    }
                                )*
                                $(
                                    "resourceType" => {
                                        let t: String = map.next_value()?;
                                        if t != $rt {
                                            return Err(serde::de::Error::custom(format!(
                                                "resourceType is {:?}, not {:?}",
                                                crate::ids::escaped(&t),
                                                $rt
                                            )));
                                        }
                                        if resource_type.replace(t).is_some() {
                                            return Err(serde::de::Error::custom(
                                                "element \"resourceType\" appears twice",
                                            ));
                                        }
                                    }
                                )?
                                _ => {
                                    let raw: Box<serde_json::value::RawValue> =
                                        map.next_value()?;
                                    other.push(key, raw).map_err(serde::de::Error::custom)?;
                                }
                            }
                        }
                        $(
                            if resource_type.is_none() {
                                return Err(serde::de::Error::custom(concat!(
                                    "resourceType is missing (expected \"",
                                    $rt,
                                    "\")"
                                )));
                            }
                        )?
                        let value = $name {
                            $(
                                $field: match $field {
                                    Some(v) => v,
                                    None => Slot::missing()
                                        .ok_or_else(|| serde::de::Error::missing_field($key))?,
                                },
                            )*
                            other,
                        };
                        $( $check(&value).map_err(serde::de::Error::custom)?; )?
                        Ok(value)
                    }
                }

                d.deserialize_map(Visitor)
            }
        }
    };
}

pub(crate) use element;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers() {
        for ok in [
            "0",
            "-0",
            "7.30",
            "10",
            "1e5",
            "1E+5",
            "-2.5e-3",
            "123456789012345678901234",
        ] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1.5.5", "NaN", "inf", " 1", "0x10", "1_0",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn decimals_compare_exactly() {
        for (a, b) in [
            ("6", "6.0"),
            ("6", "6.00"),
            ("6", "0.6e1"),
            ("600", "6E+2"),
            ("0", "-0.0"),
            ("0.5", "5e-1"),
            ("-1.50", "-1.5"),
        ] {
            assert!(same_decimal(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("3", "2.9999999999999999999"),
            ("0", "1E-30"),
            ("7.3", "7.3000000000000000001"),
            ("6", "-6"),
            ("6", "60"),
            ("1e99999999999999999999", "1e99999999999999999998"),
            ("x", "y"),
        ] {
            assert!(!same_decimal(a, b), "{a} {b}");
        }
    }

    #[test]
    fn decimals_from_units_are_exact() {
        assert_eq!(Decimal::from_units(73, 1).as_str(), "7.3");
        assert_eq!(Decimal::from_units(100, 1).as_str(), "10.0");
        assert_eq!(Decimal::from_units(5, 2).as_str(), "0.05");
        assert_eq!(Decimal::from_units(-5, 1).as_str(), "-0.5");
        assert_eq!(Decimal::from_units(3, 0).as_str(), "3");
        assert_eq!(
            Decimal::from_f64(52.0 / 3.0).map(|d| d.0),
            Some("17.333333333333332".into())
        );
        assert_eq!(Decimal::from_f64(f64::NAN), None);
    }

    #[test]
    fn decimals_read_as_written() -> Result<(), serde_json::Error> {
        let d: Decimal = serde_json::from_str(" 7.30 ")?;
        assert_eq!(d.as_str(), "7.30");
        assert!(serde_json::from_str::<Decimal>("\"7.30\"").is_err());
        assert!(serde_json::from_str::<Decimal>("true").is_err());
        assert!(serde_json::from_str::<Decimal>("null").is_err());
        // Through a Value the written form is lost, but reading still works.
        let v: Decimal = serde_json::from_value(serde_json::json!(2.5))?;
        assert_eq!(v.as_str(), "2.5");
        Ok(())
    }
}
