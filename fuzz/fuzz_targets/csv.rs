//! Research data files: any bytes, read as a wide, a long (streamed and in any order) and a
//! REDCap file of the WAI-SR and the SRS. Nothing may panic, every row ends (an administration
//! or an error), and what is read scores.
#![no_main]

use libfuzzer_sys::fuzz_target;
use therapeutic_alliance::catalog;
use therapeutic_alliance::csv::Layout;

fuzz_target!(|data: &[u8]| {
    for id in ["wai-sr", "srs"] {
        let inst = catalog::require(id).expect("in the catalog");
        let layouts = [
            Layout::wide().missing("NA"),
            Layout::long(),
            Layout::long().any_order(true),
            Layout::redcap("alliance"),
        ];
        for layout in layouts {
            let Ok(reader) = layout.reader(data, &inst) else {
                continue;
            };
            for row in reader.take(10_000) {
                if let Ok(row) = row {
                    let _ = row.administration().report();
                }
            }
        }
    }
});
