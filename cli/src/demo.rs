//! `alliance demo`: the seed's story of one client, Sarah: 12 weekly sessions of CBT for
//! anxiety, client and therapist forms, scored session by session, the session monitor's events
//! in words with the practice and a prompt for each, and a picture of the course.

use std::fmt::Write as _;
use std::path::PathBuf;

use therapeutic_alliance::change::{
    Messages, MonitorOptions, RuptureOptions, Series, SessionMonitor, Severity,
};
use therapeutic_alliance::plot::{PlotOptions, PlotRuptures};
use therapeutic_alliance::{
    Administration, Component, Date, Instrument, Metric, Target, TargetScore, catalog,
};

use crate::Failure;
use crate::output;

/// Sarah's 12 sessions of CBT for anxiety: scores, the monitor's words, a picture.
///
/// Tells the story of one client, Sarah (client demo-01): hesitant at first, a dip in the
/// middle, trust growing with regular progress talks. Prints a session-by-session report of her
/// 12 weekly sessions of CBT for anxiety: each session's client and therapist forms (cbt-client,
/// cbt-therapist) with the goals, collaboration and bond sums, the total, its percent of maximum
/// (POMP) and any flags (a prorated score, an item left unanswered and scored under the
/// missing-item rule, is marked *); then what the session monitor said after each session of her
/// client form, in words, with one of the four alliance-building practices and a sentence to
/// say or ask in session; and writes a picture of the course (SVG) to a file it names. The data
/// are invented for this example (cli/data/cbt_anxiety.csv).
#[derive(clap::Args)]
pub struct Args {
    /// Write the picture of the course to FILE (default: alliance-demo-sarah.svg in the
    /// system's temporary directory)
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// The language of the monitor's words: en (default) or de
    #[arg(long, value_name = "TAG")]
    language: Option<String>,
}

/// One client's 12 weekly sessions of CBT for anxiety, client and therapist forms: the client's
/// alliance starts hesitant and grows as goals are agreed and progress is reviewed each session.
/// Invented data, written for this example.
const DEMO: &str = include_str!("../data/cbt_anxiety.csv");

pub fn run(args: Args) -> Result<(), Failure> {
    let messages = match args.language.as_deref().map(str::trim) {
        None => Messages::english(),
        Some(tag) => Messages::for_language(tag)
            .ok_or_else(|| Failure::usage(format!("--language must be en or de, not {tag:?}")))?,
    };
    let svg = args
        .svg
        .unwrap_or_else(|| std::env::temp_dir().join("alliance-demo-sarah.svg"));
    output::print(&report(&messages, &svg)?)
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

fn report(messages: &Messages, svg: &std::path::Path) -> Result<String, Failure> {
    let client_form = catalog::require("cbt-client")?;
    let therapist_form = catalog::require("cbt-therapist")?;
    let rows = sessions(&client_form, &therapist_form)?;
    let scale = client_form.scale();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Sarah (client demo-01), CBT for anxiety with therapist t-01, 12 weekly sessions: hesitant at\n\
         first, a dip in the middle, trust growing as goals are agreed and progress is talked over\n\
         each session. The data are invented for this demo.\n\n\
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
    // This demo's rupture rule, the same for the monitor and the picture: the total 5 points or
    // more below its level, back within 3 sessions (the form states no rupture amount).
    let rupture = RuptureOptions::points(5.0)?;
    monitor_story(&mut out, &client_form, &rows, messages, &rupture)?;
    let clients: Vec<&Administration> = rows.iter().map(|(c, _)| c).collect();
    let series = Series::from_administrations(clients)?;
    let picture = PlotOptions::new()
        .title("Sarah (demo-01): alliance, client form (cbt-client)")?
        .ruptures(PlotRuptures::Detect(rupture))
        .svg(&series)?;
    std::fs::write(svg, picture)
        .map_err(|e| Failure::run(format!("cannot write {}: {e}", svg.display())))?;
    let _ = writeln!(
        out,
        "\nThe picture of the course (client form, SVG): {}",
        svg.display()
    );
    Ok(out)
}

/// What the session monitor said after each of Sarah's sessions (client form): the summary line,
/// each event in words, and above info the practice and the prompt.
fn monitor_story(
    out: &mut String,
    client_form: &Instrument,
    rows: &[(Administration, Administration)],
    messages: &Messages,
    rupture: &RuptureOptions,
) -> Result<(), Failure> {
    // This demo's setting: a change of the total by 3 points or more either way is news (the
    // form states no reliable-change amount).
    let options = MonitorOptions::for_instrument(client_form)
        .drop_points(3.0)?
        .rupture(Some(*rupture));
    let mut monitor = SessionMonitor::new(client_form, options).with_messages(messages.clone());
    let _ = writeln!(
        out,
        "\nThe session monitor on Sarah's client form, after each session: the severity, what happened\n\
         (in this demo a change of the total by 3 points or more either way is news, and a fall of 5 or\n\
         more below its level a rupture), and above info one of the four alliance-building practices\n\
         with a sentence to say or ask in session:"
    );
    for (client, _) in rows {
        let seen = monitor.observe(client)?;
        let Some(summary) = &seen.summary else {
            let _ = writeln!(out, "\n  session {:>2}  (nothing to report)", seen.session);
            continue;
        };
        let _ = writeln!(
            out,
            "\n  session {:>2}  [{}] {}",
            seen.session,
            messages.severity(summary.severity),
            summary.message
        );
        for e in &seen.events {
            let _ = writeln!(
                out,
                "               - [{}] {}",
                messages.severity(e.severity),
                e.message
            );
        }
        if let (Some(practice), Some(prompt)) = (summary.practice, &summary.prompt)
            && summary.severity > Severity::Info
        {
            let _ = writeln!(
                out,
                "               practice: {} ({practice})\n               say or ask: \"{prompt}\"",
                messages.practice(practice)
            );
        }
    }
    Ok(())
}
