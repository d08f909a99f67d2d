//! Unit tests of reliable change, worked by hand.

use super::*;

fn rows(data: &[(&str, f64, f64)]) -> Vec<ChangeRow> {
    data.iter()
        .map(|&(id, x, y)| ChangeRow::new(id, Some(x), Some(y)))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// Four people, pre 10, 20, 30, 40 (mean 25, SD sqrt(500 / 3)), lower is better.
fn four() -> Vec<ChangeRow> {
    rows(&[
        ("a", 10.0, 8.0),
        ("b", 20.0, 10.0),
        ("c", 30.0, 35.0),
        ("d", 40.0, 15.0),
    ])
}

#[test]
fn jacobson_truax_by_hand() -> Result<()> {
    let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.75, Better::Lower)?
        .analyze(four())?;
    let sd = (500.0f64 / 3.0).sqrt();
    let sem = sd * 0.5;
    let s_diff = (2.0 * sem * sem).sqrt();
    assert!(close(r.pre_mean, 25.0) && close(r.pre_sd, sd));
    assert!(close(r.se_measurement, sem) && close(r.se, s_diff));
    // Cutoff a: 25 - 2 SD = 25 - 25.82 = -0.82: nobody ends below it.
    assert!(close(r.cutoff.value, 25.0 - 2.0 * sd));
    let rcis: Vec<f64> = r.people.iter().map(|p| p.rci).collect();
    for (got, change) in rcis.iter().zip([-2.0, -10.0, 5.0, -25.0]) {
        assert!(close(*got, change / s_diff));
    }
    // s_diff = 9.13, so a reliable change exceeds 1.96 x 9.13 = 17.9: only -25.
    let cats: Vec<ChangeCategory> = r.people.iter().map(|p| p.category).collect();
    use ChangeCategory::*;
    assert_eq!(cats, [Unchanged, Unchanged, Unchanged, Improved]);
    assert_eq!(
        (r.counts.improved, r.counts.unchanged, r.counts.total()),
        (1, 3, 4)
    );
    Ok(())
}

#[test]
fn regression_based_indices_by_hand() -> Result<()> {
    let sd = (500.0f64 / 3.0).sqrt();
    let (m_pre, m_post, rel) = (25.0, 17.0, 0.75);
    let se_pred = sd * (1.0f64 - rel * rel).sqrt();
    let sem = sd * 0.5;
    for (method, want) in [
        (
            RciMethod::GulliksenLordNovick,
            ((35.0 - m_pre) - rel * (30.0 - m_pre)) / se_pred,
        ),
        (
            RciMethod::HsuLinnLord,
            ((35.0 - m_post) - rel * (30.0 - m_pre)) / se_pred,
        ),
        (
            RciMethod::EdwardsNunnally,
            (35.0 - (rel * (30.0 - m_pre) + m_pre)) / sem,
        ),
        (
            RciMethod::NunnallyKotsch,
            (35.0 - (rel * (30.0 - m_pre) + m_pre))
                / (rel * rel * sd * sd * (1.0 - rel) + sd * sd * (1.0 - 0.6)).sqrt(),
        ),
    ] {
        let r = ReliableChangeOptions::new(method, rel, Better::Lower)?
            .post_reliability(0.6)?
            .analyze(four())?;
        assert!(
            close(r.people[2].rci, want),
            "{method}: {} vs {want}",
            r.people[2].rci
        );
        assert_eq!(
            r.post_reliability.is_some(),
            method == RciMethod::NunnallyKotsch
        );
    }
    Ok(())
}

#[test]
fn direction_flips_categories() -> Result<()> {
    let data = rows(&[("a", 10.0, 30.0), ("b", 12.0, 12.0), ("c", 14.0, 13.0)]);
    let lower = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Lower)?
        .analyze(data.clone())?;
    let higher =
        ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Higher)?.analyze(data)?;
    assert_eq!(lower.people[0].rci, higher.people[0].rci);
    assert!(matches!(
        lower.people[0].category,
        ChangeCategory::Deteriorated | ChangeCategory::Harmed
    ));
    assert!(matches!(
        higher.people[0].category,
        ChangeCategory::Improved | ChangeCategory::Recovered
    ));
    Ok(())
}

