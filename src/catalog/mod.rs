//! The instruments that ship with the crate: published scoring keys (without their copyrighted
//! wording) and the crate's own modality item sets.
//!
//! | id | instrument | items, scale | score | confidence |
//! |---|---|---|---|---|
//! | `wai-sr` | WAI-SR, client (Hatcher & Gillaspy 2006) | 12, 1-5 Seldom..Always | sum 12-60 | confirmed |
//! | `wai-s` | WAI-S (Tracey & Kokotovic 1989) | 12, 1-7 Never..Always, 4 and 10 reversed | sum 12-84 | secondary |
//! | `wai` | WAI, 36 items (Horvath & Greenberg 1989) | 36, 1-7, 14 reversed | sum 36-252 | secondary |
//! | `srs` | SRS 3.0 (Duncan, Miller et al. 2003) | 4 lines, 0-10 by 0.1 | sum 0-40; alert at or below 36 (convention) | confirmed format, secondary cutoff |
//! | `tasc-r` | TASC-r, child | 12, 1-4, 2 5 7 8 11 reversed | sum 12-48 | secondary |
//! | `arm-5` | ARM-5 | 5, 1-7, 3 reversed | mean 1-7 | secondary |
//! | `cbt-client`, `cbt-therapist` | this crate's CBT forms | 12, 1-5 Never..Always | sum 12-60 | **unvalidated** |
//! | `psychodynamic-client`, `psychodynamic-therapist` | this crate's psychodynamic forms | 12, 1-5 | sum 12-60 | **unvalidated** |
//! | `humanistic-client`, `humanistic-therapist` | this crate's humanistic forms | 12, 1-5 | sum 12-60 | **unvalidated** |
//!
//! Licensing: the wording of the WAI family, the SRS and the other published instruments is
//! copyrighted, so their items are identified by number (`"1"`, `"2"`, ...) with no text; obtain
//! the forms from their authors. Scoring keys are facts and ship as data, each with its
//! [`Provenance`](crate::Provenance). The HAq-II and CALPAS keys could not be confirmed and are not
//! shipped.
//!
//! On the WAI-SR, several studies find that two factors (bond; goals and tasks together) fit better
//! than three; the key still scores the three published subscales.
//!
//! The modality forms are **new, unvalidated item sets** written for this crate: see
//! [`Modality`](crate::Modality) and the item texts themselves (`Item::text`).
//!
//! ```
//! use therapeutic_alliance::{catalog, Confidence};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let srs = catalog::get("srs").ok_or("missing")?;
//! assert_eq!(srs.items().len(), 4);
//! let unvalidated = catalog::all()
//!     .iter()
//!     .filter(|i| i.provenance().confidence() == Confidence::Unvalidated)
//!     .count();
//! assert_eq!(unvalidated, 6);
//! # Ok(())
//! # }
//! ```

mod modality;
mod published;

use crate::error::{Error, Result};
use crate::instruments::Instrument;
use std::sync::{Arc, LazyLock};

static CATALOG: LazyLock<Vec<Arc<Instrument>>> = LazyLock::new(|| {
    // The definitions are constants of this crate; `catalog_builds` in the tests checks that every
    // one of them is valid, so this cannot fail on any input.
    build().expect("the catalog's instrument definitions are valid")
});

fn build() -> Result<Vec<Arc<Instrument>>> {
    let mut all = vec![
        published::wai_sr()?,
        published::wai_s()?,
        published::wai()?,
        published::srs()?,
        published::tasc_r()?,
        published::arm_5()?,
    ];
    all.extend(modality::forms()?);
    Ok(all.into_iter().map(Arc::new).collect())
}

/// Every instrument in the catalog: the published keys, then the modality forms.
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::all().len(), 12);
/// ```
pub fn all() -> &'static [Arc<Instrument>] {
    &CATALOG
}

/// The instrument with this id, e.g. `wai-sr`, `srs`, `cbt-client`.
///
/// ```
/// use therapeutic_alliance::catalog;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let cbt = catalog::get("cbt-client").ok_or("missing")?;
/// assert_eq!(cbt.items().len(), 12);
/// assert!(catalog::get("haq-ii").is_none());
/// # Ok(())
/// # }
/// ```
pub fn get(id: &str) -> Option<Arc<Instrument>> {
    CATALOG.iter().find(|i| i.id() == id).cloned()
}

/// As [`get`], with an error naming the id for callers that want one.
///
/// # Errors
/// [`Error::UnknownInstrument`] if no instrument has this id.
///
/// ```
/// use therapeutic_alliance::catalog;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(catalog::require("wai-s")?.items().len(), 12);
/// assert_eq!(catalog::require("calpas").unwrap_err().to_string(), "no instrument calpas in the catalog");
/// # Ok(())
/// # }
/// ```
pub fn require(id: &str) -> Result<Arc<Instrument>> {
    get(id).ok_or_else(|| Error::UnknownInstrument { id: id.to_owned() })
}

#[cfg(test)]
mod tests;
