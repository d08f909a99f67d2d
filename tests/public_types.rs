//! Every public type can cross threads and be debugged.

use therapeutic_alliance::*;

fn send_sync_debug<T: Send + Sync + std::fmt::Debug>() {}

#[test]
fn public_types_are_send_sync_debug() {
    send_sync_debug::<Administration>();
    send_sync_debug::<CenteredValue>();
    send_sync_debug::<ClientTrajectory>();
    send_sync_debug::<Correlation>();
    send_sync_debug::<LaggedValue>();
    send_sync_debug::<PrePost>();
    send_sync_debug::<SessionMean>();
    send_sync_debug::<SessionTable>();
    send_sync_debug::<Trajectory>();
    send_sync_debug::<TrajectoryOptions>();
    send_sync_debug::<AdministrationBuilder>();
    send_sync_debug::<AdministrationRecord>();
    send_sync_debug::<Anchor>();
    send_sync_debug::<Comparison>();
    send_sync_debug::<Component>();
    send_sync_debug::<Confidence>();
    send_sync_debug::<Date>();
    send_sync_debug::<Error>();
    send_sync_debug::<Errors>();
    send_sync_debug::<ErrorKind>();
    send_sync_debug::<Flag>();
    send_sync_debug::<InstrumentSummary>();
    send_sync_debug::<Instrument>();
    send_sync_debug::<InstrumentBuilder>();
    send_sync_debug::<Item>();
    send_sync_debug::<Keying>();
    send_sync_debug::<Mean>();
    send_sync_debug::<Metric>();
    send_sync_debug::<MissingRule>();
    send_sync_debug::<Modality>();
    send_sync_debug::<NotScored>();
    send_sync_debug::<Registry>();
    send_sync_debug::<Report>();
    send_sync_debug::<ReportEntry>();
    send_sync_debug::<ScoreRange>();
    send_sync_debug::<ScoreRow<'static>>();
    send_sync_debug::<Subscale>();
    send_sync_debug::<TargetScore>();
    send_sync_debug::<TotalRule>();
    send_sync_debug::<Pomp>();
    send_sync_debug::<Provenance>();
    send_sync_debug::<Rater>();
    send_sync_debug::<ResponseScale>();
    send_sync_debug::<ScaleKind>();
    send_sync_debug::<Score>();
    send_sync_debug::<Scores>();
    send_sync_debug::<ScoringRule>();
    send_sync_debug::<Sum>();
    send_sync_debug::<Target>();
    send_sync_debug::<Threshold>();
}
