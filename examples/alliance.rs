//! `alliance`: a small command-line front end over the therapeutic-alliance library.
//!
//! ```text
//! cargo run --example alliance -- demo
//! cargo run --example alliance -- instruments
//! cargo run --example alliance -- score --instrument wai-sr --csv answers.csv [--id id] [--output csv|json] [--metric sum|mean|pomp]
//! ```
//!
//! Errors print one line to stderr and exit with status 1 (2 for a usage error); bad input never
//! panics.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use therapeutic_alliance::{
    Administration, Component, Date, Instrument, Metric, PartScore, Target, catalog,
};

const USAGE: &str = "usage: alliance <command>

commands:
  demo                      one client's 12 sessions of CBT for anxiety, scored session by session
  instruments               the instrument catalog
  score --instrument ID --csv FILE [--id COLUMN] [--output csv|json] [--metric sum|mean|pomp]
                            score a wide CSV: one row per administration, an id column (default
                            `id`) and one column per item named by item id; an empty cell is an
                            unanswered item. Writes one row per input row: the id, each part's
                            score and the total (empty where the missing-item rule leaves it
                            unscored); the output's id column is always named `id`.
                            --metric defaults to the instrument's own rule (sum or mean).
  help                      this text";

/// What went wrong, and whether it was the command line itself.
enum Failure {
    Usage(String),
    Run(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Run(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("alliance: {msg} (run `alliance help` for usage)");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("alliance: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    let Some((command, rest)) = args.split_first() else {
        return Err(Failure::Usage("no command given".into()));
    };
    let out = match command.as_str() {
        "demo" => {
            no_more_args(rest)?;
            demo()?
        }
        "instruments" => {
            no_more_args(rest)?;
            instruments()
        }
        "score" => score(&ScoreArgs::parse(rest)?)?,
        "help" | "--help" | "-h" => format!("{USAGE}\n"),
        other => return Err(Failure::Usage(format!("unknown command {other:?}"))),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn no_more_args(rest: &[String]) -> Result<(), Failure> {
    match rest.first() {
        Some(a) => Err(Failure::Usage(format!("unexpected argument {a:?}"))),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// instruments

fn instruments() -> String {
    let mut out = format!(
        "{:<24} {:<9} {:<13} {:>5}  {:<22} {:<5} {}\n",
        "id", "rater", "modality", "items", "scale", "score", "confidence"
    );
    for inst in catalog::all() {
        let s = inst.scale();
        let scale = match s.points() {
            Some(_) => format!("{}-{}", s.min(), s.max()),
            None => format!("{}-{} by {}", s.min(), s.max(), s.step()),
        };
        let anchors = match (s.anchors().first(), s.anchors().last()) {
            (Some(a), Some(b)) if s.anchors().len() > 1 => format!(" {}..{}", a.label(), b.label()),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<24} {:<9} {:<13} {:>5}  {:<22} {:<5} {}",
            inst.id(),
            inst.rater(),
            inst.modality(),
            inst.items().len(),
            truncate(&format!("{scale}{anchors}"), 22),
            Metric::from(inst.scoring()).name(),
            inst.provenance().confidence()
        );
    }
    out.push_str(
        "\nPublished instruments ship their scoring keys only (item wording is copyrighted).\n\
         The cbt, psychodynamic and humanistic forms are new, unvalidated item sets written for this crate.\n",
    );
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

// ---------------------------------------------------------------------------------------------
// score

struct ScoreArgs {
    instrument: String,
    csv: String,
    id_column: String,
    output: Output,
    metric: Option<Metric>,
}

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Csv,
    Json,
}

impl ScoreArgs {
    fn parse(args: &[String]) -> Result<Self, Failure> {
        let (mut instrument, mut csv, mut id_column, mut output, mut metric) =
            (None, None, None, None, None);
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
            };
            let slot = match flag.as_str() {
                "--instrument" => &mut instrument,
                "--csv" => &mut csv,
                "--id" => &mut id_column,
                "--output" => &mut output,
                "--metric" => &mut metric,
                other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
            };
            if slot.replace(value()?).is_some() {
                return Err(Failure::Usage(format!("{flag} given twice")));
            }
        }
        let output = match output.as_deref() {
            None | Some("csv") => Output::Csv,
            Some("json") => Output::Json,
            Some(o) => {
                return Err(Failure::Usage(format!(
                    "--output must be csv or json, not {o:?}"
                )));
            }
        };
        let metric = match metric.as_deref() {
            None => None,
            Some("sum") => Some(Metric::Sum),
            Some("mean") => Some(Metric::Mean),
            Some("pomp") => Some(Metric::PercentOfMaximum),
            Some(m) => {
                return Err(Failure::Usage(format!(
                    "--metric must be sum, mean or pomp, not {m:?}"
                )));
            }
        };
        Ok(ScoreArgs {
            instrument: instrument
                .ok_or_else(|| Failure::Usage("--instrument is required".into()))?,
            csv: csv.ok_or_else(|| Failure::Usage("--csv is required".into()))?,
            id_column: id_column.unwrap_or_else(|| "id".to_owned()),
            output,
            metric,
        })
    }
}

/// Maps the CSV header onto the instrument: the id column's position and, for each column, the
/// item it holds (`None` for the id column).
fn map_header(
    header: &csv::StringRecord,
    inst: &Instrument,
    id_column: &str,
) -> Result<(usize, Vec<Option<usize>>), Failure> {
    let id_at = header
        .iter()
        .position(|name| name.trim() == id_column)
        .ok_or_else(|| Failure::Run(format!("the header has no id column {id_column:?}")))?;
    let mut columns = Vec::with_capacity(header.len());
    let mut seen = vec![false; inst.items().len()];
    for (col, name) in header.iter().enumerate() {
        let name = name.trim();
        if name == id_column {
            if col != id_at {
                return Err(Failure::Run(format!(
                    "column {name:?} appears twice in the header"
                )));
            }
            columns.push(None);
            continue;
        }
        let index = inst.item_index(name).ok_or_else(|| {
            Failure::Run(format!(
                "column {} ({name:?}) is neither the id column {id_column:?} nor an item of {}",
                col + 1,
                inst.id()
            ))
        })?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(Failure::Run(format!(
                "column {name:?} appears twice in the header"
            )));
        }
        columns.push(Some(index));
    }
    if let Some(missing) = inst.items().iter().zip(&seen).find(|(_, s)| !**s) {
        return Err(Failure::Run(format!(
            "the header has no column for item {} of {}",
            missing.0.id(),
            inst.id()
        )));
    }
    Ok((id_at, columns))
}

fn score(args: &ScoreArgs) -> Result<String, Failure> {
    let inst = catalog::require(&args.instrument)?;
    let file = std::fs::File::open(&args.csv)
        .map_err(|e| Failure::Run(format!("cannot read {}: {e}", args.csv)))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file);
    let header = reader.headers()?.clone();
    let (id_at, columns) = map_header(&header, &inst, &args.id_column)?;
    let metric = args.metric.unwrap_or_else(|| inst.scoring().into());
    let targets: Vec<Target> = inst
        .parts()
        .map(Target::from)
        .chain([Target::Total])
        .collect();

    let mut out = String::new();
    let mut json_rows: Vec<JsonRow<'_>> = Vec::new();
    if args.output == Output::Csv {
        out.push_str("id");
        for t in &targets {
            out.push(',');
            out.push_str(t.name());
        }
        out.push('\n');
    }
    let mut record = csv::StringRecord::new();
    let mut values = vec![None; inst.items().len()];
    let mut row = 0usize;
    while reader.read_record(&mut record)? {
        row += 1;
        let id = record.get(id_at).unwrap_or_default();
        let at = |col: &str| format!("row {row} (id {id:?}), column {col:?}");
        values.fill(None);
        for ((cell, index), name) in record.iter().zip(&columns).zip(header.iter()) {
            let Some(index) = *index else { continue };
            if cell.is_empty() {
                continue;
            }
            let v: f64 = cell.parse().map_err(|_| {
                Failure::Run(format!("{}: {cell:?} is not a number", at(name.trim())))
            })?;
            if let Some(slot) = values.get_mut(index) {
                *slot = Some(v);
            }
        }
        let scores = inst
            .score_values(&values)
            .map_err(|e| Failure::Run(format!("{}: {e}", at(bad_item(&e).unwrap_or("?")))))?;
        match args.output {
            Output::Csv => {
                out.push_str(&csv_field(id));
                for &t in &targets {
                    out.push(',');
                    if let Some(v) = scores.value(t, metric) {
                        let _ = write!(out, "{v}");
                    }
                }
                out.push('\n');
            }
            Output::Json => {
                let flags = inst.flags(&scores).collect();
                json_rows.push(JsonRow {
                    id: id.to_owned(),
                    scores,
                    flags,
                });
            }
        }
    }
    if args.output == Output::Json {
        out = serde_json::to_string_pretty(&JsonOutput {
            instrument: inst.id(),
            missing_rule: inst.missing().describe(),
            rows: json_rows,
        })?;
        out.push('\n');
    }
    Ok(out)
}

/// `score --output json`: the instrument, its missing-item rule, and one entry per input row.
#[derive(serde::Serialize)]
struct JsonOutput<'a> {
    instrument: &'a str,
    missing_rule: String,
    rows: Vec<JsonRow<'a>>,
}

