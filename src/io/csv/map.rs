//! Column names mapped to item ids.

use std::collections::HashMap;
use std::io::Read;

use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;

use super::table::Table;

/// Which item each column (or REDCap field) holds: a one-to-one map from names in the file to
/// item ids. Without one, a column holds the item whose id is its header name.
///
/// Build it in code, read it from a CSV file with a `field` and an `item` column
/// ([`ItemMap::from_csv`]), or, with the `serde` feature, from a JSON object `{"field":
/// "item", ...}`.
///
/// ```
/// use therapeutic_alliance::csv::ItemMap;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let map = ItemMap::from_pairs([("wai_1", "1"), ("wai_2", "2")])?;
/// assert_eq!((map.item("wai_2"), map.field("1")), (Some("2"), Some("wai_1")));
/// assert_eq!(ItemMap::from_pairs([("a", "1"), ("b", "1")]).unwrap_err().code(), "column_conflict");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemMap {
    /// (field, item) in the order given.
    pairs: Vec<(String, String)>,
    by_field: HashMap<String, usize>,
    by_item: HashMap<String, usize>,
}

impl ItemMap {
    /// An empty map.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// assert!(ItemMap::new().is_empty());
    /// ```
    pub fn new() -> Self {
        ItemMap::default()
    }

    /// A map from `(field, item)` pairs.
    ///
    /// # Errors
    /// As [`ItemMap::insert`], for the first bad pair.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let map = ItemMap::from_pairs((1..=12).map(|i| (format!("wai_{i}"), i.to_string())))?;
    /// assert_eq!(map.len(), 12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pairs<F: Into<String>, I: Into<String>>(
        pairs: impl IntoIterator<Item = (F, I)>,
    ) -> Result<Self> {
        let mut map = ItemMap::new();
        for (field, item) in pairs {
            map.insert(field, item)?;
        }
        Ok(map)
    }

    /// Reads a map from CSV text with a header naming a `field` and an `item` column (other
    /// columns are ignored), one pair per row; blank lines, spaces and quotes as
    /// [`Table`] reads them.
    ///
    /// # Errors
    /// [`ErrorKind::Io`], [`ErrorKind::NotUtf8`]; [`ErrorKind::MissingColumn`] without a
    /// `field` or `item` column; and each pair's error as [`ItemMap::insert`] gives it, located
    /// at its row and column.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let map = ItemMap::from_csv("field,item\nwai_1,1\n\nwai_2 , 2\n".as_bytes())?;
    /// assert_eq!(map.item("wai_2"), Some("2"));
    /// let err = ItemMap::from_csv("field,item\nwai_1,1\nwai_1,2\n".as_bytes()).unwrap_err();
    /// assert_eq!(err.to_string(), "row 3, column \"field\": column \"wai_1\" is mapped twice (to items 1 and 2)");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_csv(reader: impl Read) -> Result<Self> {
        let mut table = Table::new(reader)?;
        let column = |table: &Table<_>, name: &str| -> Result<usize> {
            table.position(name)?.ok_or_else(|| {
                ErrorKind::MissingColumn {
                    column: name.to_owned(),
                    role: "item map",
                }
                .into()
            })
        };
        let field_at = column(&table, "field")?;
        let item_at = column(&table, "item")?;
        let mut map = ItemMap::new();
        while let Some(record) = table.next_record()? {
            let line = record.line();
            let field = record.text(field_at)?;
            let item = record.text(item_at)?;
            map.insert(field, item).map_err(|e| {
                // An item id problem is the item cell's; anything else the field's.
                let column = if matches!(
                    e.kind(),
                    ErrorKind::InvalidText {
                        field: "item id",
                        ..
                    }
                ) {
                    "item"
                } else {
                    "field"
                };
                e.at_row(line).at_column(column)
            })?;
        }
        Ok(map)
    }

    /// Adds a pair: the column (or field) `field` holds item `item`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] for an empty field name or an item id that is not a valid id;
    /// [`ErrorKind::ColumnConflict`] for a field mapped twice or an item given two fields.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut map = ItemMap::new();
    /// map.insert("q1", "1")?;
    /// assert_eq!(map.insert("q1b", "1").unwrap_err().to_string(), "column \"q1b\" maps to item 1, which column \"q1\" holds already");
    /// assert_eq!(map.insert("", "2").unwrap_err().code(), "invalid_text");
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert(&mut self, field: impl Into<String>, item: impl Into<String>) -> Result<()> {
        let (field, item) = (field.into(), item.into());
        check_field(TextRule::Id, "column name", &field)?;
        check_field(TextRule::Id, "item id", &item)?;
        if let Some(&at) = self.by_field.get(&field) {
            let before = self.pairs.get(at).map_or("", |(_, i)| i.as_str());
            return Err(ErrorKind::ColumnConflict {
                column: field.clone(),
                reason: format!("is mapped twice (to items {before} and {item})"),
            }
            .into());
        }
        if let Some(&at) = self.by_item.get(&item) {
            let before = self.pairs.get(at).map_or("", |(f, _)| f.as_str());
            return Err(ErrorKind::ColumnConflict {
                column: field.clone(),
                reason: format!("maps to item {item}, which column {before:?} holds already"),
            }
            .into());
        }
        let at = self.pairs.len();
        self.by_field.insert(field.clone(), at);
        self.by_item.insert(item.clone(), at);
        self.pairs.push((field, item));
        Ok(())
    }

    /// The item that column `field` holds.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ItemMap::from_pairs([("q1", "1")])?.item("q2"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn item(&self, field: &str) -> Option<&str> {
        let &at = self.by_field.get(field)?;
        self.pairs.get(at).map(|(_, i)| i.as_str())
    }

    /// The column that holds `item`.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ItemMap::from_pairs([("q1", "1")])?.field("1"), Some("q1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn field(&self, item: &str) -> Option<&str> {
        let &at = self.by_item.get(item)?;
        self.pairs.get(at).map(|(f, _)| f.as_str())
    }

    /// The pairs `(field, item)` in the order given.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let map = ItemMap::from_pairs([("b", "2"), ("a", "1")])?;
    /// assert_eq!(map.iter().collect::<Vec<_>>(), [("b", "2"), ("a", "1")]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.pairs.iter().map(|(f, i)| (f.as_str(), i.as_str()))
    }

    /// The number of pairs.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ItemMap::from_pairs([("q1", "1")])?.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether the map has no pairs.
    ///
    /// ```
    /// use therapeutic_alliance::csv::ItemMap;
    ///
    /// assert!(ItemMap::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// As a JSON object `{"field": "item", ...}`, in the order given.
