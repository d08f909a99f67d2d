//! The growth model of issue 14 at full size: 10,000 clients x 12 sessions (120,000 rows),
//! regenerated here bit for bit as `tests/data/scripts/mixed_simulate.py --large` writes it
//! (splitmix64 draws, a normal deviate as 12 uniforms minus 6, values with 2 decimals), against
//! lme4 1.1-31 and lmerTest 3.1-3 fitted with bobyqa at rhoend 1e-12 and polished at 1e-14
//! (`tests/data/scripts/mixed_lme4.R --large`, `tests/data/mixed_large.json`; R's optimum is
//! defined to about 1e-13 in theta). Tolerances as the held-out checks: 1e-5 relative on
//! estimates, SEs and variance components, 1e-7 on the criteria, 1e-4 on the first 20 clients'
//! conditional modes and SDs, 1e-3 on Satterthwaite df.

use therapeutic_alliance::multilevel::{Estimation, MixedOptions, MixedTable};

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.uniform();
        }
        s - 6.0
    }
}

/// The large growth table, as the script writes it and R reads it.
pub fn large_table() -> MixedTable {
    let mut rng = Rng(1_420_263);
    let mut rows = Vec::with_capacity(120_000);
    for i in 1..=10_000u32 {
        let (z0, z1) = (rng.normal(), rng.normal());
        let b0 = 6.0 * z0;
        let b1 = 0.8 * (0.35 * z0 + 0.936_749_699_759_759_7 * z1);
        for s in 1..=12u32 {
            let e = 4.0 * rng.normal();
            let _missed = rng.uniform() < 0.0;
            let y = 40.0 + b0 + (-1.2 + b1) * f64::from(s) + e;
            let y: f64 = format!("{y:.2}").parse().expect("number");
            rows.push((format!("c{i}"), y, vec![f64::from(s)]));
        }
    }
    MixedTable::from_rows("client", "score", &["session"], rows).expect("valid")
}

fn close(what: &str, got: f64, want: f64, tol: f64) -> f64 {
    let rel = (got - want).abs() / want.abs();
    assert!(
        rel <= tol,
        "{what}: got {got}, want {want} ({rel:e} > {tol:e})"
    );
    rel
}

#[test]
fn ten_thousand_clients_agree_with_lme4() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mixed_large.json"
    ))
    .expect("reference");
    let r: serde_json::Value = serde_json::from_str(&text).expect("json");
    let table = large_table();
    assert_eq!(table.len(), 120_000);
    for (case, estimation) in [
        ("growth_large_reml", Estimation::Reml),
        ("growth_large_ml", Estimation::Ml),
    ] {
        let want = &r[case]["result"];
        let num = |v: &serde_json::Value| v.as_f64().expect("number");
        let started = std::time::Instant::now();
        let m = MixedOptions::new()
            .fixed(["session"])
            .slope("session")
            .estimation(estimation)
            .analyze(&table)
            .expect("fit");
        let elapsed = started.elapsed();
        eprintln!("{case}: {:?} in {elapsed:?}", m.convergence);
        let mut worst = [0.0_f64; 5];
        for (got, w) in m.fixed.iter().zip(want["fixed"].as_array().expect("fixed")) {
            worst[0] = worst[0]
                .max(close("estimate", got.estimate, num(&w["estimate"]), 1e-5))
                .max(close("se", got.se, num(&w["se"]), 1e-5));
            worst[3] = worst[3].max(close("df", got.df.expect("df"), num(&w["df"]), 1e-3));
        }
        for (got, w) in m
            .varcor
            .iter()
            .zip(want["varcor"].as_array().expect("varcor"))
        {
            worst[1] = worst[1]
                .max(close("vcov", got.vcov, num(&w["vcov"]), 1e-5))
                .max(close("sdcor", got.sdcor, num(&w["sdcor"]), 1e-5));
        }
        let (got, key) = match estimation {
            Estimation::Reml => (m.reml_criterion, "reml_criterion"),
            _ => (m.deviance, "deviance"),
        };
        worst[2] = close(key, got.expect("criterion"), num(&want[key]), 1e-7);
        for w in want["ranef"].as_array().expect("ranef") {
            let level = w["level"].as_str().expect("level");
            let g = m.ranef.iter().find(|g| g.level == level).expect("level");
            for (term, v) in w["values"].as_object().expect("values") {
                worst[4] = worst[4].max(close("mode", g.values[term], num(v), 1e-4));
            }
            for (term, v) in w["cond_sd"].as_object().expect("cond_sd") {
                worst[4] = worst[4].max(close("cond sd", g.cond_sd[term], num(v), 1e-4));
            }
        }
        let theta_gap = m
            .convergence
            .theta
            .iter()
            .zip(want["theta"].as_array().expect("theta"))
            .map(|(a, b)| (a - num(b)).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{case}: estimates/SEs {:.1e}, variance components {:.1e}, criterion {:.1e}, df {:.1e}, modes/SDs {:.1e}; theta off {theta_gap:.1e}; {:?}; fitted in {elapsed:?}",
            worst[0], worst[1], worst[2], worst[3], worst[4], m.convergence
        );
    }
}
