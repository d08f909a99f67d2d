//! A clinic's FHIR endpoint in one call: a `QuestionnaireResponse` body in; the
//! administration, its report and its `Observation` out, or every error at once.

use super::Settings;
use super::import::Mapping;
use super::model::{Observation, QuestionnaireResponse};
use crate::error::{Error, Errors};
use crate::responses::{Administration, Registry};
use crate::scoring::Report;

/// A `QuestionnaireResponse` read and scored by [`score`]: the administration, its
/// [`Report`] and its `Observation`.
///
/// ```
/// use therapeutic_alliance::{catalog, fhir::{self, QuestionnaireResponse, Settings}, Administration, Registry};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let settings = Settings::r4();
/// let adm = Administration::from_values(&catalog::require("srs")?, &[Some(9.0); 4])?;
/// let body = serde_json::to_string(&QuestionnaireResponse::of(&adm, &settings))?;
/// let scored = fhir::score(&body, &Registry::with_catalog(), &settings, "2026-03-02T10:15:00Z")?;
/// assert_eq!(scored.administration(), &adm);
/// assert_eq!(scored.report().total.as_ref().and_then(|t| t.primary), Some(36.0));
/// let (_adm, _report, observation) = scored.into_parts();
/// assert_eq!(observation.issued.as_deref(), Some("2026-03-02T10:15:00Z"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredResponse {
    administration: Administration,
    report: Report,
    observation: Observation,
}

impl ScoredResponse {
    /// The validated administration read from the response.
    pub fn administration(&self) -> &Administration {
        &self.administration
    }

    /// Its scores as plain data: what a clinic's API returns.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Its scores as a FHIR `Observation` for the EHR: `derivedFrom` the response when the
    /// response has an `id`, `issued` at the instant given to [`score`], notes rounded to the
    /// instrument's precision and marking prorated scores (see [`Observation::of`]).
    pub fn observation(&self) -> &Observation {
        &self.observation
    }

    /// The administration, report and observation, by value.
    pub fn into_parts(self) -> (Administration, Report, Observation) {
        (self.administration, self.report, self.observation)
    }
}

