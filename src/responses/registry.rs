//! The registry that resolves records to instruments.

use super::{Administration, AdministrationRecord, Date, RecordAnswer, answer_path};
use crate::error::{Error, ErrorKind, Errors, Result};
use crate::instruments::Instrument;
use std::collections::HashMap;

/// The instruments records may name: the catalog, plus the caller's own (a clinic's local form,
/// a stricter variant of a catalog key). Each is registered under its id and version; a second,
/// different definition under the same id and version is refused, so a changed instrument must
/// carry a new id or version, and a record is never scored under rules other than its own.
///
/// ```
/// use therapeutic_alliance::{catalog, AdministrationRecord, MissingRule, Registry};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let strict = catalog::require("wai-sr")?.to_builder()
///     .version("client form, strict").missing(MissingRule::strict()).build()?;
/// let mut registry = Registry::with_catalog();
/// registry.register(strict.clone())?;
///
/// let adm = therapeutic_alliance::Administration::builder(&strict).answer("1", 4)?.build()?;
/// let back = registry.read(adm.to_record())?;
/// assert_eq!(back.instrument(), &strict);
///
/// // The same record against the catalog alone: its version is not there.
/// let err = Registry::with_catalog().read(adm.to_record()).unwrap_err();
/// assert_eq!(err.code(), "unknown_version");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registry {
    by_id: HashMap<String, Vec<Instrument>>,
}

impl Registry {
    /// An empty registry.
    ///
    /// ```
    /// use therapeutic_alliance::Registry;
    ///
    /// assert_eq!(Registry::new().instruments().count(), 0);
    /// ```
    pub fn new() -> Self {
        Registry::default()
    }

    /// A registry holding every catalog instrument.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Registry};
    ///
    /// assert_eq!(Registry::with_catalog().instruments().count(), catalog::all().len());
    /// ```
    pub fn with_catalog() -> Self {
        catalog_registry().clone()
    }

    /// Registers an instrument under its id and version. Registering the same definition again
    /// does nothing.
    ///
    /// # Errors
    /// [`ErrorKind::RegistryConflict`] if a different definition is registered under the same
    /// id and version.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, MissingRule, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut registry = Registry::with_catalog();
    /// let same_version = catalog::require("wai-sr")?.to_builder().missing(MissingRule::strict()).build()?;
    /// assert_eq!(registry.register(same_version).unwrap_err().code(), "registry_conflict");
    /// # Ok(())
    /// # }
    /// ```
    pub fn register(&mut self, instrument: Instrument) -> Result<()> {
        let versions = self.by_id.entry(instrument.id().to_owned()).or_default();
        match versions
            .iter()
            .find(|i| i.version() == instrument.version())
        {
            Some(existing) if *existing == instrument => Ok(()),
            Some(_) => Err(ErrorKind::RegistryConflict {
                id: instrument.id().to_owned(),
                version: instrument.version().to_owned(),
            }
            .into()),
            None => {
                versions.push(instrument);
                Ok(())
            }
        }
    }

