//! `alliance instruments`: the catalog, or one instrument's key and provenance (as text or as its
//! definition in JSON or TOML); and reading a definition file for `alliance score`.

use std::fmt::Write as _;

use therapeutic_alliance::{Instrument, ResponseScale, ScaleKind, Target, TotalRule, catalog};

use crate::Failure;
use crate::output::{self, wrap};

/// The instrument catalog, or one instrument's key and provenance.
///
/// Without ID, lists the catalog: id, rater, modality, item count, response scale, score (sum or
/// mean) and how sure the scoring key is.
///
/// With ID, shows that instrument's key and provenance: version, name, rater, modality, response
/// scale and anchors, scoring, missing-item and total rules, each subscale and its items, reversed
/// items, thresholds and their source, citation, provenance, licence and definition digest.
#[derive(clap::Args)]
pub struct Args {
    /// The instrument's id (`alliance instruments` lists them)
    id: Option<String>,
    /// Print the instrument's definition as JSON instead: the form `alliance score
    /// --instrument-file` reads (edit it, give it a new id or version, and score with it);
    /// schema/instrument.schema.json describes it
    #[arg(long, conflicts_with = "toml", requires = "id")]
    json: bool,
    /// The same definition as TOML
    #[arg(long, requires = "id")]
    toml: bool,
}

/// Width that long notes are wrapped to.
const WIDTH: usize = 100;
/// Column where the values of `alliance instruments ID` start.
const INDENT: usize = 14;

pub fn run(args: Args) -> Result<(), Failure> {
    let Some(id) = args.id else {
        return output::print(&list());
    };
    let inst = require(&id)?;
    if args.json {
        output::print(&inst.to_json()?)
    } else if args.toml {
        output::print(&inst.to_toml()?)
    } else {
        output::print(&show(&inst))
    }
}

/// Reads an instrument definition file for `--instrument-file`: TOML if it is named `*.toml`,
/// JSON if `*.json`, otherwise JSON if its text starts with `{` and TOML if not. It is validated
/// as the library's builder validates; an error names the file, and the field when it is known.
pub fn load_file(path: &str) -> Result<Instrument, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    let extension = std::path::Path::new(path)
        .extension()
        .and_then(std::ffi::OsStr::to_str)
        .map(str::to_ascii_lowercase);
    let is_toml = match extension.as_deref() {
        Some("toml") => true,
        Some("json") => false,
        _ => !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{'),
    };
    let located = |e: therapeutic_alliance::Error| {
        let message = match e.path() {
            Some(field) => format!("{path}: {e} (field {field})"),
            None => format!("{path}: {e}"),
        };
        Failure::worded(message, e)
    };
    if is_toml {
        return Instrument::from_toml(&text).map_err(located);
    }
    Instrument::from_json(&text).map_err(located)
}

/// The catalog instrument with this id; the error points to the list rather than printing it.
pub fn require(id: &str) -> Result<Instrument, Failure> {
    catalog::get(id).ok_or_else(|| {
        Failure::run(format!(
            "no instrument {id} in the catalog (`alliance instruments` lists them)"
        ))
    })
}

