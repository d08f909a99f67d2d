//! Known-answer tests for trajectories, pre-post effect sizes and correlations (R 4.2.2):
//! - every client's `lm(bdi ~ session)` intercept, slope, slope SE and `confint` interval, early
//!   level and change on the suddengains `sgdata` BDI (tests/data/change_stats_trajectory_sgdata.json);
//! - HAMD time 1 -> 4 in `claus_2020`: paired t test, d_z with effectsize 0.8.3's noncentral-t
//!   interval, d_av, d_rm (tests/data/change_stats_effect_claus.json);
//! - `rq_s0` with `bdi_s12` in `sgdata`: `cor.test` r, Fisher-z interval, Spearman's rho
//!   (tests/data/change_stats_correlate_sgdata.json);
//! - and, from R directly (values in the tests), the per-session means and SDs, `cor.test`'s t
//!   and p, and the means and SDs behind d_av.
//!
//! Tolerance: 1e-9 relative (1e-12 absolute near zero) as the reference README asks, the d_z
//! interval included (the issue asks 1e-6 of it); counts exactly. Provenance:
//! tests/data/PROVENANCE.md.
#![cfg(feature = "serde")]
#![allow(clippy::excessive_precision)] // R's values as printed, 17 digits

use serde_json::Value;
use std::collections::HashMap;
use therapeutic_alliance::change::{Correlation, SessionTable, TrajectoryOptions};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

fn read(name: &str) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(format!(
        "{DATA}{name}"
    ))?)?)
}

/// Compares within 1e-9 relative (1e-12 absolute near zero) and returns the relative error.
#[track_caller]
fn close(got: f64, want: f64, what: &str) -> f64 {
    let diff = (got - want).abs();
    let ok = diff <= 1e-9 * want.abs() || diff <= 1e-12;
    assert!(
        ok,
        "{what}: {got} vs R {want} (relative {:e})",
        diff / want.abs()
    );
    if want == 0.0 { diff } else { diff / want.abs() }
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("reference has no number {key}: {v}"))
}

/// The rows of a CSV file as maps from column to text.
fn csv_rows(name: &str) -> Result<Vec<HashMap<String, String>>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(format!("{DATA}{name}"))?;
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        rows.push(
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect(),
        );
    }
    Ok(rows)
}

/// A number, or `None` for an empty cell.
fn cell(
    row: &HashMap<String, String>,
    column: &str,
) -> Result<Option<f64>, Box<dyn std::error::Error>> {
    let text = row.get(column).ok_or(format!("no column {column}"))?;
    Ok(if text.is_empty() || text == "NA" {
        None
    } else {
        Some(text.parse()?)
    })
}

fn sgdata_bdi_table() -> Result<SessionTable, Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for row in csv_rows("sgdata_bdi_long.csv")? {
        let id = row.get("id").ok_or("no id")?.clone();
        let session: u32 = row.get("session").ok_or("no session")?.parse()?;
        rows.push((id, session, cell(&row, "bdi")?));
    }
    Ok(SessionTable::from_rows(rows)?)
}

#[test]
fn trajectories_match_r_lm_on_sgdata() -> TestResult {
    let reference = read("change_stats_trajectory_sgdata.json")?;
    assert_eq!(reference["input"]["early"], 3);
    let table = sgdata_bdi_table()?;
    let got: HashMap<String, _> = table
        .trajectories(&TrajectoryOptions::default())
        .into_iter()
        .map(|c| (c.client.clone(), c))
        .collect();
    let want = reference["result"].as_array().ok_or("no result")?;
    assert_eq!(got.len(), want.len());
    let mut worst = 0f64;
    let (mut with_ci, mut without_ci) = (0, 0);
    for w in want {
        let id = w["id"].as_str().ok_or("no id")?;
        let t = got[id].trajectory.ok_or("no trajectory")?;
        let what = |field: &str| format!("client {id} {field}");
        assert_eq!(Some(t.n), w["n"].as_u64(), "{}", what("n"));
        worst = worst.max(close(t.early, num(w, "early"), &what("early")));
        worst = worst.max(close(t.change, num(w, "change"), &what("change")));
        let intercept = t.intercept.ok_or("no intercept")?;
        let slope = t.slope.ok_or("no slope")?;
        worst = worst.max(close(intercept, num(w, "intercept"), &what("intercept")));
        worst = worst.max(close(slope, num(w, "slope"), &what("slope")));
        if w["slope_se"].is_null() {
            assert!(t.n < 3 && t.slope_se.is_none() && t.slope_ci.is_none());
            assert!(w["slope_ci"][0].is_null() && w["slope_ci"][1].is_null());
            without_ci += 1;
        } else {
            let ci = t.slope_ci.ok_or("no interval")?;
            let se = t.slope_se.ok_or("no se")?;
            worst = worst.max(close(se, num(w, "slope_se"), &what("slope_se")));
            let bounds = w["slope_ci"].as_array().ok_or("no slope_ci")?;
            let (lower, upper) = (
                bounds[0].as_f64().ok_or("lower")?,
                bounds[1].as_f64().ok_or("upper")?,
            );
            worst = worst.max(close(ci.lower, lower, &what("slope_ci lower")));
            worst = worst.max(close(ci.upper, upper, &what("slope_ci upper")));
            with_ci += 1;
        }
    }
    assert_eq!((with_ci, without_ci), (40, 3));
    eprintln!(
        "trajectories: {} clients, max relative error {worst:e}",
        want.len()
    );
    Ok(())
}

