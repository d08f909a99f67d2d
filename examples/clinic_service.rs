//! A clinic's web service in miniature: a completed form arrives as the crate's JSON record or
//! as a FHIR QuestionnaireResponse (R4 or R5); the service answers with the scored report, the
//! FHIR Observation for the EHR and the session monitor's events, or with every error in the form
//! at once, as JSON a front end can show next to the fields. The monitor's state is stored
//! between calls as JSON (here in a map; in a clinic, a database column per client and
//! instrument), so each call resumes where the last one stopped.
//!
//! ```text
//! cargo run --example clinic_service
//! ```

use std::collections::HashMap;

use serde_json::{Value, json};
use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
use therapeutic_alliance::fhir::{self, Observation};
use therapeutic_alliance::{AdministrationRecord, Errors, Registry};

/// The monitor states kept between calls: `client/instrument` -> the state as JSON.
type Store = HashMap<String, String>;

/// A failed request: the status code and the JSON body.
type Failed = (u16, Value);

/// What the service answers to one request body: the report, Observation and monitor events of
/// a good form, or a bad one's errors. `now` is when the Observation is issued (the web
/// framework's clock).
fn handle(body: &str, registry: &Registry, store: &mut Store, now: &str) -> Result<Value, Failed> {
    let errors = |errors: Errors| (422, json!({ "errors": errors }));
    let unreadable = |s, e: serde_json::Error| {
        (
            s,
            json!({"errors": [{"code": "json", "message": e.to_string()}]}),
        )
    };
    let settings = fhir::Settings::r4();
    // FHIR or the crate's record: every error of the form at once, each naming its item.
    let (adm, report, observation) = if body.contains("\"resourceType\"") {
        let scored = fhir::score(body, registry, &settings, now).map_err(errors)?;
        scored.into_parts()
    } else {
        let record: AdministrationRecord =
            serde_json::from_str(body).map_err(|e| unreadable(400, e))?;
        let adm = registry.read_all(record).map_err(errors)?;
        let observation = Observation::of(&adm, &settings).issued_at(now);
        let report = adm.report();
        (adm, report, observation.map_err(|e| errors(e.into()))?)
    };
    // The session monitor, resumed from its stored state (new at a client's first session).
    let (inst, client) = (adm.instrument(), adm.client().unwrap_or("anonymous"));
    let key = format!("{client}/{}", inst.id());
    let mut monitor = match store.get(&key) {
        Some(json) => {
            let state = serde_json::from_str(json).map_err(|e| unreadable(500, e))?;
            SessionMonitor::resume(inst, state).map_err(|e| errors(e.into()))?
        }
        None => SessionMonitor::new(inst, MonitorOptions::for_instrument(inst)),
    };
    let session = monitor.observe(&adm).map_err(|e| errors(e.into()))?;
    let state = serde_json::to_string(monitor.state()).map_err(|e| unreadable(500, e))?;
    store.insert(key, state);
    Ok(json!({ "report": report, "observation": observation, "monitor": session }))
}

/// One client's Session Rating Scale (four 0-10 lines) over three sessions, the third sent by
/// the EHR as a FHIR QuestionnaireResponse; then a WAI-SR response with two bad answers.
const REQUESTS: [&str; 4] = [
    r#"{"instrument": "srs", "client": "c-017", "session": 1, "date": "2026-11-02",
        "answers": {"1": 9.1, "2": 9.0, "3": 9.2, "4": 9.3}}"#,
    r#"{"instrument": "srs", "client": "c-017", "session": 2, "date": "2026-11-09",
        "answers": {"1": 8.9, "2": 9.2, "3": 9.0, "4": 9.4}}"#,
    r#"{"resourceType": "QuestionnaireResponse", "id": "qr-3", "status": "completed",
        "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/srs|3.0",
        "subject": {"reference": "c-017"}, "authored": "2026-11-16T10:00:00+01:00",
        "extension": [{"url": "https://therapeutic-alliance.example/fhir/StructureDefinition/session",
                       "valueUnsignedInt": 3}],
        "item": [{"linkId": "1", "answer": [{"valueDecimal": 6.1}]},
                 {"linkId": "2", "answer": [{"valueDecimal": 8.0}]},
                 {"linkId": "3", "answer": [{"valueDecimal": 7.4}]},
                 {"linkId": "4", "answer": [{"valueDecimal": 7.0}]}]}"#,
    r#"{"resourceType": "QuestionnaireResponse", "id": "qr-4", "status": "completed",
        "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/wai-sr|client-form",
        "item": [{"linkId": "3", "answer": [{"valueInteger": 7}]},
                 {"linkId": "9", "answer": [{"valueCoding": {"code": "often"}}]}]}"#,
];

fn main() {
    // The catalog's instruments; a clinic would register its own definitions here too.
    let registry = Registry::with_catalog();
    let mut store = Store::new();
    for body in REQUESTS {
        let answered = handle(body, &registry, &mut store, "2026-11-16T10:05:00Z");
        let (status, answer) = answered.map_or_else(|failed| failed, |answer| (200, answer));
        let answer = serde_json::to_string_pretty(&answer).unwrap_or_default();
        println!("HTTP {status}\n{answer}\n");
    }
    println!(
        "stored monitor states: {:?}",
        store.keys().collect::<Vec<_>>()
    );
}
