//! `alliance fhir`: an instrument as a FHIR Questionnaire, and a FHIR QuestionnaireResponse
//! scored as an Observation.

use therapeutic_alliance::fhir::{
    Observation, Questionnaire, QuestionnaireResponse, Release, Settings,
};

use crate::Failure;
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
    /// An instrument of the catalog (`alliance instruments` lists them)
    #[arg(long, value_name = "ID")]
    instrument: String,
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
}

const AFTER_HELP: &str = "\
questionnaire prints the instrument as a FHIR Questionnaire (JSON): one item per question with
its codes (LOINC for the PHQ-9 and GAD-7), its answer options and their scores (ordinalValue in
R4, itemWeight in R5) or, for a visual-analogue line, a decimal item with its range; and
read-only score items computed by FHIRPath. score reads a FHIR QuestionnaireResponse to that
questionnaire (JSON) and prints its scores as a FHIR Observation: the total (coded LOINC 44261-6
for the PHQ-9, 70274-6 for the GAD-7) with its severity band and flags, one component per
subscale.

A response that cannot be scored stops the run with one line on stderr naming the item by its
linkId:

  alliance: error: response.json: linkId \"13\": instrument phq-9 has no item with this linkId

An error names the row by its line number in the CSV file, the header being line 1, and the
column.

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
    instrument: String,
    response: Option<String>,
    settings: Settings,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        if args.action == Action::Questionnaire && args.response.is_some() {
            return Err(Failure::usage("--response is for `alliance fhir score`"));
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
        })
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let inst = crate::instruments::require(&opts.instrument)?;
    let text = match (opts.action, &opts.response) {
        (Action::Score, Some(path)) => {
            let body = std::fs::read_to_string(path)
                .map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
            let at = |e: therapeutic_alliance::Error| Failure::worded(format!("{path}: {e}"), e);
            let response = QuestionnaireResponse::from_json(&body).map_err(at)?;
            let adm = response
                .to_administration(&inst, &opts.settings)
                .map_err(at)?;
            serde_json::to_string_pretty(&Observation::of(&adm, &opts.settings))
        }
        _ => serde_json::to_string_pretty(&Questionnaire::of(&inst, &opts.settings)),
    };
    let mut text = text.map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
