//! Client-therapist agreement on parallel forms, worked by hand.

use therapeutic_alliance::matrix::ResponseMatrix;
use therapeutic_alliance::reliability::{Agreement, IccForm, IccTable};
use therapeutic_alliance::{Instrument, MissingRule, Rater, ResponseScale, TotalRule};

fn form(id: &str, rater: Rater) -> Instrument {
    Instrument::builder(id, id, ResponseScale::likert(1, 5, []).expect("scale"))
        .rater(rater)
        .items(["1", "2"])
        .missing(MissingRule::at_least_items(1).expect("rule"))
        .total(TotalRule::OverItems)
        .build()
        .expect("valid")
}

#[test]
fn agreement_by_hand() -> Result<(), Box<dyn std::error::Error>> {
    let client = ResponseMatrix::from_rows(
        &form("mini-client", Rater::Client),
        [
            [Some(5.0), Some(4.0)],
            [Some(3.0), Some(3.0)],
            [Some(2.0), None],
            [Some(4.0), Some(5.0)],
        ],
    )?;
    let therapist = ResponseMatrix::from_rows(
        &form("mini-therapist", Rater::Therapist),
        [
            [Some(4.0), Some(4.0)],
            [Some(3.0), Some(2.0)],
            [Some(2.0), Some(1.0)],
            [None, None],
        ],
    )?;
    let a = Agreement::parallel_forms(&client, &therapist)?;
    // Totals (sums over items, prorated over the two items): client 9, 6, 4 (2 x 2); therapist
    // 8, 5, 3; the fourth session has no therapist score.
    let total = &a.targets[0];
    assert_eq!(total.target, "total");
    assert_eq!(total.pairs, 3);
    assert_eq!(total.client_mean, Some(19.0 / 3.0));
    assert_eq!(total.therapist_mean, Some(16.0 / 3.0));
    assert_eq!(total.mean_difference, Some(19.0 / 3.0 - 16.0 / 3.0));
    // Perfectly parallel (therapist = client - 1): r = 1, consistency 1.
    assert!((total.correlation.ok_or("r")? - 1.0).abs() < 1e-12);
    let icc = IccTable::analyze([[9.0, 8.0], [6.0, 5.0], [4.0, 3.0]])?;
    assert_eq!(total.icc_agreement, Some(icc.get(IccForm::Icc2).icc));
    assert_eq!(total.icc_consistency, Some(icc.get(IccForm::Icc3).icc));
    assert!((icc.get(IccForm::Icc3).icc - 1.0).abs() < 1e-12);
    // Item 1: pairs (5,4), (3,3), (2,2): exact 2/3, |d| mean 1/3. Item 2: (4,4), (3,2): 1/2, 1/2.
    assert_eq!(a.items[0].pairs, 3);
    assert_eq!(a.items[0].exact, Some(2.0 / 3.0));
    assert_eq!(a.items[0].mean_absolute_difference, Some(1.0 / 3.0));
    assert_eq!(a.items[1].exact, Some(0.5));
    assert_eq!(a.items[1].mean_absolute_difference, Some(0.5));
    // Different numbers of sessions are refused.
    let short = ResponseMatrix::from_rows(&form("mini-therapist", Rater::Therapist), [[None; 2]])?;
    assert_eq!(
        Agreement::parallel_forms(&client, &short)
            .unwrap_err()
            .code(),
        "wrong_length"
    );
    Ok(())
}
