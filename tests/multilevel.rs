//! Known-answer tests of the `multilevel` module against lme4 1.1-31 (`tests/data/mixed_shared.json`),
//! with issue 14's tolerances: 1e-6 relative on estimates, standard errors and variance components
//! (a covariance also on the scale of its two SDs, see `compare`), 1e-8 relative on the REML criterion
//! and the likelihoods, 1e-4 on conditional modes and their SDs (a mode near 0, such as subject
//! 335's intercept, is only as precise as the reference's optimum, about 1e-7 in theta).

use therapeutic_alliance::ErrorKind;
use therapeutic_alliance::multilevel::{Estimation, MixedModel, MixedOptions, MixedTable};

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mixed_shared.json"
    ))
    .expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
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
                xs.iter()
                    .map(|&j| r[j].parse::<f64>().expect("number"))
                    .collect(),
            )
        }),
    )
    .expect("valid table")
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, tol: f64, worst: &mut f64) {
    let rel = (got - want).abs() / want.abs().max(1e-300);
    *worst = worst.max(rel);
    assert!(
        rel <= tol,
        "{what}: got {got}, want {want} (relative error {rel:e}, tolerance {tol:e})"
    );
}

fn compare(name: &str, model: &MixedModel, want: &serde_json::Value) {
    let num = |v: &serde_json::Value| v.as_f64().expect("number");
    let mut worst = [0.0_f64; 6];
    assert_eq!(model.n_obs as u64, want["n_obs"].as_u64().expect("n_obs"));
    let n_groups = want["n_groups"]
        .as_object()
        .expect("n_groups")
        .values()
        .next()
        .expect("one");
    assert_eq!(model.n_groups as u64, n_groups.as_u64().expect("count"));
    let fixed = want["fixed"].as_array().expect("fixed");
    assert_eq!(model.fixed.len(), fixed.len());
    for (got, w) in model.fixed.iter().zip(fixed) {
        assert_eq!(got.term, w["term"].as_str().expect("term"));
        close(
            &format!("{name} {} estimate", got.term),
            got.estimate,
            num(&w["estimate"]),
            1e-6,
            &mut worst[0],
        );
        close(
            &format!("{name} {} se", got.term),
            got.se,
            num(&w["se"]),
            1e-6,
            &mut worst[1],
        );
        close(
            &format!("{name} {} t", got.term),
            got.t,
            num(&w["t"]),
            1e-6,
            &mut worst[1],
        );
        let df = got.df.expect("satterthwaite df");
        let key = |a: &str, b: &str| {
            if w.get(a).is_some() {
                w[a].clone()
            } else {
                w[b].clone()
            }
        };
        close(
            &format!("{name} {} df", got.term),
            df,
            num(&key("df_satterthwaite", "df")),
            1e-3,
            &mut worst[5],
        );
        close(
            &format!("{name} {} p", got.term),
            got.p.expect("p"),
            num(&key("p_satterthwaite", "p")),
            1e-3,
            &mut worst[5],
        );
    }
    let varcor = want["varcor"].as_array().expect("varcor");
    assert_eq!(model.varcor.len(), varcor.len());
    // A covariance (and its correlation) is compared on the scale of its two SDs: its theta
    // entry is small (0.015 in sleepstudy), so the reference's own optimizer gap of about 1e-7
    // in theta is up to 7e-6 relative to the covariance itself, while its relative error
    // against sd1 * sd2 stays at the gap's size.
    let sds: Vec<f64> = model
        .varcor
        .iter()
        .filter(|v| v.var2.is_none())
        .map(|v| v.sdcor)
        .collect();
    for (got, w) in model.varcor.iter().zip(varcor) {
        assert_eq!(got.group, w["group"].as_str().expect("group"));
        if got.var2.is_some() {
            let scale = sds[0] * sds[1];
            let (v, r) = (num(&w["vcov"]), num(&w["sdcor"]));
            close(
                &format!("{name} covariance / (sd1 sd2)"),
                1.0 + (got.vcov - v) / scale,
                1.0,
                1e-6,
                &mut worst[2],
            );
            close(
                &format!("{name} correlation"),
                1.0 + got.sdcor - r,
                1.0,
                1e-6,
                &mut worst[2],
            );
            eprintln!(
                "{name}: covariance relative error {:.1e}, correlation relative error {:.1e}",
                ((got.vcov - v) / v).abs(),
                ((got.sdcor - r) / r).abs()
            );
            // and, as the issue asks, 1e-6 relative to the covariance and correlation themselves
            let mut raw = 0.0;
            close(&format!("{name} covariance"), got.vcov, v, 1e-6, &mut raw);
            close(&format!("{name} correlation"), got.sdcor, r, 1e-6, &mut raw);
            continue;
        }
        assert_eq!(got.var1.as_deref(), w["var1"].as_str());
        assert_eq!(got.var2.as_deref(), w["var2"].as_str());
        close(
            &format!("{name} {:?}/{:?} vcov", got.var1, got.var2),
            got.vcov,
            num(&w["vcov"]),
            1e-6,
            &mut worst[2],
        );
        close(
            &format!("{name} {:?}/{:?} sdcor", got.var1, got.var2),
            got.sdcor,
            num(&w["sdcor"]),
            1e-6,
            &mut worst[2],
        );
    }
    if let Some(c) = want.get("reml_criterion") {
        close(
            &format!("{name} reml criterion"),
            model.reml_criterion.expect("reml"),
            num(c),
            1e-8,
            &mut worst[3],
        );
        assert!(model.loglik.is_none());
    } else {
        assert!(model.reml_criterion.is_none());
        for (key, got) in [
            ("loglik", model.loglik),
            ("aic", model.aic),
            ("bic", model.bic),
            ("deviance", model.deviance),
        ] {
            close(
                &format!("{name} {key}"),
                got.expect("ml criterion"),
                num(&want[key]),
                1e-8,
                &mut worst[3],
            );
        }
    }
    match want.get("icc") {
        Some(icc) => close(
            &format!("{name} icc"),
            model.icc.expect("icc"),
            num(icc),
            1e-6,
            &mut worst[2],
        ),
        None => assert!(model.icc.is_none()),
    }
    if let Some(ranef) = want.get("ranef").and_then(|r| r.as_array()) {
        assert_eq!(model.ranef.len(), ranef.len());
        for w in ranef {
            let level = w["level"].as_str().expect("level");
            let got = model
                .ranef
                .iter()
                .find(|g| g.level == level)
                .expect("level fitted");
            for (term, v) in w["values"].as_object().expect("values") {
                close(
                    &format!("{name} {level} {term} mode"),
                    got.values[term],
                    num(v),
                    1e-4,
                    &mut worst[4],
                );
            }
            for (term, v) in w["cond_sd"].as_object().expect("cond_sd") {
                close(
                    &format!("{name} {level} {term} cond sd"),
                    got.cond_sd[term],
                    num(v),
                    1e-4,
                    &mut worst[4],
                );
            }
        }
    }
    assert!(!model.convergence.singular);
    assert!(model.convergence.boundary.is_none() && model.convergence.zero_variance.is_empty());
    assert!(model.convergence.gradient.is_finite());
    eprintln!(
        "{name}: max relative error: estimates {:.1e}, se/t {:.1e}, variance components {:.1e}, criteria {:.1e}, conditional modes/SDs {:.1e}, Satterthwaite df/p {:.1e}; theta {:?}, iterations {}, gradient {:.1e}",
        worst[0],
        worst[1],
        worst[2],
        worst[3],
        worst[4],
        worst[5],
        model.convergence.theta,
        model.convergence.iterations,
        model.convergence.gradient
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
    let model = MixedOptions::new()
        .fixed(["Days"])
        .slope("Days")
        .analyze(&t)
        .expect("fit");
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

fn small(rows: &[(&str, f64, f64)]) -> MixedTable {
    MixedTable::from_rows(
        "g",
        "y",
        &["x"],
        rows.iter().map(|&(g, y, x)| (g, y, vec![x])),
    )
    .expect("valid")
}

#[test]
fn bad_input_is_a_typed_error() {
    let rows = [
        ("a", 1.0, 1.0),
        ("a", 2.0, 1.0),
        ("b", 3.0, 1.0),
        ("c", 2.5, 1.0),
    ];
    let t = small(&rows);
    let e = MixedOptions::new()
        .fixed(["x"])
        .analyze(&t)
        .expect_err("constant covariate");
    assert!(matches!(e.kind(), ErrorKind::NoVariation { .. }), "{e}");
    let e = MixedOptions::new()
        .fixed(["z"])
        .analyze(&t)
        .expect_err("unknown column");
    assert!(matches!(e.kind(), ErrorKind::InvalidOption { .. }), "{e}");
    let one = small(&[("a", 1.0, 1.0), ("a", 2.0, 2.0), ("a", 3.0, 3.0)]);
    let e = MixedOptions::new().analyze(&one).expect_err("one group");
    assert!(matches!(e.kind(), ErrorKind::TooFewRows { .. }), "{e}");
    let two = small(&[
        ("a", 1.0, 1.0),
        ("a", 2.0, 2.0),
        ("b", 3.0, 1.0),
        ("b", 5.0, 2.0),
    ]);
    let e = MixedOptions::new()
        .fixed(["x"])
        .slope("x")
        .analyze(&two)
        .expect_err("two groups, three parameters");
    assert!(matches!(e.kind(), ErrorKind::TooFewRows { .. }), "{e}");
    let e = MixedTable::from_rows("g", "y", &["x"], [("a", f64::NAN, vec![1.0])]).expect_err("nan");
    assert!(matches!(e.kind(), ErrorKind::InvalidTable { .. }), "{e}");
    assert_eq!(e.row(), Some(1));
    assert_eq!(e.column(), Some("y"));
    // x2 = 2 x: a singular design
    let t = MixedTable::from_rows(
        "g",
        "y",
        &["x", "x2"],
        [
            ("a", 1.0, 1.0),
            ("a", 2.0, 2.0),
            ("b", 3.0, 3.0),
            ("b", 1.0, 4.0),
            ("c", 2.0, 5.0),
        ]
        .iter()
        .map(|&(g, y, x)| (g, y, vec![x, 2.0 * x])),
    )
    .expect("valid");
    let e = MixedOptions::new()
        .fixed(["x", "x2"])
        .analyze(&t)
        .expect_err("singular");
    assert!(matches!(e.kind(), ErrorKind::InvalidTable { .. }), "{e}");
}

#[test]
fn a_group_with_one_row_and_a_zero_variance_fit() {
    // Groups of one observation are fine for a random intercept.
    let t = small(&[
        ("a", 1.0, 1.0),
        ("b", 2.0, 2.0),
        ("c", 3.5, 3.0),
        ("c", 3.0, 1.0),
        ("d", 0.5, 2.0),
    ]);
    let m = MixedOptions::new().fixed(["x"]).analyze(&t).expect("fit");
    assert!(
        m.varcor
            .iter()
            .all(|v| v.vcov.is_finite() && v.sdcor.is_finite())
    );
    // No between-group variation at all: the variance sits on its bound of 0, said plainly.
    let t = small(&[
        ("a", 1.0, 0.0),
        ("a", 3.0, 1.0),
        ("b", 3.0, 0.0),
        ("b", 1.0, 1.0),
        ("c", 2.0, 0.0),
        ("c", 2.0, 1.0),
    ]);
    let m = MixedOptions::new().analyze(&t).expect("fit");
    assert!(m.convergence.singular);
    assert_eq!(m.convergence.zero_variance, vec!["(Intercept)".to_string()]);
    assert_eq!(
        m.convergence.boundary.as_deref(),
        Some("boundary fit: the variance of (Intercept) in g is estimated as 0")
    );
    assert_eq!(m.varcor[0].vcov, 0.0);
    assert_eq!(m.icc, Some(0.0));
    assert!(
        m.ranef
            .iter()
            .all(|g| g.values["(Intercept)"] == 0.0 && g.cond_sd["(Intercept)"] == 0.0)
    );
}

#[test]
fn growth_curve_from_a_session_table_leaves_missed_sessions_out() {
    use therapeutic_alliance::change::SessionTable;
    let mut rows = Vec::new();
    for c in 0..8u32 {
        for s in 1..=6u32 {
            let score = (c != 3 || s != 4).then(|| {
                40.0 + f64::from(c % 3) * 2.0
                    + f64::from(s) * (1.0 + f64::from(c % 4) * 0.3)
                    + f64::from((c * 7 + s * 3) % 5) * 0.8
            });
            rows.push((format!("client-{c}"), s, score));
        }
    }
    let sessions = SessionTable::from_rows(rows).expect("sessions");
    let table = MixedTable::from_sessions(&sessions).expect("table");
    assert_eq!(table.len(), 47);
    let m = MixedOptions::new()
        .fixed(["session"])
        .slope("session")
        .analyze(&table)
        .expect("fit");
    assert_eq!(m.n_obs, 47);
    assert_eq!(m.n_groups, 8);
    assert_eq!(m.fixed[1].term, "session");
    assert_eq!(m.varcor.len(), 4);
    assert!(
        m.varcor
            .iter()
            .all(|v| v.vcov.is_finite() && v.sdcor.is_finite())
    );
    assert_eq!(
        m.ranef.iter().find(|g| g.level == "client-3").map(|g| g.n),
        Some(5)
    );
}

#[test]
fn a_random_slope_without_variance_is_a_boundary_fit_without_nan() {
    // Every group has the same slope and its own level: the slope's variance sits on 0.
    let mut rows = Vec::new();
    for g in 0..6u32 {
        for s in 0..5u32 {
            let noise = f64::from((g * 5 + s * 3) % 7) * 0.1 - 0.3;
            rows.push((
                format!("g{g}"),
                10.0 + f64::from(g) * 1.5 + 2.0 * f64::from(s) + noise,
                vec![f64::from(s)],
            ));
        }
    }
    let t = MixedTable::from_rows("g", "y", &["x"], rows).expect("valid");
    for estimation in [Estimation::Reml, Estimation::Ml] {
        let m = MixedOptions::new()
            .fixed(["x"])
            .slope("x")
            .estimation(estimation)
            .analyze(&t)
            .expect("fit");
        assert!(
            m.varcor
                .iter()
                .all(|v| v.vcov.is_finite() && v.sdcor.is_finite()),
            "{:?}",
            m.varcor
        );
        assert!(
            m.fixed
                .iter()
                .all(|f| f.estimate.is_finite() && f.se.is_finite())
        );
        assert!(
            m.fixed
                .iter()
                .all(|f| f.df.is_none_or(f64::is_finite) && f.p.is_none_or(f64::is_finite))
        );
        assert!(m.ranef.iter().all(|g| {
            g.values
                .values()
                .chain(g.cond_sd.values())
                .all(|v| v.is_finite())
        }));
        assert!(m.convergence.gradient.is_finite());
        assert!(m.convergence.singular);
        assert!(
            m.convergence
                .boundary
                .as_deref()
                .is_some_and(|b| b.contains("perfectly correlated")),
            "{:?}",
            m.convergence
        );
        if estimation == Estimation::Reml {
            // lme4 1.1-31 on the same rows, `lmer(y ~ x + (1 + x | g), control =
            // lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))`: theta
            // (12.61708604, -0.05095198814, 1.4e-8), the boundary; 1e-5 relative.
            let want = [
                8.037_607_532_841_507,
                0.000_131_078_341_131_989,
                -0.032_458_531_422_027_89,
                0.050_490_383_208_764_89,
            ];
            let mut worst = 0.0;
            for (got, want) in m.varcor.iter().zip(want) {
                close("boundary vcov", got.vcov, want, 1e-5, &mut worst);
            }
            close(
                "boundary (Intercept)",
                m.fixed[0].estimate,
                13.743_333_333_335_22,
                1e-9,
                &mut worst,
            );
            close(
                "boundary x",
                m.fixed[1].estimate,
                2.008_333_333_333_33,
                1e-9,
                &mut worst,
            );
            assert!(m.convergence.converged, "{:?}", m.convergence);
        }
    }
}

// Held-out data, simulated for this crate by `tests/data/scripts/mixed_simulate.py` and fitted
// by lme4 1.1-31 and lmerTest 3.1-3 with bobyqa at rhoend 1e-12, polished at 1e-14
// (`tests/data/scripts/mixed_lme4.R`, `tests/data/mixed_heldout.json`). The issue asks 1e-5
// relative on estimates, SEs and variance components and 1e-7 on the criteria; `compare` holds
// them to 1e-6 and 1e-8 (R's optimum is defined to about 1e-12 in theta here).

fn heldout() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mixed_heldout.json"
    ))
    .expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

