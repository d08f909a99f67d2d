//! Known-answer tests of `structure::OmegaOptions` against psych 2.2.9 `omega(nfactors = 3)`
//! (with GPArotation 2022.10-2): the 15 bfi A, C and E items (`tests/data/structure_shared.json`,
//! pairwise correlations of `tests/data/bfi.csv`) and the held-out WAI-SR-shaped answers
//! (`tests/data/structure_heldout.json`). Issue 15 asks for 1e-5 on the bfi and 1e-4 on the
//! held-out data; since every step follows psych's own iterations and stopping rules (L-BFGS-B
//! for minres, varimax and GPFoblq at eps 1e-5), the test holds both to 1e-10 relative (measured: 1e-12 or better).

mod structure_data;

use therapeutic_alliance::structure::{Observations, OmegaHierarchical, OmegaOptions};

const TOLERANCE: f64 = 1e-10;

fn close(what: &str, ours: f64, theirs: f64) {
    let rel = ((ours - theirs) / theirs).abs();
    if std::env::var("SHOW").is_ok() {
        eprintln!("{what}: rel {rel:e}");
    }
    assert!(
        rel <= TOLERANCE,
        "{what}: ours {ours:e}, psych {theirs:e}, rel {rel:e}"
    );
}

fn compare(label: &str, ours: &OmegaHierarchical, theirs: &serde_json::Value) {
    close(
        &format!("{label} omega_h"),
        ours.omega_h,
        theirs["omega_h"].as_f64().expect("h"),
    );
    close(
        &format!("{label} omega_total"),
        ours.omega_total,
        theirs["omega_total"].as_f64().expect("t"),
    );
    close(
        &format!("{label} alpha"),
        ours.alpha,
        theirs["alpha"].as_f64().expect("a"),
    );
    let groups = theirs["omega_group"].as_array().expect("groups");
    assert_eq!(ours.groups.len(), groups.len());
    for (o, t) in ours.groups.iter().zip(groups) {
        assert_eq!(o.name, t["name"].as_str().expect("name"));
        for (k, v) in [
            ("total", o.total),
            ("general", o.general),
            ("group", o.group),
        ] {
            close(
                &format!("{label} {} {k}", o.name),
                v.expect("a value"),
                t[k].as_f64().expect(k),
            );
        }
    }
}

#[test]
fn bfi_omega_matches_psych() {
    let r = structure_data::json("structure_shared.json");
    let o = &r["omega"];
    let items: Vec<String> = o["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v.as_str().expect("item").to_owned())
        .collect();
    let data = structure_data::observations("bfi.csv", Some(items.as_slice()));
    let omega = OmegaOptions::new(3)
        .expect("options")
        .analyze(&data)
        .expect("omega");
    compare("bfi", &omega, o);
}

#[test]
fn held_out_omega_matches_psych() {
    let r = structure_data::json("structure_heldout.json");
    let items: Vec<String> = (1..=12).map(|j| format!("w{j}")).collect();
    let data = structure_data::observations("wai_sr_simulated.csv", Some(items.as_slice()));
    let omega = OmegaOptions::new(3)
        .expect("options")
        .analyze(&data)
        .expect("omega");
    compare("wai", &omega, &r["omega"]);
}

#[test]
fn too_few_items_or_factors_are_errors() {
    assert_eq!(OmegaOptions::new(1).unwrap_err().code(), "invalid_option");
    let data = Observations::from_rows(["a", "b", "c"], [[Some(1.0), Some(2.0), Some(3.0)]])
        .expect("data");
    let err = OmegaOptions::new(2)
        .expect("options")
        .analyze(&data)
        .unwrap_err();
    assert_eq!(err.code(), "too_few_items");
}
