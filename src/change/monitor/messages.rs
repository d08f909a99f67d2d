//! The words of the monitor: message tables (English and German built in, replaceable), the
//! templates they fill in, and the prompts for each component and modality.

use std::collections::BTreeMap;

use super::event::{Event, MessagePart, Param, Params, Practice, Severity, Summary};
use crate::components::{Component, Modality};
use crate::error::{ErrorKind, Result};

/// A message table: the words of the session monitor's events, summaries and prompts, one
/// template per stable key.
///
/// Templates name values in braces (`{score}`, `{target}`), filled in from an event's
/// [`params`](Event::params). A number is written with at most two decimals (trailing zeros
/// dropped) and the table's decimal separator; a text is a term (a subscale id such as `bond`, a
/// comparison such as `at_or_below`), written as the table's `term.<text>` entry if it has one.
///
/// The keys ([`Messages::keys`] lists them all, with the English text):
/// - events: `threshold.entered`, `threshold.persisting`, `threshold.left`,
///   `reliable_worsening`, `reliable_improvement`, `worsening`, `improvement`,
///   `rupture_opened`, `rupture_repaired`, `component_falling`, and `fell_most` (the sentence
///   added to an event with a [`largest_fall`](Event::largest_fall));
/// - summaries: `summary.session`, `summary.fell`, `summary.rose`, `summary.entered`,
///   `summary.persisting`, `summary.left`, `summary.reliable_worsening`,
///   `summary.reliable_improvement`, `summary.rupture_opened`, `summary.rupture_repaired`,
///   `summary.component_falling`, `summary.fell_most`;
/// - prompts: `prompt.<goals|collaboration|bond|general>.<general|cbt|psychodynamic|humanistic>`;
/// - labels: `severity.<info|attention|alert>`, `practice.<openness|goals|questions|feedback>`;
/// - terms: `term.<total|goals|collaboration|bond|global|below|at_or_below|above|at_or_above>`,
///   and the unit after a score of a threshold by its metric, `term.<sum|mean|pomp>` (`%`).
///
/// [`Messages::english`] (the default) and [`Messages::german`] ship with the crate. To
/// translate or reword, start from one and replace entries ([`Messages::with`]), or write the
/// entries as JSON and read them with [`Messages::from_json`]; a key the table does not set
/// keeps its English text. A replacement may use only the values the English template uses.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{Messages, MonitorOptions, SessionMonitor};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs))
///     .with_messages(Messages::german());
/// let adm = Administration::builder(&srs).session(1)
///     .answers([("1", 8.0), ("2", 8.5), ("3", 9.0), ("4", 9.0)])?.build()?;
/// let seen = monitor.observe(&adm)?;
/// assert_eq!(seen.events[0].message,
///     "Der Wert der Skala Gesamt (34,5) liegt auf oder unter dem Grenzwert von 36.");
/// // The same event in English, from its key and values.
/// assert_eq!(Messages::english().event(&seen.events[0]),
///     "The total score (34.5) is at or below the cutoff of 36.");
/// // A clinic's own wording.
/// let own = Messages::english().with("threshold.entered", "{target}: {score} (cutoff {threshold})")?;
/// assert_eq!(own.event(&seen.events[0]), "total: 34.5 (cutoff 36)");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Messages {
    language: String,
    decimal: char,
    table: BTreeMap<&'static str, String>,
}

impl Default for Messages {
    fn default() -> Self {
        Messages::english()
    }
}

