//! Writing CSV: scores (wide) and answers (wide or long).

use std::fmt::Write as _;
use std::io::Write;

use crate::error::{Error, ErrorKind, Result};
use crate::instruments::{Instrument, TotalRule};
use crate::scoring::Metric;

use super::layout::{Format, Layout};
use super::read::{Reader, Row};

/// Writes scores as wide CSV, one row per administration: `id` (the client's id), `session`
/// if asked for, the pass-through columns, then the scores.
///
/// By default the scores are every column of
/// [`Instrument::score_columns`](crate::Instrument::score_columns): for each subscale and
/// the total, `<id>_sum`, `<id>_mean`, `<id>_pomp` and `<id>_answered`. With
/// [`ScoreWriter::metric`], one column per subscale and the total, named by its id, holding
/// that metric. A score the missing-item rule leaves out is an empty cell. Numbers are written
/// in the shortest form that reads back as the same double (`36`, `13.333333333333334`).
///
/// The header is written with the first row, or by [`ScoreWriter::write_header`] or
/// [`ScoreWriter::finish`].
///
/// ```
/// use therapeutic_alliance::{catalog, csv::{Layout, ScoreWriter}, Metric};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let reader = Layout::wide().keep(["site"]).reader("id,site,1,2,3,4\na,York,9,9,9,9\nb,Hull,9,,9,9\n".as_bytes(), &srs)?;
/// let mut out = ScoreWriter::for_reader(Vec::new(), &reader).metric(Metric::Sum);
/// for row in reader {
///     out.write(&row?)?;
/// }
/// assert_eq!(String::from_utf8_lossy(&out.finish()?), "id,site,goals,collaboration,bond,global,total\na,York,9,9,9,9,36\nb,Hull,,9,9,9,\n");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ScoreWriter<W: Write> {
    out: ::csv::Writer<W>,
    instrument: Instrument,
    metric: Option<Metric>,
    session: bool,
    keep: Vec<String>,
    started: bool,
    number: String,
}

