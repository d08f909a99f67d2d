//! What the `structure` tests share: the reference JSON files and the CSV files of `tests/data`.

use therapeutic_alliance::structure::Observations;

/// A JSON file of `tests/data`.
pub fn json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

/// The columns of a CSV file of `tests/data` (all of them, or those named, in that order), empty
/// or NA cells missing.
pub fn observations(name: &str, columns: Option<&[String]>) -> Observations {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let columns = columns.map_or_else(|| header.clone(), <[String]>::to_vec);
    let at: Vec<usize> = columns
        .iter()
        .map(|c| header.iter().position(|h| h == c).expect("column"))
        .collect();
    let mut data = Observations::new(columns).expect("names");
    for r in reader.records() {
        let r = r.expect("record");
        let row: Vec<Option<f64>> = at
            .iter()
            .map(|&j| {
                let c = r.get(j).unwrap_or("").trim();
                (!c.is_empty() && c != "NA").then(|| c.parse().expect("number"))
            })
            .collect();
        data.push_row(&row).expect("row");
    }
    data
}