    /// Every registered instrument.
    ///
    /// ```
    /// use therapeutic_alliance::Registry;
    ///
    /// assert!(Registry::with_catalog().instruments().any(|i| i.id() == "srs"));
    /// ```
    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> + '_ {
        self.by_id.values().flatten()
    }

    /// The instrument registered under `id`, in `version` if given (else the only version). A
    /// catalog version renamed since is found under its old spelling too (`wai-sr` `client form`
    /// is `client-form`; see [renamed versions](crate::catalog#renamed-versions)).
    ///
    /// # Errors
    /// [`ErrorKind::UnknownInstrument`], [`ErrorKind::UnknownVersion`], or
    /// [`ErrorKind::AmbiguousVersion`] when no version is given and several are registered.
    ///
    /// ```
    /// use therapeutic_alliance::Registry;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let registry = Registry::with_catalog();
    /// assert_eq!(registry.get("srs", Some("3.0"))?.id(), "srs");
    /// assert_eq!(registry.get("srs", None)?.version(), "3.0");
    /// assert_eq!(registry.get("srs", Some("2.0")).unwrap_err().code(), "unknown_version");
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, id: &str, version: Option<&str>) -> Result<&Instrument> {
        let versions = self
            .by_id
            .get(id)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                let mut known: Vec<String> = self.by_id.keys().cloned().collect();
                known.sort_unstable();
                ErrorKind::UnknownInstrument {
                    id: id.to_owned(),
                    known,
                }
            })?;
        let known = || versions.iter().map(|i| i.version().to_owned()).collect();
        match (version, versions.as_slice()) {
            (None, [only]) => Ok(only),
            (None, _) => Err(ErrorKind::AmbiguousVersion {
                id: id.to_owned(),
                versions: known(),
            }
            .into()),
            (Some(v), _) => versions
                .iter()
                .find(|i| i.version() == v)
                .or_else(|| {
                    // A catalog version renamed since (`client form` -> `client-form`).
                    let now = crate::catalog::renamed_version(id, v)?;
                    versions.iter().find(|i| i.version() == now)
                })
                .ok_or_else(|| {
                    ErrorKind::UnknownVersion {
                        id: id.to_owned(),
                        version: v.to_owned(),
                        known: known(),
                    }
                    .into()
                }),
        }
    }

    /// The instrument a record names, checking its digest when it has one.
    ///
    /// # Errors
    /// As [`Registry::get`], and [`ErrorKind::DefinitionMismatch`] when the record's digest is
    /// not the registered definition's.
    ///
    /// ```
    /// use therapeutic_alliance::{AdministrationRecord, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut record = AdministrationRecord::new("wai-sr");
    /// record.digest = Some("0000000000000000".into());
    /// assert_eq!(Registry::with_catalog().resolve(&record).unwrap_err().code(), "definition_mismatch");
    /// # Ok(())
    /// # }
    /// ```
    pub fn resolve(&self, record: &AdministrationRecord) -> Result<&Instrument> {
        let inst = self
            .get(&record.instrument, record.version.as_deref())
            .map_err(|e| e.at_path("/instrument"))?;
        match &record.digest {
            Some(d)
                if d != inst.digest()
                    && !record.version.as_deref().is_some_and(|v| {
                        v != inst.version() && crate::catalog::is_renamed_digest(inst, v, d)
                    }) =>
            {
                Err(Error::from(ErrorKind::DefinitionMismatch {
                    id: inst.id().to_owned(),
                    version: inst.version().to_owned(),
                    found: d.clone(),
                    registered: inst.digest().to_owned(),
                })
                .at_path("/digest"))
            }
            _ => Ok(inst),
        }
    }

    /// Reads a record: resolves its instrument and validates it as the builder does.
    ///
    /// # Errors
    /// The first of the errors [`Registry::read_all`] reports.
    ///
    /// ```
    /// use therapeutic_alliance::{AdministrationRecord, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut record = AdministrationRecord::new("wai-sr");
    /// record.date = Some("2026-02-30".into());
    /// let err = Registry::with_catalog().read(record).unwrap_err();
    /// assert_eq!((err.code(), err.path()), ("invalid_date", Some("/date")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn read(&self, record: AdministrationRecord) -> Result<Administration> {
        self.read_all(record).map_err(Errors::into_first)
    }

    /// Reads a record, reporting every error: a bad instrument reference stops at once; then
    /// each bad id, the date and each bad answer, in that order, each with its field path.
    ///
    /// # Errors
    /// [`Errors`] with [`ErrorKind::UnknownInstrument`], [`ErrorKind::UnknownVersion`],
    /// [`ErrorKind::AmbiguousVersion`] or [`ErrorKind::DefinitionMismatch`] alone; or any of
    /// [`ErrorKind::InvalidText`] (client or therapist id), [`ErrorKind::InvalidDate`] and the
    /// answer errors of [`AdministrationBuilder::answer`](crate::AdministrationBuilder::answer).
    ///
    /// ```
    /// use therapeutic_alliance::{AdministrationRecord, Registry};
    ///
    /// # #[cfg(feature = "serde")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let record: AdministrationRecord = serde_json::from_str(
    ///     r#"{"instrument": "srs", "client": "", "date": "2026-13-01",
    ///         "answers": {"1": 10.5, "2": 7, "2": 8, "9": 1}}"#)?;
    /// let errors = Registry::with_catalog().read_all(record).unwrap_err();
    /// let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
    /// assert_eq!(codes, ["invalid_text", "invalid_date", "out_of_range", "duplicate_answer", "unknown_item"]);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "serde"))]
    /// # fn main() {}
    /// ```
    pub fn read_all(&self, record: AdministrationRecord) -> Result<Administration, Errors> {
        let inst = self.resolve(&record)?;
        let mut b = Administration::builder(inst);
        b.adm.client = record.client;
        b.adm.therapist = record.therapist;
        b.adm.session = record.session;
        let mut errors: Vec<Error> = b.check_ids().err().map(Vec::from).unwrap_or_default();
        if let Some(d) = record.date {
            match d.parse::<Date>() {
                Ok(d) => b.adm.date = Some(d),
                Err(e) => errors.push(e.at_path("/date")),
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(record.answers.len());
        for (item, value) in &record.answers {
            // A repeated item is refused even when one of the two is null: the input is ambiguous.
            if !seen.insert(item.as_str()) {
                errors.push(
                    Error::from(ErrorKind::DuplicateAnswer { item: item.clone() })
                        .at_path(answer_path(item)),
                );
                continue;
            }
            let answer = match value {
                Some(RecordAnswer::Number(v)) => super::Answer::Number(*v),
                Some(RecordAnswer::Text(t)) => super::Answer::Text(t),
                None => continue,
            };
            if let Err(e) = b.answer_mut(item, answer) {
                errors.push(e.at_path(answer_path(item)));
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(b.adm),
        }
    }
}

/// The catalog as a registry, built once.
static CATALOG_REGISTRY: std::sync::LazyLock<Registry> = std::sync::LazyLock::new(|| {
    let mut r = Registry::new();
    for inst in crate::catalog::all() {
        // Catalog ids are unique (tested), so registering cannot conflict.
        let _ = r.register(inst.clone());
    }
    r
});

/// The catalog as a registry (built once): what records are read against by default.
pub(crate) fn catalog_registry() -> &'static Registry {
    &CATALOG_REGISTRY
}
