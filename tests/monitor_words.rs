//! The session monitor as a clinician reads it (issue 13): every event in words with a severity,
//! above info a practice and a prompt, one summary per session with events, a threshold alarm
//! with a state, the line that fell most, German words, and a monitor that resumes anywhere and
//! takes retried sessions quietly.
//!
//! Known answers: the held-out SRS course of `tests/data/monitor_srs_rupture.csv`, worked by
//! hand (totals 36.6, 37.3, 37.8, 38.3, 32.1, 33.1, 33.9, 36.8, 38.2, 38.6; the alert at 36 or
//! below; the SRS's one-point convention both ways; ruptures by one of the client's own SDs,
//! at least 2 points). Changes are exact decimals (no tolerance).
#![cfg(feature = "serde")]

use proptest::prelude::*;
use therapeutic_alliance::change::{
    EventKind, LargestFall, Messages, MonitorOptions, MonitorState, MonitoredSession, Practice,
    SessionMonitor, SessionStatus, Severity, ThresholdState,
};
use therapeutic_alliance::{Administration, Component, Date, Instrument, Target, catalog};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The course's administrations, read from the fixture (session, date, four lines).
fn course(srs: &Instrument) -> Result<Vec<Administration>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/monitor_srs_rupture.csv"
    ))?;
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let [session, date, a, b, c, d] = cells[..] else {
            return Err(format!("bad line {line}").into());
        };
        out.push(
            Administration::builder(srs)
                .session(session.parse()?)
                .date(date.parse::<Date>()?)
                .answers([
                    ("1", a.parse::<f64>()?),
                    ("2", b.parse()?),
                    ("3", c.parse()?),
                    ("4", d.parse()?),
                ])?
                .build()?,
        );
    }
    Ok(out)
}

fn run(
    srs: &Instrument,
    messages: Messages,
) -> Result<Vec<MonitoredSession>, Box<dyn std::error::Error>> {
    let mut monitor =
        SessionMonitor::new(srs, MonitorOptions::for_instrument(srs)).with_messages(messages);
    let mut out = Vec::new();
    for adm in course(srs)? {
        out.push(monitor.observe(&adm)?);
    }
    Ok(out)
}

