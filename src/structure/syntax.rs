//! The part of lavaan's model syntax a confirmatory factor model needs: `factor =~ item + item`
//! (loadings), `a ~~ b` (a variance or covariance), a fixed value or `NA` (free) before a name
//! with `*`, comments from `#` or `!`, statements separated by new lines or `;`, and a line
//! ending in `+` continued on the next.

use std::fmt;

use crate::error::{ErrorKind, Result};
use crate::instruments::Instrument;

/// How a term's parameter is set: by the model's defaults, fixed to a value (`1*x1`), or freed
/// (`NA*x1`, for example to free the loading a marker would fix).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Modifier {
    /// No modifier: free, unless the identification fixes it.
    Default,
    /// Fixed to this value.
    Fixed(f64),
    /// Free (`NA*`), even where the identification would fix it.
    Free,
}

/// The operator of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Operator {
    /// `=~`: the factor on the left is measured by the variables on the right.
    #[cfg_attr(feature = "serde", serde(rename = "=~"))]
    MeasuredBy,
    /// `~~`: a variance (a variable with itself) or covariance.
    #[cfg_attr(feature = "serde", serde(rename = "~~"))]
    Covariance,
}

impl Operator {
    /// lavaan's spelling: `=~` or `~~`.
    ///
    /// ```
    /// use therapeutic_alliance::structure::Operator;
    /// assert_eq!(Operator::MeasuredBy.as_str(), "=~");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::MeasuredBy => "=~",
            Operator::Covariance => "~~",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One statement: `lhs op term + term ...`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub(crate) lhs: String,
    pub(crate) op: Operator,
    pub(crate) terms: Vec<(Modifier, String)>,
}

/// A confirmatory factor model written in lavaan's syntax (the subset a CFA needs), or made
/// from an instrument's subscales.
///
/// ```
/// use therapeutic_alliance::structure::Model;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let model = Model::parse("
///     goals =~ 4 + 6 + 8 + 11   # Bordin's three components
///     tasks =~ 1 + 2 + 10 + 12
///     bond  =~ 3 + 5 + 7 + 9
/// ")?;
/// assert_eq!(model.factors(), ["goals", "tasks", "bond"]);
/// assert_eq!(model.observed().len(), 12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    statements: Vec<Statement>,
    factors: Vec<String>,
    observed: Vec<String>,
}

/// A statement's line for errors.
fn syntax_error(line: usize, reason: impl Into<String>) -> crate::Error {
    ErrorKind::ModelSyntax {
        line: line as u64,
        reason: reason.into(),
    }
    .into()
}

/// Whether `name` is a variable name lavaan would read: letters, digits, `_` and `.`.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Text cut for an error message.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

fn parse_term(term: &str, line: usize) -> Result<(Modifier, String)> {
    let term = term.trim();
    let (modifier, name) = match term.split_once('*') {
        None => (Modifier::Default, term),
        Some((m, name)) => {
            let m = m.trim();
            let modifier = if m == "NA" {
                Modifier::Free
            } else if let Ok(v) = m.parse::<f64>() {
                if !v.is_finite() {
                    return Err(syntax_error(line, "a fixed value must be finite"));
                }
                Modifier::Fixed(v)
            } else {
                return Err(syntax_error(
                    line,
                    format!(
                        "{:?} is not a number or NA: labels and equality constraints are not supported",
                        shown(m)
                    ),
                ));
            };
            (modifier, name.trim())
        }
    };
    if !is_name(name) {
        return Err(syntax_error(
            line,
            if name.is_empty() {
                "a term has no variable name".to_owned()
            } else {
                format!(
                    "{:?} is not a variable name (letters, digits, _ and .)",
                    shown(name)
                )
            },
        ));
    }
    Ok((modifier, name.to_owned()))
}