#[cfg(feature = "serde")]
impl serde::Serialize for ItemMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// From a JSON object `{"field": "item", ...}`, validated as [`ItemMap::insert`] validates.
///
/// ```
/// use therapeutic_alliance::csv::ItemMap;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let map: ItemMap = serde_json::from_str(r#"{"wai_1": "1", "wai_2": "2"}"#)?;
/// assert_eq!(map.item("wai_1"), Some("1"));
/// assert!(serde_json::from_str::<ItemMap>(r#"{"a": "1", "b": "1"}"#).is_err());
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ItemMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ItemMap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object mapping column names to item ids")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> std::result::Result<ItemMap, A::Error> {
                let mut map = ItemMap::new();
                while let Some((field, item)) = access.next_entry::<String, String>()? {
                    map.insert(field, item)
                        .map_err(|e: crate::Error| serde::de::Error::custom(e))?;
                }
                Ok(map)
            }
        }
        d.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_is_one_to_one() {
        let mut map = ItemMap::from_pairs([("q1", "1"), ("q2", "2")]).expect("valid");
        assert_eq!(
            map.insert("q1", "3").unwrap_err().to_string(),
            "column \"q1\" is mapped twice (to items 1 and 3)"
        );
        assert_eq!(map.len(), 2, "a refused pair leaves the map as it was");
        assert_eq!(map.insert("q3", " 3").unwrap_err().code(), "invalid_text");
    }

    #[test]
    fn a_map_file_needs_field_and_item_columns() {
        let err = ItemMap::from_csv("name,item\na,1\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the header has no item map column \"field\""
        );
        let err = ItemMap::from_csv("field,item\na,\n".as_bytes()).unwrap_err();
        assert_eq!((err.row(), err.column()), (Some(2), Some("item")));
        let map = ItemMap::from_csv("item,label,field\n1,Trust,wai_1\n".as_bytes()).expect("map");
        assert_eq!(map.item("wai_1"), Some("1"));
    }
}