#[test]
fn a_held_out_srs_course_in_words() -> TestResult {
    let srs = catalog::require("srs")?;
    let sessions = run(&srs, Messages::english())?;
    assert_eq!(sessions.len(), 10);
    for s in &sessions {
        assert_eq!(s.status, SessionStatus::Observed);
        // Each session with events has a summary, and only those.
        assert_eq!(
            s.summary.is_some(),
            !s.events.is_empty(),
            "session {}",
            s.session
        );
        for e in &s.events {
            assert_eq!(e.session, s.session);
            assert!(!e.message.is_empty() && !e.message_key.is_empty(), "{e:?}");
            assert!(
                !e.message.contains('{'),
                "every value filled in: {}",
                e.message
            );
            let above = e.severity > Severity::Info;
            assert_eq!(e.practice.is_some(), above, "{e:?}");
            assert_eq!(e.prompt.is_some(), above, "{e:?}");
            assert_eq!(e.prompt_key.is_some(), above, "{e:?}");
        }
    }
    let with_events: Vec<u32> = sessions
        .iter()
        .filter(|s| !s.events.is_empty())
        .map(|s| s.session)
        .collect();
    assert_eq!(with_events, [5, 6, 7, 8, 9]);

    // The threshold: entered once (session 5, an alert: the total fell through 36), persisting
    // as info with a count, left at session 8 (36.8 > 36) as good news.
    let alarm: Vec<(u32, ThresholdState, u32, Severity)> = sessions
        .iter()
        .flat_map(|s| &s.events)
        .filter_map(|e| match &e.kind {
            EventKind::Threshold {
                state, sessions, ..
            } => Some((e.session, *state, *sessions, e.severity)),
            _ => None,
        })
        .collect();
    assert_eq!(
        alarm,
        [
            (5, ThresholdState::Entered, 1, Severity::Alert),
            (6, ThresholdState::Persisting, 2, Severity::Info),
            (7, ThresholdState::Persisting, 3, Severity::Info),
            (8, ThresholdState::Left, 3, Severity::Info),
        ]
    );
    let left = &sessions[7].events[0];
    assert_eq!(
        left.message,
        "Good news: the total score (36.8) is back above the cutoff of 36."
    );

    // Session 5: one clinical happening (a threshold crossing, a worsening of 6.2 and a
    // rupture), one summary line, the relationship line (bond) named as falling most.
    let s5 = &sessions[4];
    let kinds: Vec<&str> = s5.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["threshold", "worsening", "rupture_opened"]);
    let bond = LargestFall {
        target: Target::Component(Component::Bond),
        fall: 2.6,
        fall_pomp: 26.0,
    };
    for e in &s5.events[1..] {
        assert_eq!(e.largest_fall.as_ref(), Some(&bond), "{e:?}");
        assert_eq!(e.practice, Some(Practice::Openness));
        assert_eq!(e.prompt_key.as_deref(), Some("prompt.bond.general"));
    }
    assert!(
        matches!(s5.events[1].kind, EventKind::Worsening { worsening, .. } if worsening == 6.2)
    );
    assert_eq!(
        s5.events[2].message,
        "A rupture: the total is 6.2 below its level of 38.3 at session 4. \
         The bond fell most (2.6 points, 26 percentage points)."
    );
    let summary = s5.summary.as_ref().ok_or("a summary")?;
    assert_eq!(summary.severity, Severity::Alert);
    assert_eq!(
        summary.message,
        "Session 5: the total fell by 6.2 to 32.1: the total (32.1) at or below the cutoff of 36; \
         a rupture of the alliance; the bond fell most (2.6 points)."
    );
    assert_eq!(summary.practice, Some(Practice::Openness));
    assert_eq!(
        summary.prompt.as_deref(),
        Some(
            "How has our relationship felt to you lately, and did anything I did not sit right with you?"
        )
    );
    // Only session 5 asks for attention; the rest is news.
    for s in &sessions {
        if let Some(summary) = &s.summary
            && s.session != 5
        {
            assert_eq!(summary.severity, Severity::Info, "session {}", s.session);
        }
    }
    // The recovery is positive feedback: improvements on the SRS, which has no reliable-change
    // amount (+1.0 at session 6, +2.9 at 8, +1.4 at 9; +0.8 and +0.4 are under a point).
    let improvements: Vec<(u32, f64)> = sessions
        .iter()
        .flat_map(|s| &s.events)
        .filter_map(|e| match e.kind {
            EventKind::Improvement { improvement, .. } => Some((e.session, improvement)),
            _ => None,
        })
        .collect();
    assert_eq!(improvements, [(6, 1.0), (8, 2.9), (9, 1.4)]);
    Ok(())
}

