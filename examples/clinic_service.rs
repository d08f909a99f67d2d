//! A clinic's web service in miniature: a completed form arrives as JSON, and the service
//! answers with the scored report, or with every error in the form at once, as JSON a front end
//! can show next to the fields.
//!
//! ```text
//! cargo run --example clinic_service
//! ```

use therapeutic_alliance::{AdministrationRecord, Registry};

/// Two submissions of the Session Rating Scale (four 0-10 lines): one complete, one with a
/// mark past the end of a line and an item the form does not have.
const SUBMISSIONS: [&str; 2] = [
    r#"{"instrument": "srs", "client": "c-017", "session": 6, "date": "2026-11-02",
        "answers": {"1": 8.5, "2": 9.0, "3": 7.2, "4": 9.1}}"#,
    r#"{"instrument": "srs", "client": "c-018", "session": 2,
        "answers": {"1": 8.5, "2": 12.0, "3": 7.2, "5": 9.1}}"#,
];

/// What the service answers to one request body: the status code and the JSON body.
fn handle(body: &str, registry: &Registry) -> (u16, String) {
    let record: AdministrationRecord = match serde_json::from_str(body) {
        Ok(record) => record,
        Err(e) => {
            return (
                400,
                serde_json::json!({ "error": e.to_string() }).to_string(),
            );
        }
    };
    // Every error of the form, each naming its item and field, not only the first.
    match registry.read_all(record) {
        Ok(administration) => {
            let report = administration.report();
            (
                200,
                serde_json::to_string_pretty(&report).unwrap_or_default(),
            )
        }
        Err(errors) => (
            422,
            serde_json::to_string_pretty(&errors).unwrap_or_default(),
        ),
    }
}

fn main() {
    // The catalog's instruments; a clinic would register its own definitions here too.
    let registry = Registry::with_catalog();
    for body in SUBMISSIONS {
        let (status, answer) = handle(body, &registry);
        println!("HTTP {status}\n{answer}\n");
    }
}