#[test]
fn mean_trajectory_matches_r_on_sgdata() -> TestResult {
    // R 4.2.2 on sgdata_bdi_long.csv, per session: length(v), sum(is.na(bdi)), mean(v), sd(v).
    let want: [(u32, u64, u64, f64, f64); 12] = [
        (1, 42, 1, 34.761_904_761_904_759, 5.917_355_720_456_206_4),
        (2, 38, 5, 32.052_631_578_947_37, 6.943_584_900_179_650_4),
        (3, 40, 3, 28.75, 7.026_506_590_888_168_1),
        (4, 36, 7, 25.277_777_777_777_779, 7.000_453_500_049_065_5),
        (5, 36, 7, 23.861_111_111_111_111, 6.685_390_373_377_193_1),
        (6, 38, 5, 21.026_315_789_473_685, 6.347_959_204_322_594_8),
        (7, 35, 8, 18.142_857_142_857_142, 5.926_723_413_503_288_5),
        (8, 35, 8, 17.571_428_571_428_573, 6.665_476_084_164_688_5),
        (9, 36, 7, 15.75, 7.140_928_311_001_108_1),
        (10, 35, 8, 14.342_857_142_857_143, 7.907_341_552_011_526_9),
        (11, 33, 10, 12.636_363_636_363_637, 6.460_544_587_233_831_8),
        (12, 41, 2, 13.365_853_658_536_585, 6.785_116_423_323_094_3),
    ];
    let got = sgdata_bdi_table()?.mean_trajectory();
    assert_eq!(got.len(), want.len());
    for (g, (session, n, missing, mean, sd)) in got.iter().zip(want) {
        assert_eq!((g.session, g.n, g.missing), (session, n, missing));
        close(
            g.mean.ok_or("no mean")?,
            mean,
            &format!("session {session} mean"),
        );
        close(g.sd.ok_or("no sd")?, sd, &format!("session {session} sd"));
    }
    Ok(())
}

#[test]
fn centering_and_lags_on_sgdata() -> TestResult {
    let table = sgdata_bdi_table()?;
    let centered = table.centered();
    let lagged = table.lagged();
    assert_eq!(centered.len(), 516);
    assert_eq!(lagged.len(), 516);
    // R: mean(bdi[id == 2], na.rm = TRUE)
    let client2: Vec<_> = centered.iter().filter(|r| r.client == "2").collect();
    assert_eq!(client2.len(), 12);
    for r in &client2 {
        close(
            r.between.ok_or("no mean")?,
            16.222_222_222_222_221,
            "client 2 mean",
        );
        assert_eq!(r.within.is_some(), r.value.is_some());
    }
    let within: f64 = client2.iter().filter_map(|r| r.within).sum();
    assert!(within.abs() < 1e-12, "within-client parts sum to {within}");
    // The lag of a row is the client's row before it, in the same order as `centered`.
    for (pair, (c, l)) in lagged.windows(2).zip(centered.iter().zip(&lagged).skip(1)) {
        let [before, row] = pair else { continue };
        assert_eq!(
            (c.client.as_str(), c.session),
            (l.client.as_str(), l.session)
        );
        if before.client == row.client {
            assert_eq!(row.previous_session, Some(before.session));
            assert_eq!(row.previous, before.value);
        } else {
            assert_eq!((row.previous_session, row.previous), (None, None));
        }
    }
    Ok(())
}

