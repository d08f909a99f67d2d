//! Known-answer tests of `structure::CfaOptions` against lavaan 0.6-14
//! (`tests/data/structure_shared.json`, the Holzinger-Swineford three-factor model identified by
//! marker loadings and by `std.lv = TRUE`), with issue 15's tolerances: fit measures to 1e-7
//! relative, every parameter's estimate, standard error and std.all to 1e-5 relative (1e-9
//! absolute near zero).

mod structure_data;

use therapeutic_alliance::structure::{
    CfaFit, CfaOptions, CfaWarning, ChiSquareDifference, FactorCovariances, Identification, Model,
    Observations,
};

fn close(what: &str, ours: f64, theirs: f64, rel: f64) {
    let ok = if theirs.abs() < 1e-4 {
        (ours - theirs).abs() <= 1e-9
    } else {
        ((ours - theirs) / theirs).abs() <= rel
    };
    if std::env::var("SHOW").is_ok() {
        eprintln!("{what}: rel {:e}", ((ours - theirs) / theirs).abs());
    }
    assert!(
        ok,
        "{what}: ours {ours:e}, lavaan {theirs:e}, rel {:e}",
        ((ours - theirs) / theirs).abs()
    );
}

fn check(name: &str, identification: Identification) -> CfaFit {
    let r = structure_data::json("structure_shared.json");
    let m = &r["models"][name];
    let model = Model::parse(m["syntax"].as_str().expect("syntax")).expect("model");
    let data = structure_data::observations("holzinger_swineford.csv", None);
    let fit = CfaOptions::default()
        .identification(identification)
        .analyze(&model, &data)
        .expect("fit");
    let f = &m["result"]["fit"];
    let num = |k: &str| f[k].as_f64().expect(k);
    let ours = &fit.fit;
    // lavaan's SRMR is first-order in the estimates, so it is only as precise as lavaan's
    // own optimum: default_tolerance_gap (the nlminb-BFGS difference, about 1e-6) bounds it.
    let gap = m["result"]["default_tolerance_gap"].as_f64().expect("gap");
    for (k, v) in [
        ("chisq", ours.chisq),
        ("pvalue", ours.pvalue.unwrap_or(f64::NAN)),
        ("cfi", ours.cfi),
        ("tli", ours.tli),
        ("rmsea", ours.rmsea),
        ("rmsea.ci.lower", ours.rmsea_ci.lower),
        ("rmsea.ci.upper", ours.rmsea_ci.upper),
        ("logl", ours.loglik),
        ("aic", ours.aic),
        ("bic", ours.bic),
    ] {
        close(&format!("{name} {k}"), v, num(k), 1e-7);
    }
    // The marker fit is lavaan's better-converged one: its SRMR agrees to 1e-7 as well.
    let srmr_tolerance = if name == "three_marker" { 1e-7 } else { gap };
    close(
        &format!("{name} srmr"),
        ours.srmr,
        num("srmr"),
        srmr_tolerance,
    );
    assert_eq!(ours.df, 24);
    assert_eq!(ours.npar as f64, num("npar"));
    assert_eq!(ours.n as f64, num("ntotal"));
    let params = m["result"]["parameters"].as_array().expect("parameters");
    assert_eq!(fit.parameters.len(), params.len());
    for (ours, theirs) in fit.parameters.iter().zip(params) {
        let label = format!(
            "{name} {} {} {}",
            theirs["lhs"], theirs["op"], theirs["rhs"]
        );
        assert_eq!(ours.lhs, theirs["lhs"].as_str().expect("lhs"), "{label}");
        assert_eq!(
            ours.op.as_str(),
            theirs["op"].as_str().expect("op"),
            "{label}"
        );
        assert_eq!(ours.rhs, theirs["rhs"].as_str().expect("rhs"), "{label}");
        for (k, v) in [
            ("est", ours.est),
            ("se", ours.se),
            ("std_all", ours.std_all),
        ] {
            close(
                &format!("{label} {k}"),
                v,
                theirs[k].as_f64().expect(k),
                1e-5,
            );
        }
        assert_eq!(ours.free, theirs["se"].as_f64() != Some(0.0), "{label}");
    }
    assert!(fit.warnings.is_empty());
    fit
}