/// The rows of `name` complete in the model's columns (an empty cell or `NA` is missing, as
/// R's `read.csv(na.strings = c("", "NA"))` and `complete.cases`).
fn complete_table(name: &str, group: &str, y: &str, covariates: &[&str]) -> MixedTable {
    let (header, rows) = read_csv(name);
    let col = |c: &str| header.iter().position(|h| h == c).expect("column");
    let (g, yi) = (col(group), col(y));
    let xs: Vec<usize> = covariates.iter().map(|c| col(c)).collect();
    let missing = |v: &str| v.is_empty() || v == "NA";
    MixedTable::from_rows(
        group,
        y,
        covariates,
        rows.iter()
            .filter(|r| !missing(&r[yi]) && xs.iter().all(|&j| !missing(&r[j])))
            .map(|r| {
                (
                    r[g].clone(),
                    r[yi].parse::<f64>().expect("number"),
                    xs.iter()
                        .map(|&j| r[j].parse::<f64>().expect("number"))
                        .collect(),
                )
            }),
    )
    .expect("valid table")
}

#[test]
fn therapists_with_a_split_alliance_reml_and_ml() {
    let r = heldout();
    let t = complete_table(
        "mixed_therapists.csv",
        "therapist",
        "outcome",
        &["severity", "alliance"],
    );
    for (case, estimation) in [
        ("therapists_split_reml", Estimation::Reml),
        ("therapists_split_ml", Estimation::Ml),
    ] {
        let model = MixedOptions::new()
            .fixed(["severity"])
            .split(["alliance"])
            .estimation(estimation)
            .analyze(&t)
            .expect("fit");
        compare(case, &model, &r[case]["result"]);
        // Therapist t07 has one client: its own mean, a within deviation of 0.
        assert_eq!(
            model.ranef.iter().find(|g| g.level == "t07").map(|g| g.n),
            Some(1)
        );
    }
}