/// The catalog as a table.
fn list() -> String {
    let mut out = format!(
        "{:<24} {:<9} {:<13} {:>5}  {:<22} {:<5} {}\n",
        "id", "rater", "modality", "items", "scale", "score", "confidence"
    );
    for inst in catalog::all() {
        let s = inst.scale();
        let range = match s.points() {
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
            truncate(&format!("{range}{anchors}"), 22),
            inst.primary_metric(),
            inst.provenance().confidence()
        );
    }
    out.push_str(
        "\nPublished instruments ship their scoring keys only (item wording is copyrighted).\n\
         The cbt, psychodynamic and humanistic forms are new, unvalidated item sets written for this crate.\n\
         `alliance instruments ID` shows one instrument's key and provenance.\n",
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

/// The response scale in words: range, points or step, and every anchor.
fn describe_scale(s: &ResponseScale) -> String {
    let mut text = match (s.kind(), s.points()) {
        (ScaleKind::Likert, Some(points)) => {
            format!("{} to {}, {points} points", s.min(), s.max())
        }
        _ => format!(
            "{} to {} by {} (visual analogue)",
            s.min(),
            s.max(),
            s.step()
        ),
    };
    if !s.anchors().is_empty() {
        let anchors: Vec<String> = s
            .anchors()
            .iter()
            .map(|a| format!("{} {}", a.value(), a.label()))
            .collect();
        let _ = write!(text, "; anchors: {}", anchors.join(", "));
    }
    text
}

fn describe_total(rule: TotalRule) -> String {
    match rule {
        TotalRule::None => "none".to_owned(),
        TotalRule::SumOfSubscales => {
            "the subscales added up (scored when every subscale is)".to_owned()
        }
        TotalRule::OverItems => {
            "over all items (the mean of the answered items, prorated to a sum)".to_owned()
        }
        other => other.to_string(),
    }
}

/// `lo-hi` of a target's primary score.
fn range(inst: &Instrument, target: Target) -> String {
    inst.range(target, inst.primary_metric())
        .map_or_else(String::new, |r| format!("{}-{}", r.min(), r.max()))
}

/// One instrument's key and provenance, as text.
fn show(inst: &Instrument) -> String {
    let mut out = String::new();
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "{name:<w$}{}", wrap(value, INDENT, WIDTH), w = INDENT);
    };
    field("id", inst.id());
    field("version", inst.version());
    field("name", inst.name());
    field("rater", inst.rater().name());
    field("modality", inst.modality().name());
    field("scale", &describe_scale(inst.scale()));
    let metric = inst.primary_metric();
    let total = range(inst, Target::Total);
    let scoring = if total.is_empty() {
        metric.to_string()
    } else {
        format!("{metric} (total {total})")
    };
    field("scoring", &scoring);
    field("missing", &inst.missing().to_string());
    field("total", &describe_total(inst.total_rule()));
    let reversed: Vec<&str> = inst
        .items()
        .iter()
        .filter(|i| i.is_reversed())
        .map(|i| i.id())
        .collect();
    let s = inst.scale();
    field(
        "reversed",
        &if reversed.is_empty() {
            "none".to_owned()
        } else {
            format!("{} (scored {} - x)", reversed.join(", "), s.min() + s.max())
        },
    );
    let ids: Vec<&str> = inst.items().iter().map(|i| i.id()).collect();
    field(
        "items",
        &format!("{}: {}", inst.items().len(), ids.join(", ")),
    );

    // Item wording, where the instrument ships it (the crate's own forms).
    if inst.items().iter().any(|i| i.text().is_some()) {
        out.push_str("wording\n");
        for item in inst.items() {
            let mark = if item.is_reversed() { " (R)" } else { "" };
            let head = format!("  {}{mark}", item.id());
            let _ = writeln!(
                out,
                "{head:<w$}{}",
                wrap(item.text().unwrap_or("-"), INDENT, WIDTH),
                w = INDENT
            );
        }
    }

    out.push_str("subscales\n");
    if inst.subscales().is_empty() {
        out.push_str("  none\n");
    }
    let id_width = inst
        .subscales()
        .iter()
        .map(|s| s.id().chars().count())
        .max()
        .unwrap_or(0);
    for sub in inst.subscales() {
        let component = sub
            .component()
            .map_or_else(String::new, |c| format!(", measures {c}"));
        let items = match sub.items() {
            [one] => format!("item {one}"),
            many => format!("items {}", many.join(", ")),
        };
        let _ = writeln!(
            out,
            "  {:<id_width$}  {}{component}: {items}; {metric} {}",
            sub.id(),
            sub.label(),
            range(inst, Target::from(sub.id())),
        );
    }

    out.push_str("thresholds\n");
    if inst.thresholds().is_empty() {
        out.push_str("  none\n");
    }
    for t in inst.thresholds() {
        let _ = writeln!(out, "  {t}");
        if !t.source().is_empty() {
            let _ = writeln!(out, "    source: {}", wrap(t.source(), 12, WIDTH));
        }
    }

    for b in inst.bands() {
        let _ = writeln!(out, "bands of the {} {}", b.target(), b.metric().label());
        let bands = b.bands();
        for (n, band) in bands.iter().enumerate() {
            let upto = bands
                .get(n + 1)
                .map_or_else(|| "up".to_owned(), |next| format!("below {}", next.from()));
            let _ = writeln!(out, "  {} from {} {upto}", band.label(), band.from());
        }
    }

    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "{name:<w$}{}", wrap(value, INDENT, WIDTH), w = INDENT);
    };
    field(
        "better",
        &format!("{} scores (direction of improvement)", inst.better()),
    );
    if let Some(rc) = inst.reliable_change() {
        let source = if rc.source().is_empty() {
            String::new()
        } else {
            format!(" ({})", rc.source())
        };
        field("reliable", &format!("{rc}{source}"));
    }
    if let Some(codes) = inst.codes() {
        let mut text = codes.system().to_owned();
        if let Some(c) = codes.instrument() {
            text.push_str(&format!("; instrument {c}"));
        }
        if let Some(c) = codes.total() {
            text.push_str(&format!("; total {c}"));
        }
        let items: Vec<String> = codes.items().map(|(i, c)| format!("{i} {c}")).collect();
        if !items.is_empty() {
            text.push_str(&format!("; items {}", items.join(", ")));
        }
        let answers: Vec<String> = codes.answers().map(|(v, c)| format!("{v} {c}")).collect();
        if !answers.is_empty() {
            text.push_str(&format!("; answers {}", answers.join(", ")));
        }
        field("codes", &text);
    }
    field("citation", inst.citation().unwrap_or("none"));
    let p = inst.provenance();
    field("provenance", &format!("{}: {}", p.confidence(), p.note()));
    field("licence", inst.license().unwrap_or("none"));
    field("digest", inst.digest());
    out
}