impl<W: Write> ScoreWriter<W> {
    /// A writer of `instrument`'s scores onto `output`, with an `id` column and every score
    /// column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?).finish()?;
    /// assert_eq!(out, b"id,global_sum,global_mean,global_pomp,global_answered,total_sum,total_mean,total_pomp,total_answered\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(output: W, instrument: &Instrument) -> Self {
        ScoreWriter {
            out: ::csv::WriterBuilder::new().from_writer(output),
            instrument: instrument.clone(),
            metric: None,
            session: false,
            keep: Vec::new(),
            started: false,
            number: String::new(),
        }
    }

    /// A writer for the rows of `reader`: its instrument, its pass-through columns, and a
    /// `session` column if its rows have sessions.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Layout, ScoreWriter}, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let reader = Layout::long().reader("id,session,item,value\n".as_bytes(), &srs)?;
    /// let out = ScoreWriter::for_reader(Vec::new(), &reader).metric(Metric::Sum).finish()?;
    /// assert_eq!(out, b"id,session,goals,collaboration,bond,global,total\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_reader<R: std::io::Read>(output: W, reader: &Reader<R>) -> Self {
        ScoreWriter::new(output, reader.instrument())
            .session(reader.has_session())
            .keep(reader.kept_columns())
    }

    /// One column per subscale and the total, named by its id, holding `metric`.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?).metric(Metric::Mean).finish()?;
    /// assert_eq!(out, b"id,global,total\n");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = Some(metric);
        self
    }

    /// Whether to write a `session` column after the id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?).session(true).metric(Metric::Sum).finish()?;
    /// assert_eq!(out, b"id,session,global,total\n");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session(mut self, session: bool) -> Self {
        self.session = session;
        self
    }

    /// The pass-through columns written after the id and session (replacing any named
    /// before); each row's [`Row::kept`] cells fill them.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?).keep(["site"]).metric(Metric::Sum).finish()?;
    /// assert_eq!(out, b"id,site,global,total\n");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn keep<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.keep = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The column names the writer writes.
    ///
    /// # Errors
    /// [`ErrorKind::ColumnConflict`] for a pass-through column named like another column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let w = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?).metric(Metric::Sum);
    /// assert_eq!(w.columns()?, ["id", "global", "total"]);
    /// let err = w.keep(["total"]).columns().unwrap_err();
    /// assert_eq!(err.to_string(), "column \"total\" would clash with the output column of that name");
    /// # Ok(())
    /// # }
    /// ```
    pub fn columns(&self) -> Result<Vec<String>> {
        let inst = &self.instrument;
        let scores: Vec<String> = match self.metric {
            None => inst.score_columns(),
            Some(_) => inst
                .subscales()
                .iter()
                .map(|s| s.id().to_owned())
                .chain((inst.total_rule() != TotalRule::None).then(|| "total".to_owned()))
                .collect(),
        };
        let mut columns = vec!["id".to_owned()];
        if self.session {
            columns.push("session".to_owned());
        }
        for name in &self.keep {
            if columns.contains(name) || scores.contains(name) {
                return Err(ErrorKind::ColumnConflict {
                    column: name.clone(),
                    reason: "would clash with the output column of that name".to_owned(),
                }
                .into());
            }
            columns.push(name.clone());
        }
        columns.extend(scores);
        Ok(columns)
    }

    /// Writes the header now, if it is not written yet.
    ///
    /// # Errors
    /// As [`ScoreWriter::columns`]; [`ErrorKind::Io`] if the output cannot be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut w = ScoreWriter::new(Vec::new(), &catalog::require("arm-5")?);
    /// w.write_header()?;
    /// w.write_header()?; // once
    /// assert_eq!(w.finish()?.iter().filter(|&&b| b == b'\n').count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_header(&mut self) -> Result<()> {
        if !self.started {
            let columns = self.columns()?;
            self.out.write_record(&columns).map_err(write_error)?;
            self.started = true;
        }
        Ok(())
    }

    /// Scores a row's administration and writes it.
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] for an administration of another instrument;
    /// [`ErrorKind::InvalidOption`] for a row with another number of pass-through cells than
    /// the writer has pass-through columns; as [`ScoreWriter::write_header`].
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Administration};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let arm = catalog::require("arm-5")?;
    /// let adm = Administration::from_values(&arm, &[Some(7.0), Some(6.0), Some(2.0), None, Some(7.0)])?;
    /// let mut w = ScoreWriter::new(Vec::new(), &arm);
    /// w.write(&adm.into())?;
    /// let text = String::from_utf8_lossy(&w.finish()?).into_owned();
    /// assert_eq!(text.lines().nth(1), Some(",32.5,6.5,91.66666666666667,4,32.5,6.5,91.66666666666667,4"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn write(&mut self, row: &Row) -> Result<()> {
        let adm = row.administration();
        self.instrument.check_same(adm.instrument())?;
        check_kept(row, self.keep.len())?;
        self.write_header()?;
        let out = &mut self.out;
        out.write_field(adm.client().unwrap_or_default())
            .map_err(write_error)?;
        if self.session {
            self.number.clear();
            if let Some(s) = adm.session() {
                let _ = write!(self.number, "{s}");
            }
            out.write_field(&self.number).map_err(write_error)?;
        }
        for cell in row.kept() {
            out.write_field(cell).map_err(write_error)?;
        }
        let scores = adm.score();
        let mut field = |value: Option<f64>| {
            self.number.clear();
            if let Some(v) = value {
                // `{}` prints the shortest form that reads back as the same double.
                let _ = write!(self.number, "{v}");
            }
            out.write_field(&self.number).map_err(write_error)
        };
        match self.metric {
            Some(metric) => {
                for target in scores.subscales().map(|(_, s)| s).chain(scores.total()) {
                    field(target.score().map(|s| s.get(metric)))?;
                }
            }
            None => {
                for value in scores.row().values() {
                    field(value)?;
                }
            }
        }
        out.write_record(None::<&[u8]>).map_err(write_error)
    }

    /// Flushes what is written to the output.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the output cannot be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut w = ScoreWriter::new(std::io::sink(), &catalog::require("srs")?);
    /// w.flush()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| io_error("write", e))
    }

    /// Writes the header if no row was written, flushes, and gives back the output.
    ///
    /// # Errors
    /// As [`ScoreWriter::write_header`].
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::ScoreWriter, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = ScoreWriter::new(Vec::new(), &catalog::require("srs")?).metric(Metric::Pomp).finish()?;
    /// assert_eq!(out, b"id,goals,collaboration,bond,global,total\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn finish(mut self) -> Result<W> {
        self.write_header()?;
        self.out
            .into_inner()
            .map_err(|e| io_error("write", e.into_error()))
    }
}