#[test]
fn cutoffs_by_hand() -> Result<()> {
    // Pre mean 25, SD sqrt(500 / 3) = 12.91; functional mean 8, SD 4; lower is better.
    let sd = (500.0f64 / 3.0).sqrt();
    let base = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?
        .functional(8.0, 4.0)?;
    let a = base.clone().analyze(four())?.cutoff.value;
    assert!(close(a, 25.0 - 2.0 * sd));
    let b = base.clone().cutoff(CutoffType::B).analyze(four())?.cutoff;
    assert!(close(b.value, 8.0 + 2.0 * 4.0));
    assert_eq!(b.b_sd, CutoffBSd::Functional);
    let b_peer = base
        .clone()
        .cutoff(CutoffType::B)
        .cutoff_b_sd(CutoffBSd::Clinical)
        .analyze(four())?;
    assert!(close(b_peer.cutoff.value, 8.0 + 2.0 * sd));
    let c = base
        .clone()
        .cutoff(CutoffType::C)
        .analyze(four())?
        .cutoff
        .value;
    assert!(close(c, (sd * 8.0 + 4.0 * 25.0) / (sd + 4.0)));
    // A given clinical population moves the cutoff only.
    let given = base.clinical(30.0, 5.0)?.analyze(four())?;
    assert!(close(given.cutoff.value, 20.0) && !given.cutoff.clinical_from_sample);
    assert!(close(given.pre_sd, sd));
    // Higher is better: the cutoffs move the other way.
    let up = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Higher)?
        .functional(40.0, 4.0)?
        .cutoff(CutoffType::B)
        .analyze(four())?;
    assert!(close(up.cutoff.value, 32.0));
    Ok(())
}

#[test]
fn recovered_and_harmed_need_the_crossing() -> Result<()> {
    // Cutoff c with functional mean 5, SD 5 and clinical mean 25, SD 12.9: about 10.6.
    let data = rows(&[
        ("rec", 30.0, 5.0),  // clinical -> functional, reliable
        ("imp", 40.0, 20.0), // reliable, still clinical
        ("harm", 5.0, 30.0), // functional -> clinical, reliable
        ("det", 25.0, 45.0), // reliable worsening, clinical throughout
        ("same", 25.0, 24.0),
    ]);
    let r = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Lower)?
        .functional(5.0, 5.0)?
        .cutoff(CutoffType::C)
        .analyze(data)?;
    use ChangeCategory::*;
    let cats: Vec<ChangeCategory> = r.people.iter().map(|p| p.category).collect();
    assert_eq!(cats, [Recovered, Improved, Harmed, Deteriorated, Unchanged]);
    assert_eq!(
        (
            r.counts.recovered,
            r.counts.improved,
            r.counts.unchanged,
            r.counts.deteriorated,
            r.counts.harmed
        ),
        (1, 1, 1, 1, 1)
    );
    Ok(())
}

#[test]
fn hageman_arrindell_by_hand() -> Result<()> {
    let data = four();
    let r = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.75, Better::Lower)?
        .analyze(data)?;
    let (x, y) = ([10.0, 20.0, 30.0, 40.0], [8.0, 10.0, 35.0, 15.0]);
    let (mx, my) = (25.0, 17.0);
    let sx = (500.0f64 / 3.0).sqrt();
    let sy = (y.iter().map(|v| (v - my) * (v - my)).sum::<f64>() / 3.0).sqrt();
    let cov = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / 3.0;
    let sem = sx * 0.5;
    let (r1, r2) = (1.0 - sem * sem / (sx * sx), 1.0 - sem * sem / (sy * sy));
    let r_dd = (sx * sx * r1 + sy * sy * r2 - 2.0 * cov) / (sx * sx + sy * sy - 2.0 * cov);
    let ha = r
        .hageman_arrindell
        .ok_or_else(|| invalid_data("no HA".into()))?;
    assert!(close(ha.reliability_difference, r_dd));
    assert!(close(ha.pre_post_correlation, cov / (sx * sy)));
    let se = r_dd.sqrt() * (2.0 * sem * sem).sqrt();
    assert!(close(r.se, se));
    for (p, (a, b)) in r.people.iter().zip(x.iter().zip(y)) {
        assert!(close(
            p.rci,
            ((b - a) * r_dd + (my - mx) * (1.0 - r_dd)) / se
        ));
        let cs = (my + (b - my) * r2 - r.cutoff.value) / (r2.sqrt() * sem);
        assert!(close(p.cs_index.unwrap_or(f64::NAN), cs));
    }
    // The true cutoff a: two true-score SDs (SD sqrt(r)) below the clinical mean.
    assert!(close(r.cutoff.value, mx - 2.0 * sx * r1.sqrt()));
    assert!(r.cutoff.true_score);
    // One-tailed: 1.645 at .05.
    assert!(close(r.critical_value, 1.6448536269514722));
    Ok(())
}