/// The English table: (key, template).
const ENGLISH: &[(&str, &str)] = &[
    (
        "threshold.entered",
        "The {target} score ({score}{unit}) is {comparison} the cutoff of {threshold}{unit}.",
    ),
    (
        "threshold.persisting",
        "The {target} score ({score}{unit}) is still {comparison} the cutoff of {threshold}{unit} ({sessions} sessions running).",
    ),
    (
        "threshold.left",
        "Good news: the {target} score ({score}{unit}) is back {comparison} the cutoff of {threshold}{unit}.",
    ),
    (
        "reliable_worsening",
        "The {target} score worsened reliably by {worsening}, from {previous} at session {previous_session} to {current} (reliable change: {criterion}).",
    ),
    (
        "reliable_improvement",
        "The {target} score improved reliably by {improvement}, from {previous} at session {previous_session} to {current} (reliable change: {criterion}).",
    ),
    (
        "worsening",
        "The {target} score worsened by {worsening}, from {previous} at session {previous_session} to {current}.",
    ),
    (
        "improvement",
        "The {target} score improved by {improvement}, from {previous} at session {previous_session} to {current}.",
    ),
    (
        "rupture_opened",
        "A rupture: the total is {depth} below its level of {level} at session {start}.",
    ),
    (
        "rupture_repaired",
        "The rupture that began at session {onset} is repaired: the total is back at {value}, at or above its level of {level}.",
    ),
    (
        "component_falling",
        "The {component} fell by {fall} percentage points while the other components held.",
    ),
    (
        "fell_most",
        "The {fell_most} fell most ({fell_most_fall} points, {fell_most_pomp} percentage points).",
    ),
    ("summary.session", "Session {session}"),
    (
        "summary.fell",
        "Session {session}: the total fell by {change} to {score}",
    ),
    (
        "summary.rose",
        "Session {session}: the total rose by {change} to {score}",
    ),
    (
        "summary.entered",
        "the {target} ({score}{unit}) {comparison} the cutoff of {threshold}{unit}",
    ),
    (
        "summary.persisting",
        "the {target} ({score}{unit}) still {comparison} the cutoff of {threshold}{unit} ({sessions} sessions running)",
    ),
    (
        "summary.left",
        "the {target} ({score}{unit}) back {comparison} the cutoff of {threshold}{unit}: good news",
    ),
    ("summary.reliable_worsening", "a reliable worsening"),
    ("summary.reliable_improvement", "a reliable improvement"),
    ("summary.rupture_opened", "a rupture of the alliance"),
    ("summary.rupture_repaired", "the rupture is repaired"),
    (
        "summary.component_falling",
        "the {component} fell while the others held",
    ),
    (
        "summary.fell_most",
        "the {fell_most} fell most ({fell_most_fall} points)",
    ),
    (
        "prompt.general.general",
        "What has been working for you in our sessions, and what hasn't?",
    ),
    (
        "prompt.general.cbt",
        "Could you tell me honestly what has helped in our sessions and what hasn't, so that we can adjust how we work on your thoughts together?",
    ),
    (
        "prompt.general.psychodynamic",
        "I have the sense that something shifted between us; could we look together at what has felt helpful here and what hasn't?",
    ),
    (
        "prompt.general.humanistic",
        "I'd really like to hear how our time together feels to you, what helps and what doesn't, whatever it is.",
    ),
    (
        "prompt.goals.general",
        "Are we still working on what matters most to you, or should we look at your goals again?",
    ),
    (
        "prompt.goals.cbt",
        "Before we challenge the next thought, can we check that the goals we set still fit what you want to change?",
    ),
    (
        "prompt.goals.psychodynamic",
        "I wonder whether what we have been exploring still connects with what you hoped for when you came here?",
    ),
    (
        "prompt.goals.humanistic",
        "What feels most important for you to be working on right now?",
    ),
    (
        "prompt.collaboration.general",
        "Is anything about how we work together unclear or not quite right for you?",
    ),
    (
        "prompt.collaboration.cbt",
        "Does the way we test your thoughts in and between sessions make sense to you, or is there a part we should do differently?",
    ),
    (
        "prompt.collaboration.psychodynamic",
        "How has it been for you to talk here as freely as we do, and is there something about how we work that puzzles you?",
    ),
    (
        "prompt.collaboration.humanistic",
        "How does the way we are working together feel for you right now, and is there anything you would like more or less of?",
    ),
    (
        "prompt.bond.general",
        "How has our relationship felt to you lately, and did anything I did not sit right with you?",
    ),
    (
        "prompt.bond.cbt",
        "Challenging thoughts works best when you can trust me with them, so did anything in our last sessions make that harder?",
    ),
    (
        "prompt.bond.psychodynamic",
        "Some of what we talk about is painful, and I wonder whether something in how I responded made it harder to bring it here?",
    ),
    (
        "prompt.bond.humanistic",
        "I want to understand how it feels for you to be here with me right now, even if it is hard to say.",
    ),
    ("severity.info", "info"),
    ("severity.attention", "attention"),
    ("severity.alert", "alert"),
    ("practice.openness", "be open and honest"),
    ("practice.goals", "set clear goals"),
    ("practice.questions", "ask when something is unclear"),
    ("practice.feedback", "say what works and what does not"),
    ("term.total", "total"),
    ("term.goals", "goals"),
    ("term.collaboration", "collaboration"),
    ("term.bond", "bond"),
    ("term.global", "overall rating"),
    ("term.below", "below"),
    ("term.at_or_below", "at or below"),
    ("term.above", "above"),
    ("term.at_or_above", "at or above"),
    ("term.sum", ""),
    ("term.mean", ""),
    ("term.pomp", "%"),
];