#[test]
fn therapist_icc_of_outcome_and_alliance() {
    let r = heldout();
    for (case, y) in [
        ("therapists_outcome_icc", "outcome"),
        ("therapists_alliance_icc", "alliance"),
    ] {
        let t = complete_table("mixed_therapists.csv", "therapist", y, &[]);
        let model = MixedOptions::new().analyze(&t).expect("fit");
        compare(case, &model, &r[case]["result"]);
    }
}

#[test]
fn growth_curve_with_missed_sessions_reml_and_ml() {
    let r = heldout();
    let t = complete_table("mixed_growth.csv", "client", "score", &["session"]);
    for (case, estimation) in [
        ("growth_reml", Estimation::Reml),
        ("growth_ml", Estimation::Ml),
    ] {
        let model = MixedOptions::new()
            .fixed(["session"])
            .slope("session")
            .estimation(estimation)
            .analyze(&t)
            .expect("fit");
        compare(case, &model, &r[case]["result"]);
    }
}

#[test]
fn split_and_group_count_errors_are_typed() {
    // x is a therapist-level value (constant within each group): its within part is 0.
    let t = small(&[
        ("a", 1.0, 1.0),
        ("a", 2.0, 1.0),
        ("b", 3.0, 2.0),
        ("b", 1.5, 2.0),
        ("c", 2.5, 4.0),
        ("c", 2.0, 4.0),
    ]);
    let e = MixedOptions::new()
        .split(["x"])
        .analyze(&t)
        .expect_err("no within variation");
    assert!(
        matches!(e.kind(), ErrorKind::NoVariation { variable, .. } if variable == "x_within"),
        "{e}"
    );
    let e = MixedOptions::new()
        .split(["x"])
        .slope("x")
        .analyze(&t)
        .expect_err("split and slope");
    assert!(matches!(e.kind(), ErrorKind::InvalidOption { .. }), "{e}");
    let e = MixedOptions::new()
        .fixed(["x"])
        .split(["x"])
        .analyze(&t)
        .expect_err("fixed and split");
    assert!(matches!(e.kind(), ErrorKind::InvalidOption { .. }), "{e}");
    // Every group has one row: as many groups as rows, which lme4 refuses.
    let t = small(&[("a", 1.0, 1.0), ("b", 2.0, 2.0), ("c", 3.5, 3.0)]);
    let e = MixedOptions::new().analyze(&t).expect_err("groups of one");
    assert!(matches!(e.kind(), ErrorKind::TooFewRows { .. }), "{e}");
}
