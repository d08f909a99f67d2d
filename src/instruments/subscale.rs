//! Subscales: named groups of items scored together.

use crate::components::Component;

/// A named group of an instrument's items scored together: an id (a column name in output), a
/// label in the instrument's own words, its items, and optionally the alliance component it
/// measures.
///
/// An item may count in more than one subscale (psych-style keys often have a scale of all items
/// and scales of subsets). Asking a score for a [`Component`] finds the subscale that measures it.
/// The id `total` is reserved, and a subscale whose id is a component name (`goals`) must measure
/// that component.
///
/// ```
/// use therapeutic_alliance::{Component, Subscale};
///
/// // The WAI calls collaboration "Task": the label keeps the instrument's word.
/// let task = Subscale::new("collaboration", "Task", ["1", "2", "10", "12"]).measuring(Component::Collaboration);
/// assert_eq!((task.label(), task.component()), ("Task", Some(Component::Collaboration)));
/// let trust = Subscale::new("trust", "Trust", ["3", "7"]);
/// assert_eq!(trust.component(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Subscale {
    id: String,
    label: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    component: Option<Component>,
    items: Vec<String>,
}

impl Subscale {
    /// A subscale of these items (by item id), measuring no particular component. Validated when
    /// added to an instrument.
    ///
    /// ```
    /// use therapeutic_alliance::Subscale;
    ///
    /// let s = Subscale::new("trust", "Trust", ["3", "7"]);
    /// assert_eq!(s.items(), ["3", "7"]);
    /// ```
    pub fn new<S: Into<String>>(
        id: impl Into<String>,
        label: impl Into<String>,
        items: impl IntoIterator<Item = S>,
    ) -> Self {
        Subscale {
            id: id.into(),
            label: label.into(),
            component: None,
            items: items.into_iter().map(Into::into).collect(),
        }
    }

    /// The subscale measuring `component`, with the component's name as its id.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Subscale};
    ///
    /// let goal = Subscale::for_component(Component::Goals, "Goal", ["4", "6", "8", "11"]);
    /// assert_eq!((goal.id(), goal.component()), ("goals", Some(Component::Goals)));
    /// ```
    pub fn for_component<S: Into<String>>(
        component: Component,
        label: impl Into<String>,
        items: impl IntoIterator<Item = S>,
    ) -> Self {
        Subscale::new(component.name(), label, items).measuring(component)
    }

    /// The same subscale, measuring `component`.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Subscale};
    ///
    /// let s = Subscale::new("rapport", "Rapport", ["1", "2"]).measuring(Component::Bond);
    /// assert_eq!(s.component(), Some(Component::Bond));
    /// ```
    #[must_use]
    pub fn measuring(mut self, component: Component) -> Self {
        self.component = Some(component);
        self
    }

    /// The id: a column name in output, the key in reports.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Subscale::new("trust", "Trust", ["1"]).id(), "trust");
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The label, in the instrument's own words.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let labels: Vec<_> = srs.subscales().iter().map(|s| s.label()).collect();
    /// assert_eq!(labels, ["Goals and topics", "Approach or method", "Relationship", "Overall"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The alliance component it measures, if any.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.subscales()[3].component(), None); // "Overall"
    /// # Ok(())
    /// # }
    /// ```
    pub fn component(&self) -> Option<Component> {
        self.component
    }

    /// The ids of its items, in the order given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert_eq!(wai.subscales()[0].items(), ["4", "6", "8", "11"]); // goals
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> &[String] {
        &self.items
    }
}
