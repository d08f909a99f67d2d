//! FHIR QuestionnaireResponses as an EHR sends them: any bytes, read as JSON, matched to a
//! catalog instrument by their questionnaire URL (R4 and R5). Nothing may panic; a response that
//! is read must write back and read again to the same administration, and unknown elements must
//! survive a read-write round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use therapeutic_alliance::Registry;
use therapeutic_alliance::fhir::{QuestionnaireResponse, Settings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(response) = QuestionnaireResponse::from_json(text) else {
        return;
    };
    // What is read writes back and reads again unchanged.
    let written = serde_json::to_string(&response).expect("a response serializes");
    let again = QuestionnaireResponse::from_json(&written).expect("reads back");
    assert_eq!(again, response);
    let registry = Registry::with_catalog();
    for settings in [Settings::r4(), Settings::r5()] {
        let Ok(instrument) = response.instrument_in(&registry, &settings) else {
            continue;
        };
        if let Ok(adm) = response.to_administration(instrument, &settings) {
            let out = QuestionnaireResponse::of(&adm, &settings);
            let back = out
                .to_administration(instrument, &settings)
                .expect("a response the crate wrote reads back");
            assert_eq!(back.values().collect::<Vec<_>>(), adm.values().collect::<Vec<_>>());
        }
    }
});