#[test]
fn the_same_course_in_german() -> TestResult {
    let srs = catalog::require("srs")?;
    let english = run(&srs, Messages::english())?;
    let german = run(&srs, Messages::german())?;
    // The same events, keys and values; only the words differ.
    for (e, g) in english.iter().zip(&german) {
        assert_eq!(e.events.len(), g.events.len());
        for (a, b) in e.events.iter().zip(&g.events) {
            assert_eq!(
                (&a.kind, &a.message_key, &a.params),
                (&b.kind, &b.message_key, &b.params)
            );
            assert_eq!(Messages::german().event(a), b.message);
        }
    }
    let s5 = &german[4];
    assert_eq!(
        s5.summary.as_ref().map(|s| s.message.as_str()),
        Some(
            "Sitzung 5: der Gesamtwert fiel um 6,2 auf 32,1: Gesamt (32,1) auf oder unter dem Grenzwert \
             von 36; ein Bruch der Allianz; am stärksten fiel Beziehung (2,6 Punkte)."
        )
    );
    assert_eq!(
        s5.events[0].message,
        "Der Wert der Skala Gesamt (32,1) liegt auf oder unter dem Grenzwert von 36."
    );
    assert_eq!(
        s5.events[2].prompt.as_deref(),
        Some(
            "Wie haben Sie unsere Beziehung in letzter Zeit erlebt, und hat Sie etwas, das ich getan habe, gestört?"
        )
    );
    assert_eq!(
        german[7].events[0].message,
        "Gute Nachricht: Der Wert der Skala Gesamt (36,8) liegt wieder über dem Grenzwert von 36."
    );
    // A table an app writes itself, read from JSON, replaces what it names.
    let own = Messages::from_json(
        r#"{"language": "de-CH", "decimal_separator": ",",
            "messages": {"summary.rupture_opened": "ein Bruch"}}"#,
    )?;
    let summary = s5.summary.as_ref().ok_or("a summary")?;
    assert_eq!(
        own.summary(summary),
        "Session 5: the total fell by 6,2 to 32,1: the total (32,1) at or below the cutoff of 36; \
         ein Bruch; the bond fell most (2,6 points)."
    );
    assert!(Messages::from_json(r#"{"language": "x", "messages": {"no.key": "x"}}"#).is_err());
    Ok(())
}

#[test]
fn retried_and_changed_sessions() -> TestResult {
    let srs = catalog::require("srs")?;
    let adms = course(&srs)?;
    let mut monitor = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs));
    for adm in &adms[..6] {
        monitor.observe(adm)?;
    }
    let before = monitor.state().clone();
    // Re-sending seen sessions is a quiet no-op.
    for adm in &adms[..6] {
        let again = monitor.observe(adm)?;
        assert_eq!(again.status, SessionStatus::AlreadySeen);
        assert!(again.events.is_empty() && again.summary.is_none());
    }
    assert_eq!(monitor.state(), &before);
    // Changed answers are a conflict.
    let changed = Administration::builder(&srs)
        .session(3)
        .answers([("1", 9.4), ("2", 9.5), ("3", 9.4), ("4", 9.4)])?
        .build()?;
    let err = monitor.observe(&changed).unwrap_err();
    assert_eq!(err.code(), "session_conflict");
    assert_eq!(
        err.to_string(),
        "session 3 was observed before with other answers"
    );
    assert_eq!(monitor.state(), &before);
    Ok(())
}

/// Tampered totals, off-grid values and an absurd rupture level are typed errors, on read and
/// on resume.
#[test]
fn tampered_states_are_typed_errors() -> TestResult {
    let srs = catalog::require("srs")?;
    let mut monitor = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs));
    for adm in &course(&srs)?[..6] {
        monitor.observe(adm)?;
    }
    let good = serde_json::to_value(monitor.state())?;
    assert_eq!(
        MonitorState::from_json(&good.to_string())?,
        *monitor.state()
    );
    for (pointer, value) in [
        ("/previous/total", serde_json::json!(1000.0)),
        ("/previous/total", serde_json::json!(-5.0)),
        ("/previous/total", serde_json::json!(33.15)),
        ("/level/total", serde_json::json!(38.333)),
        ("/tracker/dip/level", serde_json::json!(1e9)),
        ("/tracker/dip/lowest", serde_json::json!(-5.0)),
        ("/tracker/level/1", serde_json::json!(1e9)),
    ] {
        let mut v = good.clone();
        *v.pointer_mut(pointer).ok_or(pointer)? = value.clone();
        let err = MonitorState::from_json(&v.to_string()).unwrap_err();
        assert_eq!(
            err.code(),
            "invalid_monitor_state",
            "{pointer} = {value}: {err}"
        );
        assert!(serde_json::from_value::<MonitorState>(v).is_err());
    }
    // Resumed with another instrument: the state's instrument is named first.
    let state = monitor.state().clone();
    let err = SessionMonitor::resume(&catalog::require("ors")?, state).unwrap_err();
    assert_eq!(err.code(), "instrument_mismatch");
    assert!(
        err.to_string()
            .starts_with("this belongs to instrument srs "),
        "{err}"
    );
    assert!(err.to_string().contains(", not ors "), "{err}");
    Ok(())
}