/// The German table: (key, template).
const GERMAN: &[(&str, &str)] = &[
    (
        "threshold.entered",
        "Der Wert der Skala {target} ({score}{unit}) liegt {comparison} dem Grenzwert von {threshold}{unit}.",
    ),
    (
        "threshold.persisting",
        "Der Wert der Skala {target} ({score}{unit}) liegt weiterhin {comparison} dem Grenzwert von {threshold}{unit} ({sessions} Sitzungen in Folge).",
    ),
    (
        "threshold.left",
        "Gute Nachricht: Der Wert der Skala {target} ({score}{unit}) liegt wieder {comparison} dem Grenzwert von {threshold}{unit}.",
    ),
    (
        "reliable_worsening",
        "Der Wert der Skala {target} hat sich reliabel um {worsening} verschlechtert, von {previous} in Sitzung {previous_session} auf {current} (reliable Veränderung: {criterion}).",
    ),
    (
        "reliable_improvement",
        "Der Wert der Skala {target} hat sich reliabel um {improvement} verbessert, von {previous} in Sitzung {previous_session} auf {current} (reliable Veränderung: {criterion}).",
    ),
    (
        "worsening",
        "Der Wert der Skala {target} hat sich um {worsening} verschlechtert, von {previous} in Sitzung {previous_session} auf {current}.",
    ),
    (
        "improvement",
        "Der Wert der Skala {target} hat sich um {improvement} verbessert, von {previous} in Sitzung {previous_session} auf {current}.",
    ),
    (
        "rupture_opened",
        "Ein Bruch der Allianz: Der Gesamtwert liegt {depth} unter seinem Niveau von {level} in Sitzung {start}.",
    ),
    (
        "rupture_repaired",
        "Der Bruch seit Sitzung {onset} ist behoben: Der Gesamtwert ist mit {value} wieder auf oder über seinem Niveau von {level}.",
    ),
    (
        "component_falling",
        "Die Komponente {component} fiel um {fall} Prozentpunkte, während die anderen stabil blieben.",
    ),
    (
        "fell_most",
        "Am stärksten fiel die Skala {fell_most} ({fell_most_fall} Punkte, {fell_most_pomp} Prozentpunkte).",
    ),
    ("summary.session", "Sitzung {session}"),
    (
        "summary.fell",
        "Sitzung {session}: der Gesamtwert fiel um {change} auf {score}",
    ),
    (
        "summary.rose",
        "Sitzung {session}: der Gesamtwert stieg um {change} auf {score}",
    ),
    (
        "summary.entered",
        "{target} ({score}{unit}) {comparison} dem Grenzwert von {threshold}{unit}",
    ),
    (
        "summary.persisting",
        "{target} ({score}{unit}) weiterhin {comparison} dem Grenzwert von {threshold}{unit} ({sessions} Sitzungen in Folge)",
    ),
    (
        "summary.left",
        "{target} ({score}{unit}) wieder {comparison} dem Grenzwert von {threshold}{unit}: eine gute Nachricht",
    ),
    (
        "summary.reliable_worsening",
        "eine reliable Verschlechterung",
    ),
    ("summary.reliable_improvement", "eine reliable Verbesserung"),
    ("summary.rupture_opened", "ein Bruch der Allianz"),
    ("summary.rupture_repaired", "der Bruch ist behoben"),
    (
        "summary.component_falling",
        "{component} fiel, während die anderen stabil blieben",
    ),
    (
        "summary.fell_most",
        "am stärksten fiel {fell_most} ({fell_most_fall} Punkte)",
    ),
    (
        "prompt.general.general",
        "Was hat Ihnen in unseren Sitzungen geholfen, und was nicht?",
    ),
    (
        "prompt.general.cbt",
        "Können Sie mir offen sagen, was Ihnen in unseren Sitzungen geholfen hat und was nicht, damit wir die Arbeit an Ihren Gedanken gemeinsam anpassen können?",
    ),
    (
        "prompt.general.psychodynamic",
        "Ich habe den Eindruck, dass sich zwischen uns etwas verändert hat; können wir gemeinsam anschauen, was hier hilfreich war und was nicht?",
    ),
    (
        "prompt.general.humanistic",
        "Ich würde gern hören, wie sich unsere gemeinsame Zeit für Sie anfühlt, was hilft und was nicht, was immer es ist.",
    ),
    (
        "prompt.goals.general",
        "Arbeiten wir noch an dem, was Ihnen am wichtigsten ist, oder sollten wir uns Ihre Ziele noch einmal ansehen?",
    ),
    (
        "prompt.goals.cbt",
        "Bevor wir den nächsten Gedanken prüfen: Passen die Ziele, die wir gesetzt haben, noch zu dem, was Sie verändern möchten?",
    ),
    (
        "prompt.goals.psychodynamic",
        "Ich frage mich, ob das, was wir zuletzt erkundet haben, noch mit dem verbunden ist, was Sie sich erhofft haben, als Sie hierher kamen?",
    ),
    (
        "prompt.goals.humanistic",
        "Woran möchten Sie gerade jetzt am liebsten arbeiten?",
    ),
    (
        "prompt.collaboration.general",
        "Ist Ihnen an der Art, wie wir zusammenarbeiten, etwas unklar oder nicht ganz stimmig?",
    ),
    (
        "prompt.collaboration.cbt",
        "Ergibt es für Sie Sinn, wie wir Ihre Gedanken in und zwischen den Sitzungen prüfen, oder sollten wir einen Teil anders machen?",
    ),
    (
        "prompt.collaboration.psychodynamic",
        "Wie ist es für Sie, hier so frei zu sprechen, wie wir es tun, und gibt es etwas an unserer Arbeitsweise, das Sie irritiert?",
    ),
    (
        "prompt.collaboration.humanistic",
        "Wie fühlt sich unsere Art der Zusammenarbeit gerade für Sie an, und wovon hätten Sie gern mehr oder weniger?",
    ),
    (
        "prompt.bond.general",
        "Wie haben Sie unsere Beziehung in letzter Zeit erlebt, und hat Sie etwas, das ich getan habe, gestört?",
    ),
    (
        "prompt.bond.cbt",
        "Gedanken zu hinterfragen gelingt am besten, wenn Sie mir vertrauen können; hat etwas in den letzten Sitzungen das schwerer gemacht?",
    ),
    (
        "prompt.bond.psychodynamic",
        "Manches, worüber wir sprechen, ist schmerzhaft, und ich frage mich, ob etwas an meiner Reaktion es Ihnen schwerer gemacht hat, es hierher zu bringen?",
    ),
    (
        "prompt.bond.humanistic",
        "Ich möchte verstehen, wie es sich für Sie anfühlt, gerade jetzt hier mit mir zu sein, auch wenn es schwer zu sagen ist.",
    ),
    ("severity.info", "Info"),
    ("severity.attention", "Achtung"),
    ("severity.alert", "Alarm"),
    ("practice.openness", "offen und ehrlich sein"),
    ("practice.goals", "klare Ziele setzen"),
    ("practice.questions", "nachfragen, wenn etwas unklar ist"),
    ("practice.feedback", "sagen, was hilft und was nicht"),
    ("term.total", "Gesamt"),
    ("term.goals", "Ziele"),
    ("term.collaboration", "Zusammenarbeit"),
    ("term.bond", "Beziehung"),
    ("term.global", "Gesamteindruck"),
    ("term.below", "unter"),
    ("term.at_or_below", "auf oder unter"),
    ("term.above", "über"),
    ("term.at_or_above", "auf oder über"),
    ("term.sum", ""),
    ("term.mean", ""),
    ("term.pomp", " %"),
];

