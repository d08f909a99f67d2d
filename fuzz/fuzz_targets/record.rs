//! Administration records as a clinic's service receives them: any bytes, read as JSON through
//! the catalog's registry. Nothing may panic; whatever is accepted must score and round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use therapeutic_alliance::{AdministrationRecord, Registry};

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<AdministrationRecord>(data) else {
        return;
    };
    let registry = Registry::with_catalog();
    if let Ok(adm) = registry.read(record) {
        let report = adm.report();
        let json = serde_json::to_string(&report).expect("a report serializes");
        assert!(!json.is_empty());
        let again = serde_json::to_string(&adm).expect("an administration serializes");
        let back: AdministrationRecord = serde_json::from_str(&again).expect("reads back");
        assert_eq!(registry.read(back).expect("still valid"), adm);
    }
});
