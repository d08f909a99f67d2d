//! Known-answer tests against the R package suddengains 0.7.2 (R 4.2.2) on its own `sgdata`:
//! sudden gains on `bdi_s1` .. `bdi_s12` with the criterion-1 cutoff 7, criterion 2 at 25% and
//! criterion 3 with the critical t adjusted for missed sessions (alpha .05). Checked: every
//! interval's three criteria and their combination (`identify_sg(crit123_details = TRUE)`), every
//! gain (`create_bysg()`) and one row per client keeping the largest gain
//! (`create_byperson(multiple_sg_select = "largest")`).
//! References: tests/data/sgdata.csv and tests/data/sg_sgdata_bdi_gains.json (see
//! tests/data/PROVENANCE.md). Tolerance: counts, sessions and criteria exactly; numbers to 1e-9
//! relative (1e-12 absolute near zero), as the reference README asks of a faithful
//! implementation.

use serde_json::Value;
use therapeutic_alliance::Better;
use therapeutic_alliance::change::{
    ScoreSeries, SessionTable, SuddenChanges, SuddenEvent, SuddenOptions, SuddenPick,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

fn reference() -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(format!(
        "{DATA}sg_sgdata_bdi_gains.json"
    ))?)?)
}

/// `bdi_s1` .. `bdi_s12` of every client in `sgdata.csv` (an empty cell is a missed session).
fn sgdata() -> Result<Vec<ScoreSeries>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(format!("{DATA}sgdata.csv"))?;
    let header = reader.headers()?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("sgdata.csv has no column {name}"))
    };
    let id = column("id")?;
    let sessions = (1..=12)
        .map(|s| column(&format!("bdi_s{s}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record?;
        let cell = |i: usize| record.get(i).ok_or("short row");
        let scores = sessions
            .iter()
            .map(|&i| {
                let text = cell(i)?;
                Ok(if text.is_empty() {
                    None
                } else {
                    Some(text.parse::<f64>()?)
                })
            })
            .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
        out.push(ScoreSeries::new(cell(id)?, scores)?);
    }
    Ok(out)
}

fn analysis() -> Result<SuddenChanges, Box<dyn std::error::Error>> {
    let reference = reference()?;
    let input = &reference["input"];
    assert_eq!(input["cutoff"].as_f64(), Some(7.0));
    assert_eq!(input["crit2_pct"].as_f64(), Some(0.25));
    assert_eq!(input["crit3_adjust"].as_bool(), Some(true));
    assert_eq!(input["kind"].as_str(), Some("gains"));
    // The defaults are suddengains' defaults: criterion 2 at 25%, criterion 3 adjusted at .05.
    let table = SessionTable::from_wide(sgdata()?)?;
    Ok(SuddenOptions::new(Better::Lower, 7.0)?.gains(&table)?)
}

#[test]
fn the_long_table_gives_the_same_gains() -> TestResult {
    // The same BDI sessions 1-12 as long rows (id, session, bdi; NA = missed): one session
    // table, whichever form it was read from.
    let mut reader = csv::Reader::from_path(format!("{DATA}sgdata_bdi_long.csv"))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let cell = |i: usize| record.get(i).ok_or("short row");
        let score = match cell(2)? {
            "" | "NA" => None,
            text => Some(text.parse::<f64>()?),
        };
        rows.push((cell(0)?.to_owned(), cell(1)?.parse::<u32>()?, score));
    }
    let long = SessionTable::from_rows(rows)?;
    let wide = SessionTable::from_wide(sgdata()?)?;
    assert_eq!(
        long.rows().collect::<Vec<_>>(),
        wide.rows().collect::<Vec<_>>()
    );
    let options = SuddenOptions::new(Better::Lower, 7.0)?;
    assert_eq!(options.gains(&long)?, analysis()?);
    Ok(())
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let ok = (got - want).abs() <= 1e-9 * want.abs() || (got - want).abs() <= 1e-12;
    assert!(ok, "{what}: {got} vs suddengains {want}");
}

/// A number or null of the reference, against an `Option<f64>`.
#[track_caller]
fn same(got: Option<f64>, want: &Value, what: &str) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => close(g, w, what),
        (None, None) if want.is_null() => {}
        _ => panic!("{what}: {got:?} vs suddengains {want}"),
    }
}

/// A logical (true, false or null) or a 0/1/null of the reference.
fn logical(v: &Value, what: &str) -> Option<bool> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        other => panic!("{what}: not a logical: {other}"),
    }
}

fn id_of(row: &Value) -> String {
    match &row["id"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("id {other}"),
    }
}

