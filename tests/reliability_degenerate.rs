//! Degenerate data gives a typed error naming what is wrong, never a NaN passed along.

use therapeutic_alliance::matrix::ResponseMatrix;
use therapeutic_alliance::reliability::{MissingData, ReliabilityOptions};
use therapeutic_alliance::{Instrument, Item, ResponseScale, TotalRule, catalog};

fn three_items() -> Instrument {
    Instrument::builder(
        "three",
        "Three",
        ResponseScale::likert(1, 5, []).expect("scale"),
    )
    .items([Item::new("a"), Item::new("b"), Item::new("c").reversed()])
    .total(TotalRule::OverItems)
    .build()
    .expect("valid")
}

fn rows(values: &[[Option<f64>; 3]]) -> ResponseMatrix {
    ResponseMatrix::from_rows(&three_items(), values).expect("valid rows")
}

#[test]
fn zero_variance_names_the_item() {
    let m = rows(&[
        [Some(3.0), Some(1.0), Some(2.0)],
        [Some(3.0), Some(4.0), Some(5.0)],
        [Some(3.0), Some(2.0), Some(1.0)],
    ]);
    let err = m.moments().reliability("total").unwrap_err();
    assert_eq!((err.code(), err.item()), ("zero_variance", Some("a")));
    assert_eq!(
        err.to_string(),
        "item a has no variance (every usable answer is the same)"
    );
}

#[test]
fn too_few_rows_items_and_pairs() {
    let one = rows(&[[Some(3.0), Some(1.0), Some(2.0)]]);
    assert_eq!(
        one.moments().reliability("total").unwrap_err().code(),
        "too_few_rows"
    );
    let empty = ResponseMatrix::new(&three_items());
    assert_eq!(
        empty.moments().reliability("total").unwrap_err().code(),
        "too_few_rows"
    );
    // Everything missing.
    let missing = rows(&[[None; 3], [None; 3], [None; 3]]);
    let err = missing.moments().reliability("total").unwrap_err();
    assert_eq!(err.code(), "too_few_rows", "{err}");
    // a and b never answered together.
    let apart = rows(&[
        [Some(1.0), None, Some(2.0)],
        [Some(3.0), None, Some(4.0)],
        [None, Some(2.0), Some(1.0)],
        [None, Some(5.0), Some(3.0)],
    ]);
    let err = apart.moments().reliability("total").unwrap_err();
    assert_eq!(
        err.to_string(),
        "items a and b are answered together in 0 row(s); a covariance needs at least 2"
    );
    // Listwise: no complete row.
    let err = ReliabilityOptions::default()
        .missing(MissingData::Listwise)
        .analyze(&apart.moments(), "total")
        .unwrap_err();
    assert_eq!(err.code(), "too_few_rows");
    // One-item subscales (the SRS) have no alpha.
    let srs = catalog::require("srs").expect("catalog");
    let m = ResponseMatrix::from_rows(&srs, [[Some(5.0); 4], [Some(6.0); 4]]).expect("valid");
    let err = m.moments().reliability("bond").unwrap_err();
    assert_eq!(
        err.to_string(),
        "bond has 1 item(s); alpha needs at least 2"
    );
    // An unknown subscale.
    assert_eq!(
        m.moments().reliability("trust").unwrap_err().code(),
        "unknown_target"
    );
}

#[test]
fn two_items_give_alpha_and_no_omega() {
    let inst = Instrument::builder(
        "two",
        "Two",
        ResponseScale::likert(1, 5, []).expect("scale"),
    )
    .items(["a", "b"])
    .total(TotalRule::OverItems)
    .build()
    .expect("valid");
    let m = ResponseMatrix::from_rows(
        &inst,
        [
            [Some(1.0), Some(2.0)],
            [Some(3.0), Some(3.0)],
            [Some(5.0), Some(4.0)],
            [Some(2.0), Some(1.0)],
        ],
    )
    .expect("valid");
    let rel = m
        .moments()
        .reliability("total")
        .expect("two items have an alpha");
    assert!(rel.raw_alpha.is_finite());
    assert_eq!(rel.omega, None);
    assert_eq!(rel.if_dropped.len(), 2);
    assert_eq!(rel.if_dropped[0].ase, None);
    let split = rel.split_half.expect("one split");
    assert_eq!(split.splits, 1);
}

#[test]
fn icc_refuses_tables_without_an_icc() {
    use therapeutic_alliance::reliability::IccTable;
    for rows in [
        vec![vec![4.0, 4.0], vec![4.0, 4.0]],
        vec![vec![1.0, 2.0], vec![1.0, 2.0]],
        vec![vec![1e200, 1.0], vec![2.0, 1e200], vec![3.0, 4.0]],
        vec![vec![1e-320, 0.0], vec![0.0, 1e-320]],
    ] {
        let err = IccTable::analyze(&rows).unwrap_err();
        assert_eq!(err.code(), "invalid_table", "{rows:?}");
    }
}
