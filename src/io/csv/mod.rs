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
//! - [`Layout::reader`] gives a [`Reader`]: an iterator of `Result<`[`Row`]`>`, one
//!   administration at a time with its line and pass-through cells. It reads a file larger
//!   than memory row by row. A bad row yields an error for each bad cell and the reader goes
//!   on, so a program stops at the first error or collects them all
//!   ([`Reader::collect_rows`] with an [`ErrorPolicy`]). REDCap rows that are not this form's
//!   are [`Skipped`], not errors ([`RedcapStatus`] says which form statuses are read).
//! - [`ScoreWriter`] writes scores as wide CSV; [`Layout::writer`] gives an [`AnswerWriter`]
//!   of answers, wide or long; [`pivot`] turns one layout into the other.
//! - [`Table`] is the layer under them all, for CSV files of anything else: the header, then
//!   [`Record`]s named by the physical line they start on.
//!
//! Every reader here reads CSV the same way: a UTF-8 byte-order mark, quoted fields (with
//! commas, doubled quotes and line breaks), CRLF, LF or CR line endings, spaces around cells
//! (trimmed) and blank lines are all fine. Rows are named by the physical line they start on,
//! the header being line 1, so an error's row is the line a text editor shows. An error names
//! the row, the record's id and the column (the header name): `row 3 (id "p02"), column "9":
//! item 9: value 9 is outside the response range 1 to 5`.

mod group;
mod layout;
mod map;
mod plan;
mod read;
mod table;
mod write;

pub use layout::{Column, Format, Layout, RedcapStatus, RepeatCheck};
pub use map::ItemMap;
pub use read::{ErrorPolicy, Reader, Row, RowError, Skipped};
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
/// the end), each located by row, id and column; an error writing the output.
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
