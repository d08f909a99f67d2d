//! A researcher's analysis: a CSV file of answers to the WAI-SR from a small study (two
//! sessions per client) is scored, the scale's reliability is estimated at the first session,
//! and the change from session 1 to session 2 is tested.
//!
//! ```text
//! cargo run --example research_analysis
//! ```

use therapeutic_alliance::change::SessionTable;
use therapeutic_alliance::csv::Layout;
use therapeutic_alliance::matrix::ResponseMatrix;
use therapeutic_alliance::{Target, catalog};

/// Invented answers: six clients at sessions 1 and 2, the WAI-SR's twelve items (1-5); `NA`
/// is unanswered, as R writes it.
const ANSWERS: &str = "\
id,session,1,2,3,4,5,6,7,8,9,10,11,12
c01,1,3,3,4,3,4,3,4,3,4,3,3,4
c01,2,4,4,4,4,5,4,4,4,5,4,4,4
c02,1,2,2,3,2,3,2,3,2,3,3,2,3
c02,2,3,3,3,3,3,3,4,3,3,3,3,3
c03,1,4,4,5,4,4,4,5,4,5,4,4,5
c03,2,4,5,5,4,5,4,5,5,5,4,5,5
c04,1,3,2,3,3,3,2,3,3,3,2,3,NA
c04,2,3,3,4,3,4,3,4,3,4,3,3,4
c05,1,2,3,2,2,3,2,2,3,2,2,3,2
c05,2,2,3,3,2,3,3,3,3,3,2,3,3
c06,1,5,4,5,5,4,5,5,4,5,5,4,5
c06,2,5,5,5,5,5,5,5,5,5,5,5,5
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wai = catalog::require("wai-sr")?;
    let layout = Layout::wide().session("session").missing("NA");
    let reader = layout.reader(ANSWERS.as_bytes(), &wai)?;

    // Score every row; keep the first sessions' answers for reliability and every total for
    // the change statistics.
    let mut first_sessions = ResponseMatrix::new(&wai);
    let mut totals = Vec::new();
    for row in reader {
        let row = row?;
        let adm = row.administration();
        if adm.session() == Some(1) {
            first_sessions.push_administration(adm)?;
        }
        let client = adm.client().unwrap_or_default().to_owned();
        let session = adm.session().unwrap_or_default();
        totals.push((client, session, adm.score().primary(Target::Total)));
    }

    // Cronbach's alpha and the item statistics, as R's psych::alpha reports them.
    let reliability = first_sessions.moments().reliability("total")?;
    println!(
        "WAI-SR at session 1 ({} clients): alpha {:.3}, 95% CI {:.3} to {:.3}",
        reliability.n_rows, reliability.raw_alpha, reliability.feldt.lower, reliability.feldt.upper
    );

    // The paired t test and effect sizes from session 1 to session 2.
    let change = SessionTable::from_rows(totals)?.pre_post(1, 2)?;
    println!(
        "total, session 1 -> 2: mean change {:+.2} (t = {:.2}, df = {}, p = {:.4}), d_z {:.2} \
         [{:.2}, {:.2}]",
        change.mean_diff,
        change.t,
        change.df,
        change.p,
        change.d_z,
        change.d_z_ci.lower,
        change.d_z_ci.upper
    );
    Ok(())
}
