//! A calendar date without time zone, written `YYYY-MM-DD`.

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// The calendar date of a session (proleptic Gregorian, years 1-9999), written `YYYY-MM-DD` as in
/// ISO 8601, FHIR `date` and REDCap exports.
///
/// ```
/// use therapeutic_alliance::Date;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let d: Date = "2026-02-28".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2026, 2, 28));
/// assert_eq!(d.to_string(), "2026-02-28");
/// assert!("2026-02-29".parse::<Date>().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A validated date.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDate`](crate::ErrorKind::InvalidDate) if the year is outside 1-9999 or the day does not exist.
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(Date::new(2024, 2, 29)?.to_string(), "2024-02-29");
    /// assert!(Date::new(2023, 2, 29).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if !(1..=9999).contains(&year) || day == 0 || day > days {
            return Err(ErrorKind::InvalidDate {
                value: format!("{year:04}-{month:02}-{day:02}"),
            }
            .into());
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let d = Date::new(2026, 11, 29)?;
    /// assert_eq!(d.year(), 2026);
    /// # Ok(())
    /// # }
    /// ```
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let d = Date::new(2026, 11, 29)?;
    /// assert_eq!(d.month(), 11);
    /// # Ok(())
    /// # }
    /// ```
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let d = Date::new(2026, 11, 29)?;
    /// assert_eq!(d.day(), 29);
    /// # Ok(())
    /// # }
    /// ```
    pub fn day(self) -> u8 {
        self.day
    }
}

impl Date {
    /// Days from `earlier` to this date (negative if `earlier` is later).
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let d = |s: &str| s.parse::<Date>();
    /// assert_eq!(d("2024-03-01")?.days_since(d("2024-02-28")?), 2);
    /// assert_eq!(d("2026-01-01")?.days_since(d("2025-01-01")?), 365);
    /// assert_eq!(d("2025-01-01")?.days_since(d("2026-01-01")?), -365);
    /// # Ok(())
    /// # }
    /// ```
    pub fn days_since(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }

    /// Days since 0000-03-01 in the proleptic Gregorian calendar (Hinnant's days_from_civil).
    fn day_number(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe
    }
}

impl FromStr for Date {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = || -> Error {
            ErrorKind::InvalidDate {
                value: s.to_owned(),
            }
            .into()
        };
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = b.get(r)?;
            part.iter().try_fold(0u16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
            })
        };
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(invalid());
        }
        let (y, m, d) = (digits(0..4), digits(5..7), digits(8..10));
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => Date::new(y, m as u8, d as u8).map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_every_day() {
        // Walking day by day through leap years and century rules, each next date is one
        // day later.
        let mut prev = Date::new(1899, 12, 31).unwrap();
        for year in 1900..=2100u16 {
            for month in 1..=12u8 {
                for day in 1..=31u8 {
                    if let Ok(d) = Date::new(year, month, day) {
                        assert_eq!(d.days_since(prev), 1, "{d}");
                        prev = d;
                    }
                }
            }
        }
        let first = Date::new(1, 1, 1).unwrap();
        let last = Date::new(9999, 12, 31).unwrap();
        assert_eq!(last.days_since(first), 3_652_058);
    }

    #[test]
    fn parses_only_real_dates() {
        for ok in ["2026-11-29", "2000-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(ok.parse::<Date>().map(|d| d.to_string()), Ok(ok.to_owned()));
        }
        for bad in [
            "",
            "2026-1-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "1900-02-29",
            "0000-01-01",
            "2026/11/29",
            "2026-11-2x",
            "+026-11-29",
            "2026-11-290",
            "２０２６-11-29",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }
}