/// The longest template a table accepts, in bytes.
const MAX_TEMPLATE: usize = 2000;

impl Messages {
    /// The English table (the default).
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// assert_eq!(Messages::english().get("summary.rupture_opened"), Some("a rupture of the alliance"));
    /// ```
    pub fn english() -> Self {
        Messages {
            language: "en".to_owned(),
            decimal: '.',
            table: ENGLISH.iter().map(|&(k, v)| (k, v.to_owned())).collect(),
        }
    }

    /// The German table (decimal comma).
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// assert_eq!(Messages::german().language(), "de");
    /// assert_eq!(Messages::german().get("practice.openness"), Some("offen und ehrlich sein"));
    /// ```
    pub fn german() -> Self {
        let mut m = Messages::english();
        m.language = "de".to_owned();
        m.decimal = ',';
        for &(k, v) in GERMAN {
            if let Some(slot) = m.table.get_mut(k) {
                v.clone_into(slot);
            }
        }
        m
    }

    /// A built-in table by language tag: `en` or `de`.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// assert_eq!(Messages::for_language("de"), Some(Messages::german()));
    /// assert_eq!(Messages::for_language("fr"), None);
    /// ```
    pub fn for_language(tag: &str) -> Option<Self> {
        match tag {
            "en" => Some(Messages::english()),
            "de" => Some(Messages::german()),
            _ => None,
        }
    }