/// A gain against a `create_bysg()` row.
#[track_caller]
fn same_gain(g: &SuddenEvent, count: usize, row: &Value) {
    let what = format!("client {} gain at session {}", g.client, g.session);
    assert_eq!(
        row["id_sg"].as_str(),
        Some(format!("{}_sg_{}", g.client, g.session).as_str())
    );
    assert_eq!(row["sg_session_n"].as_u64(), Some(g.session), "{what}");
    assert_eq!(row["sg_crit123"].as_u64(), Some(1), "{what}");
    assert_eq!(
        row["sg_freq_byperson"].as_u64(),
        Some(count as u64),
        "{what}"
    );
    let w = &g.scores;
    for (got, key) in [
        (w.n_minus_2, "sg_bdi_s_2n"),
        (w.n_minus_1, "sg_bdi_s_1n"),
        (w.n, "sg_bdi_s_n"),
        (w.n_plus_1, "sg_bdi_s_n1"),
        (w.n_plus_2, "sg_bdi_s_n2"),
        (w.n_plus_3, "sg_bdi_s_n3"),
        (g.magnitude, "sg_magnitude"),
        (g.treatment_change, "sg_bdi_s_tx_change"),
        (g.proportion, "sg_change_proportion"),
        (g.reversal_value, "sg_reversal_value"),
    ] {
        same(got, &row[key], &format!("{what}: {key}"));
    }
    assert_eq!(
        logical(&row["sg_reversal"], &what),
        Some(g.reversal),
        "{what}: reversal"
    );
}

#[test]
fn every_interval_matches_identify_sg() -> TestResult {
    let reference = reference()?;
    let rows = reference["intervals"].as_array().ok_or("intervals")?;
    let gains = analysis()?;
    assert_eq!(gains.clients.len(), rows.len());
    let mut checked = 0;
    for (client, row) in gains.clients.iter().zip(rows) {
        assert_eq!(client.id, id_of(row));
        // Twelve sessions: intervals from session 2 to 3 up to 10 to 11, as suddengains.
        let sessions: Vec<u64> = client.intervals.iter().map(|i| i.session).collect();
        assert_eq!(
            sessions,
            (2..=10).collect::<Vec<u64>>(),
            "client {}",
            client.id
        );
        for i in &client.intervals {
            let name = format!("{}to{}", i.session, i.session + 1);
            let what = format!("client {} interval {name}", client.id);
            for (got, key) in [
                (i.cutoff, format!("sg_crit1_{name}")),
                (i.relative, format!("sg_crit2_{name}")),
                (i.mean_shift, format!("sg_crit3_{name}")),
                (i.met, format!("sg_{name}")),
            ] {
                let want = row.get(&key).ok_or_else(|| format!("no {key}"))?;
                assert_eq!(got, logical(want, &what), "{what}: {key}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 43 * 9 * 4);
    Ok(())
}

#[test]
fn every_gain_matches_create_bysg() -> TestResult {
    let reference = reference()?;
    let rows = reference["bysg"].as_array().ok_or("bysg")?;
    let gains = analysis()?;
    assert_eq!((gains.count(), rows.len()), (24, 24));
    let people = gains
        .clients
        .iter()
        .filter(|c| !c.events.is_empty())
        .count();
    assert_eq!(people, 15);
    let mut got = Vec::new();
    for c in &gains.clients {
        got.extend(c.events.iter().map(|g| (g, c.events.len())));
    }
    for ((g, count), row) in got.into_iter().zip(rows) {
        same_gain(g, count, row);
    }
    Ok(())
}

#[test]
fn one_row_per_client_matches_create_byperson_largest() -> TestResult {
    let reference = reference()?;
    let rows = reference["byperson_largest"]
        .as_array()
        .ok_or("byperson_largest")?;
    let by_client = analysis()?.by_client(SuddenPick::Largest);
    assert_eq!(by_client.len(), rows.len());
    for (c, row) in by_client.iter().zip(rows) {
        assert_eq!(c.client, id_of(row));
        match &c.event {
            Some(g) => same_gain(g, c.count, row),
            None => {
                assert_eq!(c.count, 0);
                assert_eq!(row["sg_crit123"].as_u64(), Some(0), "client {}", c.client);
                assert_eq!(row["sg_freq_byperson"].as_u64(), Some(0));
                assert!(row["id_sg"].is_null() && row["sg_magnitude"].is_null());
            }
        }
    }
    Ok(())
}

#[cfg(feature = "serde")]
#[test]
fn the_analysis_round_trips_through_json() -> TestResult {
    let gains = analysis()?;
    let json = serde_json::to_string(&gains)?;
    assert_eq!(serde_json::from_str::<SuddenChanges>(&json)?, gains);
    let series = sgdata()?;
    let json = serde_json::to_string(&series)?;
    assert_eq!(serde_json::from_str::<Vec<ScoreSeries>>(&json)?, series);
    Ok(())
}