#[test]
fn hageman_arrindell_harmed_needs_the_cs_index() -> Result<()> {
    // Functional mean 5, SD 5: the true cutoff c is 7.81. "f" starts functional (0) and
    // ends at 12, past the cutoff: reliably worse (RCI 2.14 > 1.645) but, by the CS index
    // (1.36), not reliably clinical: deteriorated (clinicalsignificance's cs_combined()
    // calls it harmed: HaCategories::CsCombined). "g" starts at 2 and ends at 40: harmed.
    let data = rows(&[
        ("f", 0.0, 12.0),
        ("g", 2.0, 40.0),
        ("h", 30.0, 8.0),
        ("i", 35.0, 30.0),
        ("j", 28.0, 27.0),
        ("k", 40.0, 10.0),
    ]);
    let r = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.95, Better::Lower)?
        .functional(5.0, 5.0)?
        .cutoff(CutoffType::C)
        .analyze(data)?;
    let crit = r.critical_value;
    let f = &r.people[0];
    assert!(-f.rci < -crit, "f must deteriorate reliably: rci {}", f.rci);
    assert!(f.pre < r.cutoff.value && f.post > r.cutoff.value);
    assert!(f.cs_index.is_some_and(|cs| -cs >= -crit));
    assert_eq!(f.category, ChangeCategory::Deteriorated);
    assert_eq!(r.people[1].category, ChangeCategory::Harmed);
    Ok(())
}

#[test]
fn incomplete_rows_are_dropped_and_reported() -> Result<()> {
    let data = vec![
        ChangeRow::new("1", Some(20.0), Some(10.0)),
        ChangeRow::new("2", None, Some(10.0)),
        ChangeRow::new("3", Some(25.0), Some(20.0)),
        ChangeRow::new("4", Some(22.0), None),
    ];
    let r =
        ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?.analyze(data)?;
    assert_eq!((r.n_used, r.n_dropped), (2, 2));
    assert_eq!(r.dropped, ["2", "4"]);
    assert_eq!(
        r.people.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["1", "3"]
    );
    Ok(())
}

#[test]
fn bad_options_are_typed_errors() -> Result<()> {
    use RciMethod::*;
    for r in [0.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        let e = ReliableChangeOptions::new(JacobsonTruax, r, Better::Lower).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::InvalidOption {
                    option: "reliability",
                    ..
                }
            ),
            "{e}"
        );
    }
    let e = ReliableChangeOptions::new(JacobsonTruax, 1.0, Better::Lower).unwrap_err();
    assert_eq!(
        e.to_string(),
        "reliability 1: the jt reliable change index divides by 0 at reliability 1; give a reliability below 1"
    );
    assert!(ReliableChangeOptions::new(NunnallyKotsch, 1.0, Better::Lower).is_ok());
    let base = ReliableChangeOptions::new(JacobsonTruax, 0.8, Better::Lower)?;
    for alpha in [0.0, 0.5, 1.0, f64::NAN] {
        assert!(base.clone().significance(alpha).is_err());
    }
    let e = base.clone().functional(f64::NAN, 1.0).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::InvalidOption {
            option: "functional mean",
            ..
        }
    ));
    let e = base.clone().clinical(1.0, -1.0).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::InvalidOption {
            option: "clinical SD",
            ..
        }
    ));
    assert!(base.clone().post_reliability(0.0).is_err());
    let e = base
        .clone()
        .cutoff(CutoffType::C)
        .analyze(four())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cutoff type c: needs the functional population's mean and SD (ReliableChangeOptions::functional)"
    );
    // NK with both reliabilities 1 has a zero standard error.
    let e = ReliableChangeOptions::new(NunnallyKotsch, 1.0, Better::Lower)?
        .analyze(four())
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::InvalidOption {
            option: "post reliability",
            ..
        }
    ));
    let nk = ReliableChangeOptions::new(NunnallyKotsch, 1.0, Better::Lower)?
        .post_reliability(0.7)?
        .analyze(four())?;
    assert!(nk.se > 0.0);
    // HA: a functional SD below the measurement error has no true-score spread.
    let e = ReliableChangeOptions::new(HagemanArrindell, 0.8, Better::Lower)?
        .functional(5.0, 1.0)?
        .cutoff(CutoffType::C)
        .analyze(four())
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::InvalidOption {
                option: "functional SD",
                ..
            }
        ),
        "{e}"
    );
    Ok(())
}

