//! `alliance demo`: one client's 12 weekly sessions of CBT for anxiety, client and therapist
//! forms, scored session by session.

use std::fmt::Write as _;

use therapeutic_alliance::{
    Administration, Component, Date, Instrument, Metric, Target, TargetScore, catalog,
};

use crate::Failure;
use crate::output;

/// One client's 12 sessions of CBT for anxiety, scored session by session.
///
/// Prints a session-by-session report for one client's 12 weekly sessions of CBT for anxiety: each
/// session's client and therapist forms (cbt-client, cbt-therapist) with the goals, collaboration
/// and bond sums, the total, its percent of maximum (POMP) and any flags. A prorated score (an item
/// left unanswered, scored under the missing-item rule) is marked *. The data are invented for
/// this example (cli/data/cbt_anxiety.csv).
#[derive(clap::Args)]
pub struct Args {}

/// One client's 12 weekly sessions of CBT for anxiety, client and therapist forms: the client's
/// alliance starts hesitant and grows as goals are agreed and progress is reviewed each session.
/// Invented data, written for this example.
const DEMO: &str = include_str!("../data/cbt_anxiety.csv");

pub fn run(_: Args) -> Result<(), Failure> {
    output::print(&report()?)
}

/// The session rows of the demo data, as (client form, therapist form) pairs.
fn sessions(
    client_form: &Instrument,
    therapist_form: &Instrument,
) -> Result<Vec<(Administration, Administration)>, Failure> {
    let mut reader = csv::ReaderBuilder::new().from_reader(DEMO.as_bytes());
    let mut rows = Vec::new();
    let mut pending: Option<Administration> = None;
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Failure::run(format!("demo data: {e}")))?;
        let line = n + 2;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let session: u32 = field(0)
            .parse()
            .map_err(|_| Failure::run(format!("demo data line {line}: bad session")))?;
        let date: Date = field(1).parse()?;
        let form = match field(2) {
            "client" => client_form,
            "therapist" => therapist_form,
            other => {
                return Err(Failure::run(format!(
                    "demo data line {line}: unknown rater {other:?}"
                )));
            }
        };
        let mut builder = Administration::builder(form)
            .client("demo-01")
            .therapist("t-01")
            .session(session)
            .date(date);
        for i in 1..=12 {
            let cell = field(2 + i);
            if !cell.is_empty() {
                builder = builder.answer_text(&i.to_string(), cell)?;
            }
        }
        let adm = builder.build()?;
        match pending.take() {
            None => pending = Some(adm),
            Some(client) => rows.push((client, adm)),
        }
    }
    Ok(rows)
}

fn report() -> Result<String, Failure> {
    let client_form = catalog::require("cbt-client")?;
    let therapist_form = catalog::require("cbt-therapist")?;
    let rows = sessions(&client_form, &therapist_form)?;
    let scale = client_form.scale();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "CBT for anxiety: client demo-01 with therapist t-01, 12 weekly sessions\n\
         Forms: {} and {} ({}-point scale, {} to {}); component sums 4-20, total 12-60.\n\
         These forms are new, unvalidated item sets written for this crate.\n",
        client_form.id(),
        therapist_form.id(),
        scale.points().unwrap_or(0),
        scale.anchors().first().map_or("", |a| a.label()),
        scale.anchors().last().map_or("", |a| a.label()),
    );
    let _ = writeln!(
        out,
        "session  date        rater      goals  collab   bond  total   POMP  flags"
    );
    for (client, therapist) in &rows {
        for adm in [client, therapist] {
            let scores = adm.score();
            let cell = |t: Target| match scores.get(t) {
                Some(TargetScore::Scored(s)) if s.is_prorated() => {
                    format!("{:.1}*", s.sum().get())
                }
                Some(TargetScore::Scored(s)) => format!("{} ", s.sum().get()),
                _ => "-  ".to_owned(),
            };
            let pomp = scores
                .value(Target::Total, Metric::Pomp)
                .map_or("-".to_owned(), |p| format!("{p:.0}"));
            let raised = scores.flags();
            let flags: Vec<&str> = raised.iter().map(|f| f.message()).collect();
            let _ = writeln!(
                out,
                "{:>7}  {:<10}  {:<9} {:>6} {:>7} {:>6} {:>6} {:>6}  {}",
                adm.session().map_or(String::new(), |s| s.to_string()),
                adm.date().map_or(String::new(), |d| d.to_string()),
                adm.instrument().rater(),
                cell(Component::Goals.into()),
                cell(Component::Collaboration.into()),
                cell(Component::Bond.into()),
                cell(Target::Total),
                pomp,
                flags.join("; ")
            );
        }
    }
    let total = |adm: &Administration| adm.score().primary(Target::Total);
    if let (Some((first, _)), Some((last, _))) = (rows.first(), rows.last())
        && let (Some(a), Some(b)) = (total(first), total(last))
    {
        let _ = writeln!(
            out,
            "\nClient total: {a} at session {} -> {b} at session {}.",
            first.session().unwrap_or(0),
            last.session().unwrap_or(0)
        );
    }
    let _ = writeln!(
        out,
        "* prorated: an item was left unanswered; the missing-item rule ({}) scores it.\n\
         Flags use this crate's convention for its unvalidated forms (total below 50% of maximum),\n\
         not a validated cutoff.",
        client_form.missing()
    );
    Ok(out)
}