/// Reads and scores a `QuestionnaireResponse` in one call, as a clinic's FHIR endpoint does:
/// the JSON `body` (R4 or R5, as [`QuestionnaireResponse::from_json`] reads it), the instrument
/// found in `registry` from the response's `questionnaire` canonical under the settings' base
/// ([`QuestionnaireResponse::instrument_in`]: a catalog version renamed since, such as
/// `wai-sr|client form`, still resolves), every answer validated on its scale, then
/// the [`Report`] and the [`Observation`] in the settings' release, `derivedFrom` the response
/// (when it has an `id`) and `issued` at `issued` (a FHIR `instant`: the caller gives the time,
/// the crate never reads the clock).
///
/// # Errors
/// [`Errors`], every problem at once, each located by a JSON Pointer into the response
/// ([`Error::path`]) and naming the `linkId` or item where there is one; no error carries the
/// client's or therapist's id or repeats unbounded input:
/// - a body that is not a `QuestionnaireResponse`
///   ([`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir)) or names no instrument of the
///   registry ([`ErrorKind::QuestionnaireMismatch`](crate::ErrorKind::QuestionnaireMismatch),
///   [`ErrorKind::UnknownInstrument`](crate::ErrorKind::UnknownInstrument),
///   [`ErrorKind::UnknownVersion`](crate::ErrorKind::UnknownVersion)): that error alone;
/// - otherwise every error of
///   [`to_administration_all`](QuestionnaireResponse::to_administration_all) (each bad or
///   missing answer, a bad `authored`, a repeated extension), in the order of the response;
/// - `issued` that is not a FHIR `instant` ([`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir),
///   `instant`), first.
///
/// With `serde`, each error serializes as one JSON object (`alliance fhir score --errors json`
/// prints one per line); for the WAI-SR response below:
///
/// ```json
/// {"code":"out_of_range","item":"3","value":7.0,"min":1.0,"max":5.0,"message":"item 3: value 7 is outside the response range 1 to 5","location":{"path":"/item/0/answer/0"}}
/// {"code":"unknown_answer_code","link_id":"9","answer_code":"often","message":"linkId \"9\": answer code \"often\" is not an option of the item","location":{"path":"/item/1/answer/0/valueCoding"}}
/// ```
///
/// ```
/// use therapeutic_alliance::{fhir::{self, Settings}, Registry};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // A WAI-SR response (answers 1-5) with two bad answers: 7 is off the scale, and item 9's
/// // code is not an option.
/// let body = r#"{"resourceType": "QuestionnaireResponse", "id": "qr-1", "status": "completed",
///   "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/wai-sr|client-form",
///   "subject": {"reference": "Patient/17"},
///   "item": [{"linkId": "3", "answer": [{"valueInteger": 7}]},
///            {"linkId": "9", "answer": [{"valueCoding": {"code": "often"}}]}]}"#;
/// let errors = fhir::score(body, &Registry::with_catalog(), &Settings::r4(), "2026-03-02T10:15:00Z")
///     .unwrap_err();
/// let found: Vec<_> = errors.iter().map(|e| (e.code(), e.item(), e.path())).collect();
/// assert_eq!(found, [
///     ("out_of_range", Some("3"), Some("/item/0/answer/0")),
///     ("unknown_answer_code", Some("9"), Some("/item/1/answer/0/valueCoding")),
/// ]);
/// let json = serde_json::to_value(errors.first())?;
/// assert_eq!(json["code"], "out_of_range");
/// assert_eq!(json["location"]["path"], "/item/0/answer/0");
/// println!("{json}");
/// # Ok(())
/// # }
/// ```
///
/// A good response gives the three results; the observation refers to the response by id:
///
/// ```
/// use therapeutic_alliance::{fhir::{self, Settings}, Registry};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let body = r#"{"resourceType": "QuestionnaireResponse", "id": "qr-2", "status": "completed",
///   "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/srs|3.0",
///   "authored": "2026-03-02T10:00:00+01:00",
///   "item": [{"linkId": "1", "answer": [{"valueDecimal": 9.1}]}, {"linkId": "2", "answer": [{"valueDecimal": 8.0}]},
///            {"linkId": "3", "answer": [{"valueDecimal": 9.0}]}, {"linkId": "4", "answer": [{"valueDecimal": 9.0}]}]}"#;
/// let scored = fhir::score(body, &Registry::with_catalog(), &Settings::r4(), "2026-03-02T10:15:00Z")?;
/// let report = serde_json::to_value(scored.report())?;
/// assert_eq!(report["total"]["primary"], 35.1);
/// let observation = serde_json::to_value(scored.observation())?;
/// assert_eq!(observation["derivedFrom"][0]["reference"], "QuestionnaireResponse/qr-2");
/// assert_eq!(observation["issued"], "2026-03-02T10:15:00Z");
/// assert_eq!(observation["note"][0]["text"], "total sum 35.1 is at or below 36: discuss the relationship");
/// # Ok(())
/// # }
/// ```
pub fn score(
    body: &str,
    registry: &Registry,
    settings: &Settings,
    issued: &str,
) -> Result<ScoredResponse, Errors> {
    // The caller's instant is checked before anything is read.
    let issued_error = super::export::check_instant(issued).err();
    let read = || -> Result<(QuestionnaireResponse, Administration), Errors> {
        let response = QuestionnaireResponse::from_json(body)?;
        let instrument = response.instrument_in(registry, settings)?;
        let administration =
            response.to_administration_all(instrument, settings, &Mapping::new())?;
        Ok((response, administration))
    };
    match (read(), issued_error) {
        (Ok((response, administration)), None) => {
            let observation = Observation::of(&administration, settings)
                .derived_from_response(&response)
                .issued_at(issued)
                .map_err(Errors::from)?;
            Ok(ScoredResponse {
                report: administration.report(),
                administration,
                observation,
            })
        }
        (Ok(_), Some(e)) => Err(Errors::from(e)),
        (Err(errors), None) => Err(errors),
        (Err(errors), Some(e)) => {
            let all: Vec<Error> = std::iter::once(e.clone()).chain(errors).collect();
            Err(Errors::from_vec(all).unwrap_or_else(|| Errors::from(e)))
        }
    }
}