#[test]
fn holzinger_swineford_marker_matches_lavaan() {
    check("three_marker", Identification::Marker);
}

#[test]
fn holzinger_swineford_std_lv_matches_lavaan() {
    check("three", Identification::StdLv);
}

#[test]
fn both_identifications_reach_the_same_optimum() {
    let a = check("three_marker", Identification::Marker);
    let b = check("three", Identification::StdLv);
    assert!((a.fit.chisq - b.fit.chisq).abs() < 1e-9);
    assert!((a.fit.srmr - b.fit.srmr).abs() < 1e-12);
    for (x, y) in a.parameters.iter().zip(&b.parameters) {
        assert!((x.std_all - y.std_all).abs() < 1e-8, "{x} {y}");
    }
}

#[test]
fn bad_models_and_data_are_typed_errors() {
    let data = structure_data::observations("holzinger_swineford.csv", None);
    let code = |syntax: &str, options: CfaOptions| -> String {
        match Model::parse(syntax) {
            Err(e) => e.code().to_owned(),
            Ok(model) => options
                .analyze(&model, &data)
                .map_or_else(|e| e.code().to_owned(), |_| "ok".to_owned()),
        }
    };
    let marker = CfaOptions::default();
    let std_lv = CfaOptions::default().identification(Identification::StdLv);
    assert_eq!(code("f =~ x1 + x2 + y7", marker), "unidentified_model");
    assert_eq!(
        code("f =~ x1 + x2 + x3\nx4 ~~ x1", marker),
        "unidentified_model"
    );
    assert_eq!(
        code("f =~ x1 + x2 + x3\ng =~ x4", std_lv),
        "unidentified_model"
    );
    assert_eq!(code("f =~ NA*x1 + x2 + x3", marker), "unidentified_model");
    assert_eq!(code("f =~ x1 + x2", marker), "unidentified_model");
    assert_eq!(code("f =~ x1 + x2 + x3\nf ~ x4", marker), "model_syntax");
    assert_eq!(code("f =~ x1 + x2 + x3", marker), "ok");
    // A variable that is an exact copy of another: the sample covariance is singular.
    let mut twin = Observations::new(["a", "b", "c", "d"]).expect("names");
    for i in 0..50u32 {
        let v = f64::from((i * 7) % 11);
        let w = f64::from((i * 3) % 5);
        twin.push_row(&[Some(v), Some(v), Some(w), Some(v + w)])
            .expect("row");
    }
    let err = marker
        .analyze(&Model::parse("f =~ a + b + c + d").expect("model"), &twin)
        .unwrap_err();
    assert_eq!(err.code(), "not_positive_definite");
    // Too few rows.
    let few = Observations::from_rows(["a", "b", "c"], [[Some(1.0), Some(2.0), Some(3.0)]])
        .expect("data");
    let err = marker
        .analyze(&Model::parse("f =~ a + b + c").expect("model"), &few)
        .unwrap_err();
    assert_eq!(err.code(), "too_few_rows");
}

#[test]
fn orthogonal_factors_list_their_fixed_covariances() {
    let data = structure_data::observations("holzinger_swineford.csv", None);
    let model = Model::parse("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6").expect("model");
    let fit = CfaOptions::default()
        .covariances(FactorCovariances::Orthogonal)
        .analyze(&model, &data)
        .expect("fit");
    let last = fit.parameters.last().expect("rows");
    assert_eq!(
        (last.lhs.as_str(), last.rhs.as_str()),
        ("visual", "textual")
    );
    assert_eq!((last.est, last.se, last.free), (0.0, 0.0, false));
    assert_eq!(fit.fit.df, 9);
    assert!(
        fit.warnings
            .iter()
            .all(|w| !matches!(w, CfaWarning::FactorCovarianceNotPositiveDefinite))
    );
    let free = CfaOptions::default().analyze(&model, &data).expect("fit");
    let test = ChiSquareDifference::analyze(&free, &fit).expect("nested");
    assert_eq!(test.df_diff, 1);
    assert!((test.chisq_diff - (fit.fit.chisq - free.fit.chisq)).abs() < 1e-12);
}
