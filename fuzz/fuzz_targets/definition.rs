//! Instrument definitions as a site writes them: any bytes, read as JSON and as TOML. Nothing
//! may panic; whatever is accepted must score and survive a round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use therapeutic_alliance::Instrument;

fn check(inst: &Instrument) {
    // Scoring an empty and a full administration must not panic.
    let items = inst.items().len();
    let _ = inst.score_values(&vec![None; items]);
    let lowest = inst.scale().min();
    if let Ok(scores) = inst.score_values(&vec![Some(lowest); items]) {
        let _ = scores.report();
    }
    let json = serde_json::to_string(inst).expect("an instrument serializes");
    let back: Instrument = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, inst);
    assert_eq!(back.digest(), inst.digest());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(inst) = serde_json::from_slice::<Instrument>(data) {
        check(&inst);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // The text loaders, as `--instrument-file` reads a file.
        for inst in [Instrument::from_json(text), Instrument::from_toml(text)]
            .into_iter()
            .flatten()
        {
            check(&inst);
            let toml = inst.to_toml().expect("writes TOML");
            assert_eq!(Instrument::from_toml(&toml).expect("reads back"), inst);
        }
    }
});
