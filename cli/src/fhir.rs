//! `alliance fhir`: an instrument as a FHIR Questionnaire, and a FHIR QuestionnaireResponse
//! scored as an Observation.

use therapeutic_alliance::fhir::{
    self, Mapping, Observation, Questionnaire, QuestionnaireResponse, Release, Settings,
};
use therapeutic_alliance::{Errors, Registry};

use crate::{Failure, Problem};
use clap::ValueEnum;

use crate::args::invalid;
use crate::output;

/// An instrument as a FHIR Questionnaire, or a FHIR response scored as an Observation.
///
/// HL7 FHIR for clinical systems: an instrument as a FHIR Questionnaire, and a FHIR
/// QuestionnaireResponse scored as an Observation.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// What to do
    #[arg(value_enum)]
    action: Action,
    /// An instrument of the catalog (`alliance instruments` lists them); for score, by
    /// default the one the response's questionnaire canonical names
    #[arg(long, value_name = "ID", required_if_eq("action", "questionnaire"))]
    instrument: Option<String>,
    /// The QuestionnaireResponse (score only)
    #[arg(long, value_name = "FILE", required_if_eq("action", "score"))]
    response: Option<String>,
    /// The FHIR release written; responses of either are read
    #[arg(long, value_enum, ignore_case = true, default_value_t = FhirRelease::R4)]
    release: FhirRelease,
    /// The canonical base of the questionnaires and the crate's code systems (default
    /// `https://therapeutic-alliance.example/fhir`, a placeholder: set your own, and the same one
    /// for questionnaire and score)
    #[arg(long, value_name = "URL")]
    base: Option<String>,
    /// When the Observation is issued, a FHIR instant such as 2026-03-02T10:15:00Z (score only;
    /// default: now, in UTC)
    #[arg(long, value_name = "INSTANT")]
    issued: Option<String>,
}

const AFTER_HELP: &str = "\
questionnaire prints the instrument as a FHIR Questionnaire (JSON): one item per question with
its codes (LOINC for the PHQ-9 and GAD-7), its answer options and their scores (ordinalValue in
R4, itemWeight in R5) or, for a visual-analogue line, a decimal item with its range; and
read-only score items computed by FHIRPath from the item answers. score reads a FHIR
QuestionnaireResponse (JSON) to the questionnaire its canonical names (or to --instrument's) and
prints its scores as a FHIR Observation: the total (coded LOINC 44261-6 for the PHQ-9, 70274-6
for the GAD-7) with its severity band and flags, one component per subscale, notes rounded to
the instrument's precision marking prorated scores, derivedFrom the response when it has an id,
and issued (--issued, default now).

A response that cannot be scored prints every error, one line each on stderr, naming the item by
its linkId (with --errors json, one JSON object per line with its path in the response):

  alliance: error: response.json: linkId \"13\": instrument phq-9 has no item with this linkId

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// What `alliance fhir` does.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Action {
    /// Print the instrument as a FHIR Questionnaire
    Questionnaire,
    /// Score a QuestionnaireResponse as a FHIR Observation
    Score,
}

/// `--release`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FhirRelease {
    R4,
    R5,
}

/// The checked command line of `alliance fhir`.
struct Options {
    action: Action,
    instrument: Option<String>,
    response: Option<String>,
    settings: Settings,
    issued: Option<String>,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        if args.action == Action::Questionnaire && args.response.is_some() {
            return Err(Failure::usage("--response is for `alliance fhir score`"));
        }
        if args.action == Action::Questionnaire && args.issued.is_some() {
            return Err(Failure::usage("--issued is for `alliance fhir score`"));
        }
        let mut settings = Settings::new(match args.release {
            FhirRelease::R4 => Release::R4,
            FhirRelease::R5 => Release::R5,
        });
        if let Some(base) = &args.base {
            settings = settings
                .with_base(base.as_str())
                .map_err(|e| invalid("--base", base, &e))?;
        }
        Ok(Options {
            action: args.action,
            instrument: args.instrument,
            response: args.response,
            settings,
            issued: args.issued,
        })
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let text = match (opts.action, &opts.response) {
        (Action::Score, Some(path)) => {
            serde_json::to_string_pretty(&score(&opts, path, opts.instrument.as_deref())?)
        }
        _ => {
            let id = opts.instrument.as_deref().unwrap_or_default();
            let inst = crate::instruments::require(id)?;
            serde_json::to_string_pretty(&Questionnaire::of(&inst, &opts.settings))
        }
    };
    let mut text = text.map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}

/// The response in `path` scored as an Observation: against `instrument` when given, else the
/// instrument its questionnaire canonical names in the catalog. Every error is printed, one
/// line each.
fn score(opts: &Options, path: &str, instrument: Option<&str>) -> Result<Observation, Failure> {
    let body = std::fs::read_to_string(path)
        .map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    let issued = match &opts.issued {
        Some(instant) => instant.clone(),
        None => now(),
    };
    let settings = &opts.settings;
    let scored = match instrument {
        None => fhir::score(&body, &Registry::with_catalog(), settings, &issued)
            .map(|s| s.into_parts().2),
        Some(id) => {
            let inst = crate::instruments::require(id)?;
            let response = QuestionnaireResponse::from_json(&body)?;
            response
                .to_administration_all(&inst, settings, &Mapping::new())
                .and_then(|adm| {
                    Observation::of(&adm, settings)
                        .derived_from_response(&response)
                        .issued_at(&issued)
                        .map_err(Errors::from)
                })
        }
    };
    scored.map_err(|errors| {
        for e in errors {
            output::report(&Problem {
                message: format!("{path}: {e}"),
                error: Some(e),
                input_id: None,
            });
        }
        Failure::Reported
    })
}

/// Now, in UTC to the second, as a FHIR instant (`2026-03-02T10:15:00Z`).
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
