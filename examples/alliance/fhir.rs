//! `alliance fhir`: an instrument as a FHIR Questionnaire, and a FHIR QuestionnaireResponse
//! scored as an Observation.

use therapeutic_alliance::fhir::{
    Observation, Questionnaire, QuestionnaireResponse, Release, Settings,
};

use crate::Failure;
use crate::args::{Arg, Parser, invalid, set_once, unexpected};
use crate::output;

pub const USAGE: &str = r#"usage: alliance fhir questionnaire --instrument ID [--release r4|r5] [--base URL]
       alliance fhir score --instrument ID --response FILE [--release r4|r5] [--base URL]

HL7 FHIR for clinical systems.

questionnaire  prints the instrument as a FHIR Questionnaire (JSON): one item per question with
               its codes (LOINC for the PHQ-9 and GAD-7), its answer options and their scores
               (ordinalValue in R4, itemWeight in R5) or, for a visual-analogue line, a decimal
               item with its range; and read-only score items computed by FHIRPath.
score          reads a FHIR QuestionnaireResponse to that questionnaire (JSON) and prints its
               scores as a FHIR Observation: the total (coded LOINC 44261-6 for the PHQ-9,
               70274-6 for the GAD-7) with its severity band and flags, one component per
               subscale.

  --instrument ID   an instrument of the catalog (`alliance instruments` lists them)
  --response FILE   the QuestionnaireResponse (score only)
  --release r4|r5   the FHIR release written (default r4); responses of either are read
  --base URL        the canonical base of the questionnaires and the crate's code systems
                    (default https://therapeutic-alliance.example/fhir, a placeholder: set your
                    own, and the same one for questionnaire and score)
  -h, --help        this text

A response that cannot be scored stops the run with one line on stderr naming the item by its
linkId, for example:

  alliance: error: response.json: linkId "13": instrument phq-9 has no item with this linkId
  alliance: error: response.json: linkId "4": answer code "LA9999-9" of system "http://loinc.org" is not an option of the item
  alliance: error: response.json: questionnaire response status "in-progress": only completed or amended responses are read

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// What `alliance fhir` does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Questionnaire,
    Score,
}

/// The parsed command line of `alliance fhir`.
struct Options {
    action: Action,
    instrument: String,
    response: Option<String>,
    settings: Settings,
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut action, mut instrument, mut response, mut release, mut base) =
            (None, None, None, None, None);
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            match arg {
                Arg::Flag("-h" | "--help") => return Ok(None),
                Arg::Flag(flag @ "--instrument") => {
                    set_once(&mut instrument, flag, p.value(flag)?)?
                }
                Arg::Flag(flag @ "--response") => set_once(&mut response, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--release") => set_once(&mut release, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--base") => set_once(&mut base, flag, p.value(flag)?)?,
                Arg::Positional("questionnaire") => {
                    set_once(&mut action, "the action", Action::Questionnaire)?;
                }
                Arg::Positional("score") => set_once(&mut action, "the action", Action::Score)?,
                Arg::Positional(p) if action.is_none() => {
                    return Err(Failure::usage(format!(
                        "unknown action {p:?}: expected questionnaire or score"
                    )));
                }
                other => return Err(unexpected(other)),
            }
        }
        let Some(action) = action else {
            return Err(Failure::usage("give an action: questionnaire or score"));
        };
        let instrument = instrument.ok_or_else(|| Failure::usage("--instrument is required"))?;
        match (action, response) {
            (Action::Score, None) => return Err(Failure::usage("--response is required")),
            (Action::Questionnaire, Some(_)) => {
                return Err(Failure::usage("--response is for `alliance fhir score`"));
            }
            _ => {}
        }
        let release = match release {
            Some(r) => r
                .trim()
                .to_ascii_lowercase()
                .parse::<Release>()
                .map_err(|_| Failure::usage(format!("--release must be r4 or r5, not {r:?}")))?,
            None => Release::R4,
        };
        let mut settings = Settings::new(release);
        if let Some(base) = base {
            settings = settings
                .with_base(base)
                .map_err(|e| invalid("--base", base, &e))?;
        }
        Ok(Some(Options {
            action,
            instrument: instrument.to_owned(),
            response: response.map(str::to_owned),
            settings,
        }))
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let inst = crate::instruments::require(&opts.instrument)?;
    let text = match (opts.action, &opts.response) {
        (Action::Score, Some(path)) => {
            let body = std::fs::read_to_string(path)
                .map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
            let at = |e: therapeutic_alliance::Error| Failure::run(format!("{path}: {e}"));
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