    /// The language tag the table was given.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::Messages::english().language(), "en");
    /// ```
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Every key with its English template, for translators.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// assert!(Messages::keys().any(|(k, _)| k == "prompt.bond.cbt"));
    /// ```
    pub fn keys() -> impl Iterator<Item = (&'static str, &'static str)> {
        ENGLISH.iter().copied()
    }

    /// The template of `key`, if it is a key.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::Messages::english().get("no.such.key"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.table.get(key).map(String::as_str)
    }

    /// The table with `key`'s template replaced.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if `key` is not a key of the table, or the template is
    /// longer than 2000 bytes or names a value (`{name}`) the English template does not use.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = Messages::english().with("summary.rupture_opened", "a rupture")?;
    /// assert_eq!(m.get("summary.rupture_opened"), Some("a rupture"));
    /// assert!(Messages::english().with("summary.rupture_opened", "{client}").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn with(mut self, key: &str, template: impl Into<String>) -> Result<Self> {
        let template = template.into();
        let bad = |reason: String| -> crate::Error {
            ErrorKind::InvalidOption {
                option: "message",
                value: crate::ids::escaped(key),
                reason,
            }
            .into()
        };
        let Some(&(k, english)) = ENGLISH.iter().find(|(k, _)| *k == key) else {
            return Err(bad("is not a key of the monitor's message table".to_owned()));
        };
        if template.len() > MAX_TEMPLATE {
            return Err(bad(format!(
                "the template is longer than {MAX_TEMPLATE} bytes"
            )));
        }
        let known = placeholders(english);
        if let Some(name) = placeholders(&template)
            .into_iter()
            .find(|n| !known.contains(n))
        {
            return Err(bad(format!(
                "the template names the value {}, which this message does not have",
                crate::ids::escaped(name)
            )));
        }
        self.table.insert(k, template);
        Ok(self)
    }

    /// The table with another language tag and decimal separator (`.` or `,`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the tag is empty, longer than 35 bytes or not letters,
    /// digits and `-`, or the separator is neither `.` nor `,`.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let fr = Messages::english().language_tag("fr", ',')?;
    /// assert_eq!(fr.language(), "fr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn language_tag(mut self, tag: &str, decimal_separator: char) -> Result<Self> {
        let tag_ok = !tag.is_empty()
            && tag.len() <= 35
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !tag_ok {
            return Err(ErrorKind::InvalidOption {
                option: "language tag",
                value: crate::ids::escaped(tag),
                reason: "a language tag is 1 to 35 letters, digits and `-`".to_owned(),
            }
            .into());
        }
        if !matches!(decimal_separator, '.' | ',') {
            return Err(ErrorKind::InvalidOption {
                option: "decimal separator",
                value: crate::ids::escaped(&decimal_separator.to_string()),
                reason: "it is `.` or `,`".to_owned(),
            }
            .into());
        }
        tag.clone_into(&mut self.language);
        self.decimal = decimal_separator;
        Ok(self)
    }

    /// Reads a table written as JSON: `{"language": "fr", "decimal_separator": ",",
    /// "messages": {"threshold.entered": "…", …}}`, each entry replacing the English one
    /// ([`Messages::with`]; keys not given keep their English text).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the text is not such a JSON object, and as [`Messages::with`] and [`Messages::language_tag`].
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = Messages::from_json(r#"{"language": "fr", "decimal_separator": ",",
    ///     "messages": {"summary.rupture_opened": "une rupture de l'alliance"}}"#)?;
    /// assert_eq!(m.get("summary.rupture_opened"), Some("une rupture de l'alliance"));
    /// assert_eq!(m.get("summary.rupture_repaired"), Some("the rupture is repaired"));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            language: String,
            #[serde(default)]
            decimal_separator: Option<char>,
            messages: BTreeMap<String, String>,
        }
        let t: Table = serde_json::from_str(text).map_err(|e| ErrorKind::InvalidOption {
            option: "message table",
            value: "JSON".to_owned(),
            reason: crate::ids::escaped(&e.to_string()),
        })?;
        let mut m =
            Messages::english().language_tag(&t.language, t.decimal_separator.unwrap_or('.'))?;
        for (k, v) in t.messages {
            m = m.with(&k, v)?;
        }
        Ok(m)
    }

    /// The table as JSON in the form [`Messages::from_json`] reads: a start for a translation.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let german = Messages::german();
    /// assert_eq!(Messages::from_json(&german.to_json())?, german);
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> String {
        let value = serde_json::json!({
            "language": self.language,
            "decimal_separator": self.decimal,
            "messages": self.table,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// Fills in the template of `key` (the key itself if the table has none).
    ///
    /// ```
    /// use therapeutic_alliance::change::{Messages, Param, Params};
    ///
    /// let mut params = Params::new();
    /// params.insert("fell_most".into(), Param::from("bond"));
    /// params.insert("fell_most_fall".into(), Param::from(2.6));
    /// assert_eq!(Messages::german().render("summary.fell_most", &params),
    ///     "am stärksten fiel Beziehung (2,6 Punkte)");
    /// ```
    pub fn render(&self, key: &str, params: &Params) -> String {
        let Some(template) = self.get(key) else {
            return key.to_owned();
        };
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match params.get(name) {
                        Some(p) => self.write_param(&mut out, p),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn write_param(&self, out: &mut String, p: &Param) {
        match p {
            Param::Number(v) => out.push_str(&self.number(*v)),
            Param::Text(t) => match self.table.get(format!("term.{t}").as_str()) {
                Some(term) => out.push_str(term),
                None => out.push_str(t),
            },
        }
    }

    /// A number as the table writes it: at most two decimals, trailing zeros dropped, the
    /// table's decimal separator.
    ///
    /// ```
    /// use therapeutic_alliance::change::Messages;
    ///
    /// assert_eq!(Messages::english().number(2.5833333333333335), "2.58");
    /// assert_eq!(Messages::german().number(36.0), "36");
    /// assert_eq!(Messages::german().number(6.2), "6,2");
    /// ```
    pub fn number(&self, v: f64) -> String {
        if !v.is_finite() {
            return crate::error::Num(v).to_string();
        }
        let mut s = format!("{v:.2}");
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        if s == "-0" {
            s = "0".to_owned();
        }
        if self.decimal != '.' {
            s = s.replace('.', &self.decimal.to_string());
        }
        s
    }

    /// An event's message in this table: its key's template, and the `fell_most` sentence when
    /// it names a largest fall.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{Messages, MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs));
    /// let at = |n: u32, bond: f64| Administration::builder(&srs).session(n)
    ///     .answers([("1", bond), ("2", 9.5), ("3", 9.5), ("4", 9.5)])?.build();
    /// monitor.observe(&at(1, 9.5)?)?;
    /// let events = monitor.observe(&at(2, 8.0)?)?.events;
    /// assert_eq!(Messages::german().event(&events[0]),
    ///     "Der Wert der Skala Gesamt hat sich um 1,5 verschlechtert, von 38 in Sitzung 1 auf 36,5. \
    ///      Am stärksten fiel die Skala Beziehung (1,5 Punkte, 15 Prozentpunkte).");
    /// # Ok(())
    /// # }
    /// ```
    pub fn event(&self, event: &Event) -> String {
        let mut s = self.render(&event.message_key, &event.params);
        if event.largest_fall.is_some() {
            s.push(' ');
            s.push_str(&self.render("fell_most", &event.params));
        }
        s
    }

    /// A summary's line in this table.
    ///
    /// ```
    /// use therapeutic_alliance::change::{Messages, MessagePart, Param, Params, Severity, Summary};
    ///
    /// let part = |key: &str, params: Params| MessagePart { key: key.into(), params };
    /// let mut head = Params::new();
    /// head.insert("session".into(), Param::from(5u32));
    /// let s = Summary { severity: Severity::Alert, message: String::new(), practice: None,
    ///     prompt_key: None, prompt: None,
    ///     parts: vec![part("summary.session", head), part("summary.rupture_opened", Params::new())] };
    /// assert_eq!(Messages::english().summary(&s), "Session 5: a rupture of the alliance.");
    /// assert_eq!(Messages::german().summary(&s), "Sitzung 5: ein Bruch der Allianz.");
    /// ```
    pub fn summary(&self, summary: &Summary) -> String {
        self.parts(&summary.parts)
    }

    pub(super) fn parts(&self, parts: &[MessagePart]) -> String {
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            out.push_str(match i {
                0 => "",
                1 => ": ",
                _ => "; ",
            });
            out.push_str(&self.render(&p.key, &p.params));
        }
        if !out.is_empty() {
            out.push('.');
        }
        out
    }

    /// The prompt for a component (`None`: the total or a line that is no component) and a
    /// modality, with its key.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Modality};
    /// use therapeutic_alliance::change::Messages;
    ///
    /// let (key, text) = Messages::english().prompt(Some(Component::Bond), Modality::Psychodynamic);
    /// assert_eq!(key, "prompt.bond.psychodynamic");
    /// assert!(text.contains("painful"));
    /// ```
    pub fn prompt(&self, component: Option<Component>, modality: Modality) -> (String, String) {
        let c = component.map_or("general", Component::name);
        let m = match modality {
            Modality::Cbt => "cbt",
            Modality::Psychodynamic => "psychodynamic",
            Modality::Humanistic => "humanistic",
            _ => "general",
        };
        let key = format!("prompt.{c}.{m}");
        let text = self.render(&key, &Params::new());
        (key, text)
    }

    /// The label of a severity (`alert`, `Alarm`, ...).
    ///
    /// ```
    /// use therapeutic_alliance::change::{Messages, Severity};
    /// assert_eq!(Messages::german().severity(Severity::Attention), "Achtung");
    /// ```
    pub fn severity(&self, severity: Severity) -> String {
        self.render(&format!("severity.{}", severity.name()), &Params::new())
    }

    /// The wording of a practice (`be open and honest`, ...).
    ///
    /// ```
    /// use therapeutic_alliance::change::{Messages, Practice};
    /// assert_eq!(Messages::english().practice(Practice::Feedback), "say what works and what does not");
    /// ```
    pub fn practice(&self, practice: Practice) -> String {
        self.render(&format!("practice.{}", practice.name()), &Params::new())
    }
}

/// The names a template fills in.
fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_uses_only_the_english_values() {
        for &(k, v) in GERMAN {
            assert!(Messages::english().with(k, v).is_ok(), "{k}");
        }
        let english: Vec<&str> = ENGLISH.iter().map(|(k, _)| *k).collect();
        let german: Vec<&str> = GERMAN.iter().map(|(k, _)| *k).collect();
        assert_eq!(english, german, "the same keys in the same order");
    }

    #[test]
    fn unknown_values_are_left_as_written() {
        let m = Messages::english();
        assert_eq!(
            m.render("summary.session", &Params::new()),
            "Session {session}"
        );
        assert_eq!(m.render("no.key", &Params::new()), "no.key");
        assert_eq!(m.number(-0.001), "0");
        assert_eq!(m.number(f64::NAN), "NaN");
    }
}
