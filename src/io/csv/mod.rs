//! Research data as CSV: answers read from wide files (one row per administration), long files
//! (one row per answer) and REDCap exports, and written back as scores or answers, with every
//! error located by row and column.
//!
//! ```
//! use therapeutic_alliance::{catalog, csv::{Layout, ScoreWriter}, Metric};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let wai = catalog::require("wai-sr")?;
//! let answers = "id,therapist,1,2,3,4,5,6,7,8,9,10,11,12\n\
//!                p01,t1,4,4,5,3,5,4,4,3,5,4,NA,4\n\
//!                p02,t2,1,2,3,4,5,1,2,3,4,5,1,2\n";
//! let reader = Layout::wide().keep(["therapist"]).missing("NA").reader(answers.as_bytes(), &wai)?;
//! let mut scores = ScoreWriter::for_reader(Vec::new(), &reader).metric(Metric::Sum);
//! for row in reader {
//!     scores.write(&row?)?; // one row at a time: a file of any size fits
//! }
//! let text = String::from_utf8_lossy(&scores.finish()?).into_owned();
//! assert_eq!(text, "id,therapist,goals,collaboration,bond,total\n\
//!                   p01,t1,13.333333333333334,16,19,48.333333333333336\n\
//!                   p02,t2,9,10,14,33\n");
//! # Ok(())
//! # }
//! ```
//!
//! - A [`Layout`] says how a file is laid out: its [`Format`] ([`Layout::wide`],
//!   [`Layout::long`], [`Layout::redcap`]), which [`Column`]s hold the id, session, therapist
//!   and date, which columns pass through ([`Layout::keep`]), which column holds which item
//!   (by default the header name is the item id; otherwise an [`ItemMap`]), and which tokens
//!   besides the empty cell mean "no answer" ([`Layout::missing`]).
//! - [`Layout::reader`] gives a [`Reader`]: an iterator of `Result<`[`Row`]`, `[`RowError`]`>`,
//!   one administration at a time with its line and pass-through cells. It reads a file larger
//!   than memory row by row. A bad row yields an error for each bad cell and the reader goes
//!   on, so a program stops at the first error or collects them all
//!   ([`Reader::collect_rows`] with an [`ErrorPolicy`]). REDCap rows that are not this form's
//!   are [`Skipped`], not errors ([`RedcapStatus`] says which form statuses are read). An
//!   administration given twice is an error, as far as the layout's [`RepeatCheck`]
//!   remembers.
//! - [`Layout::score_stream`] scores a wide file straight to CSV or JSON reports, fast (plain
//!   rows parsed from bytes into answer units, chunks scored as matrices, on every core with
//!   the `parallel` feature): a [`ScoreStream`], with the reader's output and errors.
//!   [`Layout::read_matrix`] reads a wide file into a
//!   [`ResponseMatrix`](crate::matrix::ResponseMatrix) the same way.
//! - [`ScoreWriter`] writes scores as wide CSV; [`Layout::writer`] gives an [`AnswerWriter`]
//!   of answers, wide or long; [`pivot`] turns one layout into the other.
//! - [`Table`] is the layer under them all, for CSV files of anything else: the header, then
//!   [`Record`]s named by the physical line they start on.
//!
//! Every reader here reads CSV the same way: a UTF-8 byte-order mark, quoted fields (with
//! commas, doubled quotes and line breaks), CRLF, LF or CR line endings, spaces around cells
//! (trimmed) and blank lines are all fine. Rows are named by the physical line they start on,
//! the header being line 1, so an error's row is the line a text editor shows. An error names
//! the row and the column (the header name): `row 3, column "9": item 9: value 9 is outside
//! the response range 1 to 5`.
//!
//! # No ids in errors
//!
//! An error never carries the id of the record it is about (a client's id, a REDCap
//! `record_id`, a therapist's id): not in its message, not in its fields, not in its
//! serialized form. Errors end up in logs, tickets and screenshots, and an id is health data.
//! An invalid id cell is described (`row 4, column "id": invalid client id: it contains the
//! invisible character U+200B`), not quoted back. The id is given beside the error instead,
//! as [`RowError::record_id`], so that a program that read the file decides where to show it:
//! the `alliance` command adds it to its own message (`row 3 (id "p02"), column "9": ...`)
//! and, with `--errors json`, as the key `input_id` beside the error's keys. The
//! [`Errors`] of [`pivot`] and [`Reader::collect_rows`] are errors only (iterate the reader
//! to keep each id).
//!
//! ```
//! use therapeutic_alliance::{catalog, csv::Layout};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let srs = catalog::require("srs")?;
//! let text = "id,1,2,3,4\nSECRET-K,9,11,9,9\n";
//! let err = Layout::wide().reader(text.as_bytes(), &srs)?.find_map(Result::err).ok_or("an error")?;
//! assert_eq!(err.to_string(), "row 2, column \"2\": item 2: value 11 is outside the response range 0 to 10");
//! assert_eq!(err.record_id(), Some("SECRET-K"));
//! # Ok(())
//! # }
//! ```