/// Writes answers as CSV laid out as a [`Layout`] says (wide or long), one [`Row`] at a time;
/// made by [`Layout::writer`], which writes the header. What it writes, the layout's reader
/// reads back as the same administrations (ids, sessions, therapists, dates and answers) and
/// pass-through cells.
///
/// ```
/// use therapeutic_alliance::{catalog, csv::Layout};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let wide = "id,session,1,2,3,4\na,1,9,9.5,,9\n";
/// let mut out = Layout::long().writer(Vec::new(), &srs)?;
/// for row in Layout::wide().session("session").reader(wide.as_bytes(), &srs)? {
///     out.write(&row?)?;
/// }
/// assert_eq!(String::from_utf8_lossy(&out.finish()?), "id,session,item,value\na,1,1,9\na,1,2,9.5\na,1,3,\na,1,4,9\n");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AnswerWriter<W: Write> {
    out: ::csv::Writer<W>,
    instrument: Instrument,
    long: bool,
    /// Which of id, session, therapist and date are written.
    context: [bool; 4],
    keep: usize,
    /// Per item: its column name (wide) or its item cell (long).
    items: Vec<String>,
    unanswered: bool,
    number: String,
}

impl<W: Write> AnswerWriter<W> {
    pub(super) fn new(layout: &Layout, output: W, instrument: &Instrument) -> Result<Self> {
        let long = match layout.format {
            Format::Wide => false,
            Format::Long => true,
            Format::Redcap => {
                return Err(ErrorKind::InvalidOption {
                    option: "layout",
                    value: "redcap".to_owned(),
                    reason: "writing REDCap imports is not supported; write a wide layout with the id column record_id".to_owned(),
                }
                .into());
            }
        };
        let roles = layout.roles();
        let context = roles.map(|(_, c)| c.is_some());
        let mut columns: Vec<String> = roles
            .iter()
            .filter_map(|(_, c)| c.map(|c| c.name().to_owned()))
            .collect();
        columns.extend(layout.keep.iter().cloned());
        let mut items = Vec::with_capacity(instrument.items().len());
        for item in instrument.items() {
            let name = match &layout.items {
                Some(map) => map
                    .field(item.id())
                    .ok_or_else(|| ErrorKind::InvalidOption {
                        option: "item map",
                        value: format!("{} pairs", map.len()),
                        reason: format!(
                            "has no column for item {} of {}",
                            item.id(),
                            instrument.id()
                        ),
                    })?,
                None => item.id(),
            };
            items.push(name.to_owned());
        }
        if long {
            columns.push(layout.item_column.clone());
            columns.push(layout.value_column.clone());
        } else {
            columns.extend(items.iter().cloned());
        }
        for (i, name) in columns.iter().enumerate() {
            if columns.iter().take(i).any(|c| c == name) {
                return Err(ErrorKind::ColumnConflict {
                    column: name.clone(),
                    reason: "would be written twice".to_owned(),
                }
                .into());
            }
        }
        let mut out = ::csv::WriterBuilder::new().from_writer(output);
        out.write_record(&columns).map_err(write_error)?;
        Ok(AnswerWriter {
            out,
            instrument: instrument.clone(),
            long,
            context,
            keep: layout.keep.len(),
            items,
            unanswered: layout.write_unanswered,
            number: String::new(),
        })
    }