#[test]
fn bad_data_are_typed_errors() -> Result<()> {
    let jt = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?;
    let e = jt.analyze(rows(&[("a", 1.0, 2.0)])).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::TooFewRows {
            rows: 1,
            needed: 2,
            ..
        }
    ));
    let e = jt
        .analyze(vec![
            ChangeRow::new("a", Some(1.0), Some(2.0)),
            ChangeRow::new("b", None, None),
        ])
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooFewRows { rows: 1, .. }));
    let e = jt
        .analyze(rows(&[("a", 1.0, 2.0), ("b", f64::NAN, 3.0)]))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "row 2, column \"pre\": pre-test score NaN is not a finite number"
    );
    let e = jt
        .analyze(vec![ChangeRow::new("a", None, Some(f64::INFINITY))])
        .unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(1), Some("post")));
    let e = jt
        .analyze(rows(&[("a", 1.0, 2.0), ("b", 2.0, 3.0), ("a", 3.0, 3.0)]))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "row 3, column \"id\": the client id is given again (first in row 1)"
    );
    let e = jt
        .analyze(rows(&[("a", 1.0, 2.0), (" b", 2.0, 3.0)]))
        .unwrap_err();
    assert_eq!((e.code(), e.row()), ("invalid_text", Some(2)));
    let e = jt
        .analyze(rows(&[("a", 5.0, 2.0), ("b", 5.0, 3.0)]))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_table");
    let e = jt
        .analyze(rows(&[("a", 1e300, 2.0), ("b", -1e300, 3.0)]))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.row(), e.column()),
        ("extreme_value", Some(1), Some("pre"))
    );
    let ha = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.8, Better::Lower)?;
    // Post-test scores that do not vary.
    assert!(
        ha.analyze(rows(&[("a", 1.0, 2.0), ("b", 5.0, 2.0), ("c", 3.0, 2.0)]))
            .is_err()
    );
    // Everyone changes by the same amount.
    let e = ha
        .analyze(rows(&[("a", 1.0, 2.0), ("b", 5.0, 6.0), ("c", 3.0, 4.0)]))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_table");
    // Post-test SD below the measurement error.
    let e = ha
        .analyze(rows(&[("a", 1.0, 3.0), ("b", 50.0, 3.1), ("c", 20.0, 3.0)]))
        .unwrap_err();
    assert!(e.to_string().contains("post-test SD"), "{e}");
    Ok(())
}

#[test]
fn critical_values_are_normal_quantiles() -> Result<()> {
    let jt = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?;
    // R: qnorm(0.975), qnorm(0.995), qnorm(0.95).
    assert!(close(jt.critical_value(), 1.959963984540054));
    assert!(close(
        jt.significance(0.01)?.critical_value(),
        2.5758293035489004
    ));
    let ha = ReliableChangeOptions::new(RciMethod::HagemanArrindell, 0.8, Better::Lower)?;
    assert!(close(ha.critical_value(), 1.6448536269514722));
    Ok(())
}

#[test]
fn vocabularies_round_trip() -> Result<()> {
    for m in RciMethod::ALL {
        assert_eq!(m.name().parse::<RciMethod>()?, *m);
        assert!(!m.citation().is_empty());
    }
    for c in ChangeCategory::ALL {
        assert_eq!(c.to_string().parse::<ChangeCategory>()?, *c);
    }
    let e = "JT".parse::<RciMethod>().unwrap_err();
    assert!(e.to_string().contains("lowercase"), "{e}");
    Ok(())
}