#[derive(serde::Serialize)]
struct JsonRow<'a> {
    id: String,
    scores: therapeutic_alliance::Scores,
    flags: Vec<therapeutic_alliance::Flag<'a>>,
}

/// The item an answer error names (it is also the CSV column).
fn bad_item(e: &therapeutic_alliance::Error) -> Option<&str> {
    use therapeutic_alliance::Error as E;
    match e {
        E::NotFinite { item, .. } | E::OutOfRange { item, .. } | E::OffStep { item, .. } => {
            Some(item)
        }
        _ => None,
    }
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// demo

/// One client's 12 weekly sessions of CBT for anxiety, client and therapist forms: the client's
/// alliance starts hesitant and grows as goals are agreed and progress is reviewed each session.
/// Invented data, written for this example.
const DEMO: &str = include_str!("data/cbt_anxiety.csv");

fn demo() -> Result<String, Failure> {
    let client_form = catalog::require("cbt-client")?;
    let therapist_form = catalog::require("cbt-therapist")?;
    let mut reader = csv::ReaderBuilder::new().from_reader(DEMO.as_bytes());
    let mut rows: Vec<(Administration, Administration)> = Vec::new();
    let mut pending: Option<Administration> = None;
    for (n, record) in reader.records().enumerate() {
        let record = record?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let session: u32 = field(0)
            .parse()
            .map_err(|_| format!("demo row {}: bad session", n + 1))?;
        let date: Date = field(1).parse()?;
        let form: &Arc<Instrument> = match field(2) {
            "client" => &client_form,
            "therapist" => &therapist_form,
            other => {
                return Err(Failure::Run(format!(
                    "demo row {}: unknown rater {other:?}",
                    n + 1
                )));
            }
        };
        let mut answers = Vec::with_capacity(12);
        for i in 1..=12 {
            let cell = field(2 + i);
            if !cell.is_empty() {
                let v: f64 = cell.parse().map_err(|_| {
                    format!("demo row {}, item {i}: {cell:?} is not a number", n + 1)
                })?;
                answers.push((i.to_string(), v));
            }
        }
        let adm = Administration::builder(form.clone())
            .client("demo-01")
            .therapist("t-01")
            .session(session)
            .date(date)
            .answers(answers)?
            .build()?;
        match pending.take() {
            None => pending = Some(adm),
            Some(client) => rows.push((client, adm)),
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "CBT for anxiety: client demo-01 with therapist t-01, 12 weekly sessions\n\
         Forms: {} and {} ({}-point scale, {} to {}); component sums 4-20, total 12-60.\n\
         These forms are new, unvalidated item sets written for this crate.\n",
        client_form.id(),
        therapist_form.id(),
        client_form.scale().points().unwrap_or(0),
        client_form
            .scale()
            .anchors()
            .first()
            .map_or("", |a| a.label()),
        client_form
            .scale()
            .anchors()
            .last()
            .map_or("", |a| a.label()),
    );
    let _ = writeln!(
        out,
        "session  date        rater      goals  collab   bond  total   POMP  flags"
    );
    for (client, therapist) in &rows {
        for adm in [client, therapist] {
            let scores = adm.score();
            let cell = |t: Target| match scores.get(t) {
                Some(PartScore::Scored(s)) if s.is_prorated() => format!("{:.1}*", s.sum().get()),
                Some(PartScore::Scored(s)) => format!("{} ", s.sum().get()),
                _ => "-  ".to_owned(),
            };
            let pomp = scores
                .value(Target::Total, Metric::PercentOfMaximum)
                .map_or("-".to_owned(), |p| format!("{p:.0}"));
            let flags: Vec<String> = adm
                .instrument()
                .flags(&scores)
                .map(|f| f.message().to_owned())
                .collect();
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
        client_form.missing().describe()
    );
    Ok(out)
}