impl Model {
    /// Reads a model in lavaan's syntax: `factor =~ item + item` for loadings, `a ~~ b` for a
    /// (residual) covariance or a variance, `1*item` to fix a parameter to a value, `NA*item` to
    /// free one, `#` or `!` comments, statements on separate lines or separated by `;`.
    /// Observed variables are the names that are not factors, in order of first appearance (as
    /// lavaan orders them).
    ///
    /// # Errors
    /// [`ErrorKind::ModelSyntax`] (with the line number) for an operator other than `=~` and
    /// `~~` (regressions, intercepts, labels, constraints: not a CFA's syntax here), a name that
    /// is not a variable name, a factor that is measured by another factor or by nothing, a
    /// statement repeated, or no factor at all.
    ///
    /// ```
    /// use therapeutic_alliance::structure::Model;
    ///
    /// let err = Model::parse("f =~ a + b\nf ~ c").unwrap_err();
    /// assert_eq!(err.code(), "model_syntax");
    /// assert_eq!(err.to_string(), "model syntax, line 2: operator ~ is not supported (only =~ and ~~)");
    /// ```
    pub fn parse(syntax: &str) -> Result<Model> {
        // (line number, text) of each statement, comments removed and continuations joined.
        let mut pieces: Vec<(usize, String)> = Vec::new();
        let mut pending: Option<(usize, String)> = None;
        for (i, raw) in syntax.lines().enumerate() {
            let line = i + 1;
            let text = raw.split(['#', '!']).next().unwrap_or("");
            for part in text.split(';') {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                match pending.take() {
                    Some((l, mut acc)) if acc.ends_with('+') || part.starts_with('+') => {
                        acc.push(' ');
                        acc.push_str(part);
                        pending = Some((l, acc));
                    }
                    Some(done) => {
                        pieces.push(done);
                        pending = Some((line, part.to_owned()));
                    }
                    None => pending = Some((line, part.to_owned())),
                }
            }
        }
        pieces.extend(pending);
        let mut statements = Vec::with_capacity(pieces.len());
        for (line, text) in pieces {
            let (lhs, op, rhs) = if let Some((l, r)) = text.split_once("=~") {
                (l, Operator::MeasuredBy, r)
            } else if let Some((l, r)) = text.split_once("~~") {
                (l, Operator::Covariance, r)
            } else {
                let op = ["~1", ":=", "==", "<", ">", "~", "|"]
                    .into_iter()
                    .find(|op| text.contains(op));
                return Err(syntax_error(
                    line,
                    match op {
                        Some(op) => format!("operator {op} is not supported (only =~ and ~~)"),
                        None => format!("{:?} has no operator =~ or ~~", shown(&text)),
                    },
                ));
            };
            if rhs.contains("=~") || rhs.contains("~~") || rhs.contains('~') {
                return Err(syntax_error(line, "one operator per statement"));
            }
            let lhs = lhs.trim();
            if !is_name(lhs) {
                return Err(syntax_error(
                    line,
                    format!("{:?} is not a variable name", shown(lhs)),
                ));
            }
            if rhs.trim().is_empty() || rhs.trim().ends_with('+') {
                return Err(syntax_error(line, "a term is missing after the operator"));
            }
            let terms = rhs
                .split('+')
                .map(|t| parse_term(t, line))
                .collect::<Result<Vec<_>>>()?;
            statements.push((
                line,
                Statement {
                    lhs: lhs.to_owned(),
                    op,
                    terms,
                },
            ));
        }
        Model::from_statements(statements)
    }

    fn from_statements(statements: Vec<(usize, Statement)>) -> Result<Model> {
        let mut factors: Vec<String> = Vec::new();
        for (_, s) in &statements {
            if s.op == Operator::MeasuredBy && !factors.contains(&s.lhs) {
                factors.push(s.lhs.clone());
            }
        }
        if factors.is_empty() {
            return Err(syntax_error(
                statements.first().map_or(1, |(l, _)| *l),
                "no factor: a model needs at least one `factor =~ item + ...` statement",
            ));
        }
        let mut observed: Vec<String> = Vec::new();
        let mut seen: Vec<(String, Operator, String)> = Vec::new();
        for (line, s) in &statements {
            for (_, name) in &s.terms {
                if s.op == Operator::MeasuredBy && factors.contains(name) {
                    return Err(syntax_error(
                        *line,
                        format!(
                            "factor {} is measured by factor {}: higher-order factors are not supported",
                            shown(&s.lhs),
                            shown(name)
                        ),
                    ));
                }
                let key = if s.op == Operator::Covariance && s.lhs > *name {
                    (name.clone(), s.op, s.lhs.clone())
                } else {
                    (s.lhs.clone(), s.op, name.clone())
                };
                if seen.contains(&key) {
                    return Err(syntax_error(
                        *line,
                        format!(
                            "{} {} {} is specified twice",
                            shown(&s.lhs),
                            s.op,
                            shown(name)
                        ),
                    ));
                }
                seen.push(key);
                for v in [&s.lhs, name] {
                    if !factors.contains(v) && !observed.contains(v) {
                        observed.push(v.clone());
                    }
                }
            }
        }
        Ok(Model {
            statements: statements.into_iter().map(|(_, s)| s).collect(),
            factors,
            observed,
        })
    }