mod group;
mod layout;
mod map;
mod plan;
mod read;
mod stream;
mod table;
mod write;

pub use layout::{Column, Format, Layout, RedcapStatus, RepeatCheck};
pub use map::ItemMap;
pub use read::{ErrorPolicy, Reader, Row, RowError, Skipped};
pub use stream::{ScoreFormat, ScoreStream, Streamed};
pub use table::{Record, Table};
pub use write::{AnswerWriter, ScoreWriter};

use std::io::{Read, Write};

use crate::error::{Errors, Result};
use crate::instruments::Instrument;

/// Reads answers to `instrument` from `input` laid out as `from` and writes them to `output`
/// laid out as `to`, one administration at a time: long to wide (grouping the rows of each id
/// and session), wide to long, or a REDCap export to either. The pass-through columns written
/// are those `from` keeps (`to`'s own are replaced). Gives the number of administrations
/// written.
///
/// # Errors
/// [`Errors`]: the header's error, or the rows' errors as `policy` says (with
/// [`ErrorPolicy::Collect`], every good administration is written and every error reported at
/// the end), each located by row and column (never by id: see the module's docs); an error
/// writing the output.
///
/// ```
/// use therapeutic_alliance::{catalog, csv::{self, ErrorPolicy, Layout}};
///
/// # fn main() -> Result<(), therapeutic_alliance::Errors> {
/// let srs = catalog::require("srs")?;
/// let long = "id,session,item,value\nc1,1,1,9\nc1,1,2,8.5\nc1,2,1,7\n";
/// let mut wide = Vec::new();
/// let n = csv::pivot(long.as_bytes(), &Layout::long(), &mut wide, &Layout::wide().session("session"), &srs, ErrorPolicy::Stop)?;
/// assert_eq!(n, 2);
/// assert_eq!(String::from_utf8_lossy(&wide), "id,session,1,2,3,4\nc1,1,9,8.5,,\nc1,2,7,,,\n");
/// # Ok(())
/// # }
/// ```
pub fn pivot<R: Read, W: Write>(
    input: R,
    from: &Layout,
    output: W,
    to: &Layout,
    instrument: &Instrument,
    policy: ErrorPolicy,
) -> Result<u64, Errors> {
    let reader = from.reader(input, instrument)?;
    let to = to.clone().keep(reader.kept_columns());
    let mut writer = to.writer(output, instrument)?;
    let mut errors = Vec::new();
    let mut written = 0u64;
    for row in reader {
        match row {
            Ok(row) => {
                writer.write(&row)?;
                written += 1;
            }
            Err(e) => {
                errors.push(e.into_error());
                if policy == ErrorPolicy::Stop {
                    break;
                }
            }
        }
    }
    writer.finish()?;
    match Errors::from_vec(errors) {
        Some(errors) => Err(errors),
        None => Ok(written),
    }
}