/// SRS lines on the 0.1 grid, some left unanswered now and then (prorated totals).
fn srs_course() -> impl Strategy<Value = Vec<[Option<u16>; 4]>> {
    proptest::collection::vec(
        proptest::array::uniform4(prop_oneof![
            12 => (0u16..=100).prop_map(Some),
            1 => Just(None),
        ]),
        1..14,
    )
}

fn administrations(srs: &Instrument, lines: &[[Option<u16>; 4]]) -> Vec<Administration> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(n, l)| {
            let answers: Vec<(String, f64)> = l
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| ((i + 1).to_string(), f64::from(v) / 10.0)))
                .collect();
            Administration::builder(srs)
                .session(n as u32 + 1)
                .answers(answers)
                .ok()?
                .build()
                .ok()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Splitting a course at any point, storing the state as JSON and resuming gives the same
    /// sessions as one run; re-sending what the first part saw changes nothing.
    #[test]
    fn splitting_a_course_anywhere_and_resuming_gives_one_run(lines in srs_course(), german in any::<bool>()) {
        let srs = catalog::require("srs").unwrap();
        let messages = if german { Messages::german() } else { Messages::english() };
        let adms = administrations(&srs, &lines);
        let mut one = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs)).with_messages(messages.clone());
        let all: Vec<MonitoredSession> = adms.iter().map(|a| one.observe(a).unwrap()).collect();
        for cut in 0..=adms.len() {
            let mut first = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs)).with_messages(messages.clone());
            for a in &adms[..cut] {
                first.observe(a).unwrap();
            }
            let json = serde_json::to_string(first.state()).unwrap();
            let state = MonitorState::from_json(&json).unwrap();
            let mut resumed = SessionMonitor::resume(&srs, state).unwrap().with_messages(messages.clone());
            for a in &adms[..cut] {
                prop_assert_eq!(resumed.observe(a).unwrap().status, SessionStatus::AlreadySeen);
            }
            for (a, expected) in adms[cut..].iter().zip(&all[cut..]) {
                prop_assert_eq!(&resumed.observe(a).unwrap(), expected);
            }
            prop_assert_eq!(resumed.state(), one.state());
        }
    }
}

/// WAI-SR answers 1-5, now and then one left out (prorated subscales, totals on thirds).
fn wai_course() -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
    proptest::collection::vec(
        proptest::collection::vec(
            prop_oneof![10 => (1u8..=5).prop_map(Some), 1 => Just(None)],
            12,
        ),
        1..10,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same on the WAI-SR, whose prorated totals fall on thirds: every stored state reads
    /// back and resumes to the one run.
    #[test]
    fn a_wai_sr_course_with_prorated_totals_resumes_anywhere(lines in wai_course()) {
        let wai = catalog::require("wai-sr").unwrap();
        let adms: Vec<Administration> = lines
            .iter()
            .enumerate()
            .filter_map(|(n, l)| {
                let answers: Vec<(String, f64)> = wai
                    .items()
                    .iter()
                    .zip(l)
                    .filter_map(|(i, v)| v.map(|v| (i.id().to_owned(), f64::from(v))))
                    .collect();
                Administration::builder(&wai).session(n as u32 + 1).answers(answers).ok()?.build().ok()
            })
            .collect();
        let mut one = SessionMonitor::new(&wai, MonitorOptions::default());
        let all: Vec<MonitoredSession> = adms.iter().map(|a| one.observe(a).unwrap()).collect();
        for cut in 0..=adms.len() {
            let mut first = SessionMonitor::new(&wai, MonitorOptions::default());
            for a in &adms[..cut] {
                first.observe(a).unwrap();
            }
            let state = MonitorState::from_json(&serde_json::to_string(first.state()).unwrap()).unwrap();
            let mut resumed = SessionMonitor::resume(&wai, state).unwrap();
            for (a, expected) in adms[cut..].iter().zip(&all[cut..]) {
                prop_assert_eq!(&resumed.observe(a).unwrap(), expected);
            }
        }
    }
}