    /// The model of an instrument's subscales: one factor per subscale (named by its id),
    /// measured by the subscale's items (named by their ids), in the instrument's order. So
    /// "does the WAI-SR's three-factor key fit my data" is
    /// `CfaOptions::default().analyze(&Model::of_instrument(&wai)?, &data)`.
    ///
    /// # Errors
    /// [`ErrorKind::UnidentifiedModel`] when the instrument has no subscale. (An item in two
    /// subscales loads on both factors.)
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::structure::Model;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let model = Model::of_instrument(&catalog::require("wai-sr")?)?;
    /// assert_eq!(model.factors(), ["goals", "collaboration", "bond"]);
    /// assert_eq!(model.to_string().lines().next(), Some("goals =~ 4 + 6 + 8 + 11"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn of_instrument(instrument: &Instrument) -> Result<Model> {
        if instrument.subscales().is_empty() {
            return Err(ErrorKind::UnidentifiedModel {
                reason: format!(
                    "instrument {} has no subscales to make factors of",
                    shown(instrument.id())
                ),
            }
            .into());
        }
        let statements = instrument
            .subscales()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    i + 1,
                    Statement {
                        lhs: s.id().to_owned(),
                        op: Operator::MeasuredBy,
                        terms: s
                            .items()
                            .iter()
                            .map(|i| (Modifier::Default, i.clone()))
                            .collect(),
                    },
                )
            })
            .collect();
        Model::from_statements(statements).map_err(|e| {
            ErrorKind::UnidentifiedModel {
                reason: format!("the subscales make no factor model: {e}"),
            }
            .into()
        })
    }

    /// The factors, in order of first appearance.
    pub fn factors(&self) -> &[String] {
        &self.factors
    }

    /// The observed variables, in order of first appearance (lavaan's order).
    pub fn observed(&self) -> &[String] {
        &self.observed
    }

    pub(crate) fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

impl fmt::Display for Model {
    /// The model in lavaan's syntax, one statement a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{} {} ", s.lhs, s.op)?;
            for (j, (m, name)) in s.terms.iter().enumerate() {
                if j > 0 {
                    f.write_str(" + ")?;
                }
                match m {
                    Modifier::Default => {}
                    Modifier::Fixed(v) => write!(f, "{v}*")?,
                    Modifier::Free => f.write_str("NA*")?,
                }
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Model {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Model> {
        Model::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_modifiers_and_continuations() -> Result<()> {
        let m = Model::parse(
            "# c\nvisual =~ x1 + 1*x2 + x3 ! c\n textual =~ x4 +\n x5 + x6; x1 ~~ x4\nspeed =~ NA*x7 + x8\n + x9\nspeed ~~ 1*speed",
        )?;
        assert_eq!(m.factors(), ["visual", "textual", "speed"]);
        assert_eq!(
            m.observed(),
            ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]
        );
        assert_eq!(m.statements().len(), 5);
        assert_eq!(
            m.statements()[0].terms[1],
            (Modifier::Fixed(1.0), "x2".into())
        );
        assert_eq!(m.statements()[3].terms[0], (Modifier::Free, "x7".into()));
        assert_eq!(m.statements()[1].terms.len(), 3);
        let again = Model::parse(&m.to_string())?;
        assert_eq!(again, m);
        Ok(())
    }

    #[test]
    fn odd_text_is_an_error_or_a_model_never_a_panic() {
        for text in [
            "",
            "#",
            ";;;",
            "=~",
            "~~",
            "~~~",
            "f =~",
            "=~ x",
            "f =~ *x",
            "f =~ 1*",
            "f =~ 1e400*x",
            "f =~ x +\n",
            "+ x",
            "f =~ x ++ y",
            "f =~ x\n+ y\n+ z",
            "f =~ NA*x + NA*y",
            "f =~ x~~y",
            "é =~ x",
            "f =~ x\u{202e}",
            "f =~ x*y*z",
            "f =~ -1*x + y + z",
            "f =~ x + y + z\nf ~~ 0*f",
            "f =~ x + y + z\nx ~~ y\ny ~~ x",
        ] {
            let _ = Model::parse(text);
        }
        assert!(Model::parse("f =~ x\n+ y\n+ z").is_ok());
        assert!(Model::parse("f =~ x + y + z\nx ~~ y\ny ~~ x").is_err());
    }

    #[test]
    fn refuses_what_is_not_a_cfa() {
        for (text, line) in [
            ("f =~ a + b\ny ~ f", 2),
            ("f =~ a + b + ", 1),
            ("f =~ a*x + b", 1),
            ("f =~ a + b\ng =~ f + c", 2),
            ("f =~ a + b\nf =~ a", 2),
            ("a ~~ b", 1),
            ("f =~ a b", 1),
        ] {
            match Model::parse(text).map_err(|e| e.kind().clone()) {
                Err(ErrorKind::ModelSyntax { line: l, .. }) => assert_eq!(l, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
