//! The instruments that ship with the crate: published scoring keys (without their copyrighted
//! wording) and the crate's own modality item sets. Each has a page here giving its key in the
//! crate's own words: items and subscales, reversed items, range, sum or mean, confidence and
//! source.
//!
//! | id | page | instrument | items, scale | score | confidence |
//! |---|---|---|---|---|---|
//! | `wai-sr` | [`wai_sr`] | WAI-SR, client (Hatcher & Gillaspy 2006) | 12, 1-5 Seldom..Always | sum 12-60 | confirmed |
//! | `wai-s` | [`wai_s`] | WAI-S (Tracey & Kokotovic 1989) | 12, 1-7 Never..Always, 4 and 10 reversed | sum 12-84 | secondary |
//! | `wai` | [`wai`] | WAI, 36 items (Horvath & Greenberg 1989) | 36, 1-7, 14 reversed | sum 36-252 | secondary |
//! | `srs` | [`srs`] | SRS 3.0 (Duncan, Miller et al. 2003) | 4 lines, 0-10 by 0.1 | sum 0-40; alert at or below 36 (convention) | confirmed format, secondary cutoff |
//! | `tasc-r` | [`tasc_r`] | TASC-r, child | 12, 1-4, 2 5 7 8 11 reversed | sum 12-48 | secondary |
//! | `arm-5` | [`arm_5`] | ARM-5 | 5, 1-7, 3 reversed | mean 1-7 | secondary |
//! | `cbt-client`, `cbt-therapist` | [`modality`] | this crate's CBT forms | 12, 1-5 Never..Always | sum 12-60 | **unvalidated** |
//! | `psychodynamic-client`, `psychodynamic-therapist` | [`modality`] | this crate's psychodynamic forms | 12, 1-5 | sum 12-60 | **unvalidated** |
//! | `humanistic-client`, `humanistic-therapist` | [`modality`] | this crate's humanistic forms | 12, 1-5 | sum 12-60 | **unvalidated** |
//! | `phq-9` | [`phq_9`] | PHQ-9, depression (Kroenke et al. 2001); outcome, lower is better | 9, 0-3 | sum 0-27; severity bands; caseness at or above 10; reliable change 6 | confirmed |
//! | `gad-7` | [`gad_7`] | GAD-7, anxiety (Spitzer et al. 2006); outcome, lower is better | 7, 0-3 | sum 0-21; severity bands; caseness at or above 8; reliable change 4 | confirmed |
//! | `ors` | [`ors`] | ORS (Miller, Duncan et al. 2003); outcome, higher is better | 4 lines, 0-10 by 0.1 | sum 0-40; clinical below 25 (adults); reliable change 5 | confirmed format and adult cutoff |
//!
//! Subscale ids are `goals`, `collaboration` and `bond` for the alliance components and `global`
//! for a subscale of all items or an overall line; labels keep each instrument's own names (the
//! WAI calls collaboration "Task").
//!
//! Licensing: the wording of the WAI family, the SRS and the other published instruments is
//! copyrighted, so their items are identified by number (`"1"`, `"2"`, ...) with no text; obtain
//! the forms from their authors. Scoring keys are facts and ship as data, each with its
//! [`Provenance`]. The HAq-II and CALPAS keys could not be confirmed and are not
//! shipped.
//!
//! ```
//! use therapeutic_alliance::{catalog, Confidence};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! assert_eq!(catalog::require("srs")?.items().len(), 4);
//! let unvalidated = catalog::all()
//!     .iter()
//!     .filter(|i| i.provenance().confidence() == Confidence::Unvalidated)
//!     .count();
//! assert_eq!(unvalidated, 6);
//! # Ok(())
//! # }
//! ```

//! # Renamed versions
//!
//! A version is part of a FHIR canonical (`{url}|{version}`), which may not hold whitespace, so
//! the catalog's versions hold none. Five were renamed: the WAI-SR, WAI-S, WAI and ARM-5 version
//! `client form` is now `client-form`, the TASC-r version `child form` now `child-form`. Records,
//! registries and FHIR responses made with the old spelling keep reading: a
//! [`Registry`](crate::Registry) resolves the old version of these five ids to the current
//! definition, and accepts the digest the definition had under its old version (the digest
//! covers the version); a FHIR response naming `{url}|client form` and a
//! [`MonitorState`](crate::change::MonitorState) kept under the old version read the same way.
//! Everything the crate writes carries the new spelling.
//!
//! ```
//! use therapeutic_alliance::{catalog, AdministrationRecord, Registry};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! assert_eq!(catalog::require("wai-sr")?.version(), "client-form");
//! let mut old = AdministrationRecord::new("wai-sr");
//! old.version = Some("client form".into());
//! assert_eq!(Registry::with_catalog().resolve(&old)?.version(), "client-form");
//! # Ok(())
//! # }
//! ```