    /// Writes a row's administration: one row (wide) or one row per item (long).
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] for an administration of another instrument;
    /// [`ErrorKind::InvalidOption`] for a row with another number of pass-through cells than
    /// the layout has pass-through columns; [`ErrorKind::Io`] if the output cannot be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Layout, Row}, Administration, Date};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::builder(&srs).client("a").therapist("t").date(Date::new(2026, 3, 2)?)
    ///     .answers([("1", 9.0), ("2", 8.5), ("3", 9.0), ("4", 7.0)])?.build()?;
    /// let layout = Layout::wide().therapist("therapist").date("date").keep(["site"]);
    /// let mut out = layout.writer(Vec::new(), &srs)?;
    /// out.write(&Row::from(adm).with_kept(["York"]))?;
    /// assert_eq!(String::from_utf8_lossy(&out.finish()?), "id,therapist,date,site,1,2,3,4\na,t,2026-03-02,York,9,8.5,9,7\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn write(&mut self, row: &Row) -> Result<()> {
        let adm = row.administration();
        self.instrument.check_same(adm.instrument())?;
        check_kept(row, self.keep)?;
        let [id, session, therapist, date] = self.context;
        let mut context: Vec<String> = Vec::with_capacity(4 + self.keep);
        if id {
            context.push(adm.client().unwrap_or_default().to_owned());
        }
        if session {
            context.push(adm.session().map(|s| s.to_string()).unwrap_or_default());
        }
        if therapist {
            context.push(adm.therapist().unwrap_or_default().to_owned());
        }
        if date {
            context.push(adm.date().map(|d| d.to_string()).unwrap_or_default());
        }
        context.extend(row.kept().iter().cloned());
        let out = &mut self.out;
        let number = &mut self.number;
        let mut value_field = |out: &mut ::csv::Writer<W>, value: Option<f64>| {
            number.clear();
            if let Some(v) = value {
                let _ = write!(number, "{v}");
            }
            out.write_field(&*number).map_err(write_error)
        };
        if self.long {
            for (name, value) in self.items.iter().zip(adm.values()) {
                if value.is_none() && !self.unanswered {
                    continue;
                }
                for cell in &context {
                    out.write_field(cell).map_err(write_error)?;
                }
                out.write_field(name).map_err(write_error)?;
                value_field(out, value)?;
                out.write_record(None::<&[u8]>).map_err(write_error)?;
            }
        } else {
            for cell in &context {
                out.write_field(cell).map_err(write_error)?;
            }
            for value in adm.values() {
                value_field(out, value)?;
            }
            out.write_record(None::<&[u8]>).map_err(write_error)?;
        }
        Ok(())
    }

    /// Flushes what is written to the output.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the output cannot be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// Layout::long().writer(std::io::sink(), &catalog::require("srs")?)?.flush()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| io_error("write", e))
    }

    /// Flushes and gives back the output.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the output cannot be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let out = Layout::wide().writer(Vec::new(), &catalog::require("srs")?)?.finish()?;
    /// assert_eq!(out, b"id,1,2,3,4\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn finish(self) -> Result<W> {
        self.out
            .into_inner()
            .map_err(|e| io_error("write", e.into_error()))
    }
}

/// A row's pass-through cells must fill the writer's pass-through columns.
fn check_kept(row: &Row, columns: usize) -> Result<()> {
    if row.kept().len() == columns {
        return Ok(());
    }
    Err(ErrorKind::InvalidOption {
        option: "pass-through cells",
        value: row.kept().len().to_string(),
        reason: format!("the writer has {columns} pass-through column(s)"),
    }
    .into())
}

/// A csv crate writing error as the crate's error.
fn write_error(e: ::csv::Error) -> Error {
    io_error("write", csv_io(e))
}

/// A csv crate error as an I/O error: its own when it has one, else `InvalidData` wrapping it.
pub(super) fn csv_io(e: ::csv::Error) -> std::io::Error {
    if !e.is_io_error() {
        return std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    }
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => io,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// An I/O error as the crate's error.
pub(super) fn io_error(action: &'static str, e: std::io::Error) -> Error {
    ErrorKind::Io {
        action,
        source: e.into(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::responses::Administration;

    #[test]
    fn writers_refuse_rows_that_do_not_fit() {
        let srs = catalog::require("srs").expect("srs");
        let wai = catalog::require("wai-sr").expect("wai-sr");
        let adm = Administration::builder(&wai).build().expect("empty");
        let mut scores = ScoreWriter::new(Vec::new(), &srs);
        assert_eq!(
            scores.write(&Row::from(adm.clone())).unwrap_err().code(),
            "instrument_mismatch"
        );
        let srs_adm = Administration::builder(&srs).build().expect("empty");
        let mut scores = ScoreWriter::new(Vec::new(), &srs).keep(["site"]);
        assert_eq!(
            scores
                .write(&Row::from(srs_adm.clone()))
                .unwrap_err()
                .to_string(),
            "pass-through cells 0: the writer has 1 pass-through column(s)"
        );
        let mut answers = Layout::long().writer(Vec::new(), &srs).expect("writer");
        assert_eq!(
            answers.write(&Row::from(adm)).unwrap_err().code(),
            "instrument_mismatch"
        );
        assert_eq!(
            Layout::redcap("srs")
                .writer(Vec::new(), &srs)
                .unwrap_err()
                .code(),
            "invalid_option"
        );
        assert_eq!(
            Layout::wide()
                .keep(["1"])
                .writer(Vec::new(), &srs)
                .unwrap_err()
                .to_string(),
            "column \"1\" would be written twice"
        );
    }

    #[test]
    fn a_closed_output_is_an_io_error_with_its_kind() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let srs = catalog::require("srs").expect("srs");
        let Err(err) = ScoreWriter::new(Closed, &srs).finish() else {
            panic!("a closed output cannot be written");
        };
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Io {
                    action: "write",
                    source,
                    ..
                } if source.kind() == std::io::ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
    }
}