#[test]
fn pre_post_effect_sizes_match_r_and_effectsize_on_claus_2020() -> TestResult {
    let reference = read("change_stats_effect_claus.json")?;
    let input = &reference["input"];
    assert_eq!(
        (input["pre"].as_u64(), input["post"].as_u64()),
        (Some(1), Some(4))
    );
    let mut rows = Vec::new();
    for row in csv_rows("claus_2020.csv")? {
        let id = row.get("id").ok_or("no id")?.clone();
        let time: u32 = row.get("time").ok_or("no time")?.parse()?;
        rows.push((id, time, cell(&row, "hamd")?));
    }
    let e = SessionTable::from_rows(rows)?.pre_post(1, 4)?;
    let w = &reference["result"];
    assert_eq!((Some(e.n), e.incomplete), (w["n"].as_u64(), 3));
    let mut worst = 0f64;
    for (got, key) in [
        (e.mean_diff, "mean_diff"),
        (e.sd_diff, "sd_diff"),
        (e.t, "t"),
        (e.df, "df"),
        (e.p, "p"),
        (e.d_z, "d_z"),
        (e.d_av, "d_av"),
        (e.d_rm.ok_or("no d_rm")?, "d_rm"),
        (e.r_pre_post.ok_or("no r")?, "r_pre_post"),
    ] {
        worst = worst.max(close(got, num(w, key), key));
    }
    let ci = w["d_z_ci"].as_array().ok_or("no d_z_ci")?;
    let lower = close(
        e.d_z_ci.lower,
        ci[0].as_f64().ok_or("lower")?,
        "d_z_ci lower",
    );
    let upper = close(
        e.d_z_ci.upper,
        ci[1].as_f64().ok_or("upper")?,
        "d_z_ci upper",
    );
    // R 4.2.2: mean, sd of hamd at time 1 and 4 over the complete pairs; the exact J for df 39.
    for (got, want, what) in [
        (e.mean_pre, 24.85, "mean_pre"),
        (e.mean_post, 14.975, "mean_post"),
        (e.sd_pre, 3.340_121_293_667_380_5, "sd_pre"),
        (e.sd_post, 7.711_089_250_935_787_1, "sd_post"),
        (e.hedges_j, 0.980_624_238_680_338_3, "hedges_j"),
    ] {
        worst = worst.max(close(got, want, what));
    }
    close(e.g_z, e.hedges_j * e.d_z, "g_z");
    close(e.g_z_ci.lower, e.hedges_j * e.d_z_ci.lower, "g_z_ci lower");
    eprintln!(
        "pre-post: max relative error {worst:e}; d_z interval {lower:e} (lower), {upper:e} (upper)"
    );
    Ok(())
}

#[test]
fn correlation_matches_r_cor_test_on_sgdata() -> TestResult {
    let reference = read("change_stats_correlate_sgdata.json")?;
    let input = &reference["input"];
    let (x, y) = (
        input["x"].as_str().ok_or("no x")?,
        input["y"].as_str().ok_or("no y")?,
    );
    let pairs = csv_rows("sgdata.csv")?
        .iter()
        .map(|row| Ok((cell(row, x)?, cell(row, y)?)))
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let c = Correlation::from_pairs(pairs)?;
    let w = &reference["result"];
    assert_eq!((Some(c.n), c.incomplete), (w["n"].as_u64(), 5));
    let ci = c.pearson_ci.ok_or("no interval")?;
    let bounds = w["pearson_ci"].as_array().ok_or("no pearson_ci")?;
    let mut worst = 0f64;
    for (got, want, what) in [
        (c.pearson, num(w, "pearson"), "pearson"),
        (
            ci.lower,
            bounds[0].as_f64().ok_or("lower")?,
            "pearson_ci lower",
        ),
        (
            ci.upper,
            bounds[1].as_f64().ok_or("upper")?,
            "pearson_ci upper",
        ),
        (c.spearman, num(w, "spearman"), "spearman"),
        // R 4.2.2: cor.test(sgdata$rq_s0, sgdata$bdi_s12)$statistic, $parameter, $p.value
        (c.t, 0.490_818_061_989_048_76, "t"),
        (c.df, 36.0, "df"),
        (c.p, 0.626_533_837_052_200_89, "p"),
    ] {
        worst = worst.max(close(got, want, what));
    }
    eprintln!("correlation: max relative error {worst:e}");
    Ok(())
}