pub mod arm_5;
pub mod gad_7;
pub mod modality;
pub mod ors;
pub mod phq_9;
pub mod srs;
pub mod tasc_r;
pub mod wai;
pub mod wai_s;
pub mod wai_sr;

use crate::components::Better;
use crate::components::Component;
use crate::components::Metric;
use crate::error::{ErrorKind, Result};
use crate::instruments::{
    Bands, Codes, Comparison, Confidence, Instrument, Item, MissingRule, Provenance,
    ReliableChangeAmount, Subscale, Threshold, TotalRule,
};
use crate::scale::ResponseScale;
use std::sync::LazyLock;

static CATALOG: LazyLock<Vec<Instrument>> = LazyLock::new(|| {
    // The definitions are constants of this crate; `catalog_builds` in the tests checks that every
    // one of them is valid, so this cannot fail on any input.
    build().expect("the catalog's instrument definitions are valid")
});

fn build() -> Result<Vec<Instrument>> {
    let mut all = vec![
        wai_sr::define()?,
        wai_s::define()?,
        wai::define()?,
        srs::define()?,
        tasc_r::define()?,
        arm_5::define()?,
    ];
    all.extend(modality::define()?);
    all.extend([
        phq_9::define()?,
        gad_7::define()?,
        ors::define(ors::Population::Adult)?,
    ]);
    Ok(all)
}

/// Every instrument in the catalog: the published alliance keys, the modality forms, then the
/// outcome measures.
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::all().len(), 15);
/// ```
pub fn all() -> &'static [Instrument] {
    &CATALOG
}

/// The instrument with this id, e.g. `wai-sr`, `srs`, `cbt-client`.
///
/// ```
/// use therapeutic_alliance::catalog;
///
/// assert!(catalog::get("cbt-client").is_some());
/// assert!(catalog::get("haq-ii").is_none());
/// ```
pub fn get(id: &str) -> Option<Instrument> {
    CATALOG.iter().find(|i| i.id() == id).cloned()
}

/// As [`get`], with an error naming the id for callers that want one.
///
/// # Errors
/// [`ErrorKind::UnknownInstrument`] if no instrument has this id.
///
/// ```
/// use therapeutic_alliance::catalog;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(catalog::require("wai-s")?.items().len(), 12);
/// let err = catalog::require("calpas").unwrap_err();
/// assert!(err.to_string().starts_with("no instrument \"calpas\" is registered (registered: \"wai-sr\", "));
/// # Ok(())
/// # }
/// ```
pub fn require(id: &str) -> Result<Instrument> {
    get(id).ok_or_else(|| {
        ErrorKind::UnknownInstrument {
            id: id.to_owned(),
            known: all().iter().map(|i| i.id().to_owned()).collect(),
        }
        .into()
    })
}

/// The catalog instrument with this id; for the pages' `instrument()` functions.
fn cached(id: &str) -> Instrument {
    // Every page's id is in the catalog (tested), so the fallback is never taken.
    get(id).unwrap_or_else(|| CATALOG[0].clone())
}

/// The catalog's renamed versions: `(id, old version, current version)`; see
/// [renamed versions](self#renamed-versions).
const RENAMED_VERSIONS: [(&str, &str, &str); 5] = [
    ("wai-sr", "client form", "client-form"),
    ("wai-s", "client form", "client-form"),
    ("wai", "client form", "client-form"),
    ("arm-5", "client form", "client-form"),
    ("tasc-r", "child form", "child-form"),
];

/// The current version of a catalog instrument `id` whose old version was `version`.
pub(crate) fn renamed_version(id: &str, version: &str) -> Option<&'static str> {
    RENAMED_VERSIONS
        .iter()
        .find(|(i, old, _)| *i == id && *old == version)
        .map(|(_, _, new)| *new)
}

/// For each renamed version: the id, the old version, the digest under the current version and
/// the digest the same definition had under the old one.
static RENAMED_DIGESTS: LazyLock<Vec<(&'static str, &'static str, String, String)>> =
    LazyLock::new(|| {
        RENAMED_VERSIONS
            .iter()
            .filter_map(|(id, old, _)| {
                let inst = get(id)?;
                let before = inst.to_builder().version(*old).build().ok()?;
                Some((
                    *id,
                    *old,
                    inst.digest().to_owned(),
                    before.digest().to_owned(),
                ))
            })
            .collect()
    });

/// Whether `digest` is what the catalog definition `instrument` had under its old `version`.
pub(crate) fn is_renamed_digest(instrument: &Instrument, version: &str, digest: &str) -> bool {
    RENAMED_DIGESTS.iter().any(|(id, old, now, before)| {
        *id == instrument.id() && *old == version && now == instrument.digest() && before == digest
    })
}

/// What the license notes of the published keys say.
const KEY_ONLY: &str = "item wording is copyrighted and not shipped: items are identified by number; \
     obtain the form (and any license its authors require) from its authors or publisher";

/// Items `"1"..="count"`, reversed where listed.
fn numbered(count: u32, reversed: &[u32]) -> Vec<Item> {
    (1..=count)
        .map(|n| {
            let item = Item::new(n.to_string());
            if reversed.contains(&n) {
                item.reversed()
            } else {
                item
            }
        })
        .collect()
}

/// The subscale measuring `component`, of the numbered items listed.
fn component(component: Component, label: &str, items: &[u32]) -> Subscale {
    Subscale::for_component(component, label, items.iter().map(u32::to_string))
}

/// The `global` subscale of the numbered items listed.
fn global(label: &str, items: impl IntoIterator<Item = u32>) -> Subscale {
    Subscale::new("global", label, items.into_iter().map(|n| n.to_string()))
}

/// What differs between the PHQ-9 and the GAD-7.
struct OutcomeKey {
    id: &'static str,
    name: &'static str,
    loinc_panel: &'static str,
    loinc_total: &'static str,
    /// Item codes in item order.
    loinc_items: &'static [&'static str],
    citation: &'static str,
    bands_source: &'static str,
    caseness: f64,
    reliable_change: f64,
    bands: &'static [(f64, &'static str)],
}

/// The PHQ-9 or GAD-7: items 0-3 (0 Not at all .. 3 Nearly every day), a total over all items
/// (every item answered), lower better, a caseness flag, severity bands, the reliable-change
/// amount of NHS Talking Therapies, and the LOINC codes (answers LL358-3).
fn talking_therapies(key: OutcomeKey) -> Result<Instrument> {
    let items = key.loinc_items.len();
    let codes = key.loinc_items.iter().zip(1..).fold(
        Codes::new("http://loinc.org")
            .with_instrument(key.loinc_panel)
            .with_total(key.loinc_total)
            .with_answer(0.0, "LA6568-5")
            .with_answer(1.0, "LA6569-3")
            .with_answer(2.0, "LA6570-1")
            .with_answer(3.0, "LA6571-9"),
        |c, (code, n): (&&str, u32)| c.with_item(n.to_string(), *code),
    );
    let scale = ResponseScale::likert(0, 3, [(0, "Not at all"), (3, "Nearly every day")])?;
    Instrument::builder(key.id, key.name, scale)
        .items(numbered(u32::try_from(items).unwrap_or(0), &[]))
        .total(TotalRule::OverItems)
        .missing(MissingRule::strict())
        .better(Better::Lower)
        .citation(key.citation)
        .provenance(Provenance::new(
            Confidence::Confirmed,
            format!(
                "{items} items 0-3, sum 0-{}; severity bands from {}; caseness at {} and \
                 reliable change of {} points from NHS Talking Therapies; LOINC codes from HL7 \
                 implementation-guide examples",
                items * 3,
                key.bands_source,
                key.caseness,
                key.reliable_change
            ),
        ))
        .license(format!(
            "the {} is free to reproduce; as for every instrument, the crate ships its scoring \
             key and codes, not its wording",
            key.name
                .rsplit_once('(')
                .map_or(key.id, |(_, short)| short.trim_end_matches(')'))
        ))
        .codes(codes)
        .threshold(
            Threshold::new(
                "total",
                Metric::Sum,
                Comparison::AtOrAbove,
                key.caseness,
                "clinical range (caseness)",
            )?
            .with_source("NHS Talking Therapies caseness cutoff"),
        )
        .bands(Bands::new("total", Metric::Sum, key.bands.iter().copied())?)
        .reliable_change(
            ReliableChangeAmount::new("total", Metric::Sum, key.reliable_change)?
                .with_source("NHS Talking Therapies reliable change"),
        )
        .build()
}

#[cfg(test)]
mod tests;
