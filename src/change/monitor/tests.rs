//! Unit tests of the session monitor.

use super::*;
use crate::catalog;
use crate::change::Rupture;

fn srs_at(n: u32, v: [f64; 4]) -> Administration {
    let srs = catalog::require("srs").unwrap();
    Administration::builder(&srs)
        .session(n)
        .answers([("1", v[0]), ("2", v[1]), ("3", v[2]), ("4", v[3])])
        .unwrap()
        .build()
        .unwrap()
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.name()).collect()
}

/// The monitor's ruptures are the batch rule's, session by session.
#[test]
fn ruptures_match_the_batch_rule() {
    let srs = catalog::require("srs").unwrap();
    let rule = RuptureOptions::points(3.0).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default().rupture(Some(rule)));
        let mut totals = Vec::new();
        let (mut opened, mut repaired) = (Vec::new(), Vec::new());
        for n in 1..=15u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let v = 5.0 + (seed % 50) as f64 / 10.0;
            totals.push(Some(4.0 * v));
            for e in monitor.observe(&srs_at(n, [v; 4])).unwrap().events {
                match e.kind {
                    EventKind::RuptureOpened { rupture } => opened.push(rupture.onset),
                    EventKind::RuptureRepaired { rupture } => repaired.push(rupture),
                    _ => {}
                }
            }
        }
        let batch = rule.analyze_values(&totals).unwrap().ruptures;
        let onsets: Vec<u32> = batch.iter().map(|r| r.onset).collect();
        assert_eq!(opened, onsets);
        let batch_repaired: Vec<Rupture> =
            batch.into_iter().filter(|r| r.repair.is_some()).collect();
        assert_eq!(repaired, batch_repaired);
    }
}

/// The running moments give the SD of the totals so far as `stats::sd` does over the list
/// (exactly on the grid; to 1e-12 relative off it).
#[test]
fn running_moments_agree_with_the_sd_of_the_list() {
    let srs = catalog::require("srs").unwrap();
    let grid = state::Grid::of(&srs);
    assert_eq!(grid_of(&srs), Some((0.0, 40.0, Some(10))));
    let wai = catalog::require("wai-sr").unwrap();
    assert_eq!(grid_of(&wai), Some((12.0, 60.0, Some(3))));
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for prorated in [false, true] {
        let mut m = state::Moments::default();
        let mut list = Vec::new();
        for _ in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let units = (seed % 301) as i128;
            // A prorated total (three lines of four answered, correctly rounded as the crate
            // scores it) is off the 0.1 grid.
            let v = if prorated && seed.is_multiple_of(3) {
                crate::exact::ratio(units * 4, 30)
            } else {
                crate::exact::ratio(units, 10)
            };
            m.push(v, grid.as_ref());
            list.push(v);
            if let (Some(a), Some(b)) = (m.sd(grid.as_ref()), crate::stats::sd(&list)) {
                assert!((a - b).abs() <= 1e-12 * b.max(1.0), "{a} vs {b}");
            }
        }
        // A total off the grid (4/3 of a sum on the SRS cannot be) turns to Welford's moments.
        assert_eq!(matches!(m, state::Moments::Exact { .. }), !prorated);
    }
}

#[cfg(feature = "serde")]
#[test]
fn a_stored_state_resumes_where_it_left_off() {
    let srs = catalog::require("srs").unwrap();
    let options = MonitorOptions::default().drop_points(1.0).unwrap();
    let sessions: Vec<Administration> = [9.5, 9.4, 9.6, 8.0, 8.2, 9.7, 9.9]
        .iter()
        .enumerate()
        .map(|(n, &v)| srs_at(n as u32 + 1, [v, v, v, v - 0.5]))
        .collect();
    let mut straight = SessionMonitor::new(&srs, options.clone());
    let all: Vec<MonitoredSession> = sessions
        .iter()
        .map(|a| straight.observe(a).unwrap())
        .collect();
    for cut in 0..sessions.len() {
        let mut first = SessionMonitor::new(&srs, options.clone());
        for a in &sessions[..cut] {
            first.observe(a).unwrap();
        }
        let json = serde_json::to_string(first.state()).unwrap();
        let state: MonitorState = serde_json::from_str(&json).unwrap();
        let mut resumed = SessionMonitor::resume(&srs, state).unwrap();
        for (a, expected) in sessions[cut..].iter().zip(&all[cut..]) {
            let got = resumed.observe(a).unwrap();
            assert_eq!(&got, expected);
            let json = serde_json::to_string(&got).unwrap();
            assert_eq!(
                &serde_json::from_str::<MonitoredSession>(&json).unwrap(),
                expected
            );
        }
    }
    // A state for another definition is refused, naming the state's instrument first.
    let quiet = srs
        .to_builder()
        .version("quiet")
        .clear_thresholds()
        .build()
        .unwrap();
    let err = SessionMonitor::resume(&quiet, straight.state().clone()).unwrap_err();
    assert_eq!(err.code(), "instrument_mismatch");
    assert!(
        err.to_string()
            .starts_with("this belongs to instrument srs version \"3.0\""),
        "{err}"
    );
    assert!(
        err.to_string().contains("not srs version \"quiet\""),
        "{err}"
    );
}

/// A state edited by hand or damaged is refused when read back, never a panic or an
/// invented event.
#[cfg(feature = "serde")]
#[test]
fn a_tampered_state_is_refused() {
    let srs = catalog::require("srs").unwrap();
    let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
    for (n, v) in [9.0, 9.5, 9.6, 7.0].into_iter().enumerate() {
        monitor.observe(&srs_at(n as u32 + 1, [v; 4])).unwrap();
    }
    let good = serde_json::to_value(monitor.state()).unwrap();
    assert!(serde_json::from_value::<MonitorState>(good.clone()).is_ok());
    let edits: Vec<(&str, serde_json::Value)> = vec![
        ("/order/count", serde_json::json!(u64::MAX)),
        ("/order/count", serde_json::json!(0)),
        ("/order/last_session", serde_json::json!(2)),
        ("/tracker/dip/length", serde_json::json!(u32::MAX)),
        ("/tracker/dip/lowest", serde_json::json!(99.0)),
        ("/tracker/dip/onset", serde_json::json!(99)),
        // Totals of 1000 and -5 on the SRS, and one off its grid.
        ("/previous/total", serde_json::json!(1000.0)),
        ("/previous/total", serde_json::json!(-5.0)),
        ("/previous/total", serde_json::json!(28.0001)),
        // An absurd rupture level.
        ("/tracker/dip/level", serde_json::json!(1e9)),
        ("/tracker/level/1", serde_json::json!(1e9)),
        ("/moments/exact/sum", serde_json::json!("100000000")),
        ("/moments/exact/sum_sq", serde_json::json!("-1")),
        ("/moments/exact/n", serde_json::json!(9)),
        ("/seen/1/0", serde_json::json!(7)),
        ("/thresholds/0", serde_json::json!(40)),
        ("/last_components/1/0/1", serde_json::json!(250.0)),
        ("/grid/max", serde_json::json!(f64::MIN)),
    ];
    for (pointer, value) in edits {
        let mut v = good.clone();
        *v.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer} in {good}")) = value.clone();
        let err = serde_json::from_value::<MonitorState>(v).unwrap_err();
        assert!(
            err.to_string().contains("inconsistent"),
            "{pointer} = {value}: {err}"
        );
    }
    // The stored form's version comes first; another version, or none, is refused.
    let text = serde_json::to_string(monitor.state()).unwrap();
    assert!(text.starts_with(r#"{"format":1,"#), "{text}");
    let err =
        MonitorState::from_json(&text.replacen(r#""format":1"#, r#""format":2"#, 1)).unwrap_err();
    assert_eq!(err.code(), "invalid_monitor_state");
    assert!(
        err.to_string()
            .contains("state format 2 is not known: this release reads format 1"),
        "{err}"
    );
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("format");
    assert!(serde_json::from_value::<MonitorState>(v.clone()).is_err());
    let err = MonitorState::from_json(&v.to_string()).unwrap_err();
    assert_eq!(err.code(), "invalid_monitor_state");
    // A grid edited along with nothing else reads, and is refused on resume.
    let mut v = good.clone();
    *v.pointer_mut("/grid/max").unwrap() = serde_json::json!(50.0);
    let state: MonitorState = serde_json::from_value(v).unwrap();
    let err = SessionMonitor::resume(&srs, state).unwrap_err();
    assert_eq!(err.code(), "invalid_monitor_state");
    // Components the instrument does not measure are refused on resume.
    let mut v = good.clone();
    *v.pointer_mut("/last_components/1").unwrap() =
        serde_json::json!([["goals", 90.0], ["bond", 100.0]]);
    let state: MonitorState = serde_json::from_value(v).unwrap();
    assert!(SessionMonitor::resume(&srs, state).is_err());
}

#[test]
fn an_error_leaves_the_state_as_it_was() {
    let srs = catalog::require("srs").unwrap();
    let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
    monitor.observe(&srs_at(2, [9.0; 4])).unwrap();
    let before = monitor.state().clone();
    let err = monitor.observe(&srs_at(1, [9.0; 4])).unwrap_err();
    assert_eq!(err.kind().code(), "invalid_series");
    let err = monitor.observe(&srs_at(2, [9.1; 4])).unwrap_err();
    assert_eq!(err.kind().code(), "session_conflict");
    assert_eq!(
        err.to_string(),
        "session 2 was observed before with other answers"
    );
    assert_eq!(monitor.state(), &before);
    let again = monitor.observe(&srs_at(2, [9.0; 4])).unwrap();
    assert_eq!(again.status, SessionStatus::AlreadySeen);
    assert!(again.events.is_empty() && again.summary.is_none());
    assert_eq!(monitor.state(), &before);
}

#[test]
fn one_component_falling_while_the_others_hold() {
    let wai = catalog::require("wai-sr").unwrap();
    // Every item 4, then the bond items down to 2.
    let bond: Vec<String> = wai.subscale(Component::Bond).unwrap().items().to_vec();
    let at = |n: u32, bond_value: f64| {
        let answers: Vec<(String, f64)> = wai
            .items()
            .iter()
            .map(|i| {
                let v = if bond.contains(&i.id().to_owned()) {
                    bond_value
                } else {
                    4.0
                };
                (i.id().to_owned(), v)
            })
            .collect();
        Administration::builder(&wai)
            .session(n)
            .answers(answers)
            .unwrap()
            .build()
            .unwrap()
    };
    let mut monitor = SessionMonitor::new(&wai, MonitorOptions::default().rupture(None));
    assert!(monitor.observe(&at(1, 4.0)).unwrap().events.is_empty());
    let events = monitor.observe(&at(2, 2.0)).unwrap().events;
    let [
        Event {
            kind:
                EventKind::ComponentFalling {
                    component,
                    fall,
                    others,
                    criterion,
                    previous_session,
                },
            severity,
            practice,
            prompt_key,
            ..
        },
    ] = &events[..]
    else {
        panic!("{events:?}");
    };
    assert_eq!(
        (*component, *fall, *criterion, *previous_session),
        (Component::Bond, 50.0, 10.0, 1)
    );
    assert_eq!(
        (*severity, *practice, prompt_key.as_deref()),
        (
            Severity::Attention,
            Some(Practice::Openness),
            Some("prompt.bond.general")
        )
    );
    assert!(others.iter().all(|o| o.change == 0.0));
    // All three falling together is not divergence.
    let mut monitor = SessionMonitor::new(&wai, MonitorOptions::default().rupture(None));
    let all = |n: u32, v: f64| {
        Administration::builder(&wai)
            .session(n)
            .answers(wai.items().iter().map(|i| (i.id().to_owned(), v)))
            .unwrap()
            .build()
            .unwrap()
    };
    monitor.observe(&all(1, 4.0)).unwrap();
    assert!(monitor.observe(&all(2, 2.0)).unwrap().events.is_empty());
}

/// Changes on a scale read to one decimal are exact: a drop of exactly the reliable amount
/// or the set points counts, and the evidence shows the decimal difference.
#[test]
fn decimal_changes_are_exact() {
    let ors = catalog::require("ors").unwrap();
    let at = |inst: &Instrument, n: u32, lines: [f64; 4]| {
        Administration::builder(inst)
            .session(n)
            .answers([
                ("1", lines[0]),
                ("2", lines[1]),
                ("3", lines[2]),
                ("4", lines[3]),
            ])
            .unwrap()
            .build()
            .unwrap()
    };
    let mut monitor = SessionMonitor::new(&ors, MonitorOptions::default().rupture(None));
    monitor.observe(&at(&ors, 1, [8.3, 8.0, 8.0, 8.0])).unwrap();
    // 32.3 -> 27.3: exactly the ORS's reliable change of 5.
    let events = monitor
        .observe(&at(&ors, 2, [8.3, 8.0, 5.0, 6.0]))
        .unwrap()
        .events;
    assert!(
        events.iter().any(
            |e| matches!(e.kind, EventKind::ReliableWorsening { worsening, .. } if worsening == 5.0)
        ),
        "{events:?}"
    );
    let srs = catalog::require("srs").unwrap();
    let options = MonitorOptions::default()
        .drop_points(1.0)
        .unwrap()
        .rupture(Some(RuptureOptions::points(1.0).unwrap()));
    let mut monitor = SessionMonitor::new(&srs, options);
    monitor.observe(&at(&srs, 1, [9.3, 8.0, 8.0, 7.0])).unwrap();
    // 32.3 -> 31.3: exactly one point, and a rupture of exactly one point.
    let events = monitor
        .observe(&at(&srs, 2, [8.3, 8.0, 8.0, 7.0]))
        .unwrap()
        .events;
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Worsening { worsening, .. } if worsening == 1.0)),
        "{events:?}"
    );
    assert!(
        events.iter().any(
            |e| matches!(&e.kind, EventKind::RuptureOpened { rupture } if rupture.depth == 1.0)
        ),
        "{events:?}"
    );
    // 36.0 -> 31.6 is 4.4, not 4.399999999999999.
    let mut monitor =
        SessionMonitor::new(&srs, MonitorOptions::default().drop_points(1.0).unwrap());
    monitor.observe(&at(&srs, 1, [9.0; 4])).unwrap();
    let events = monitor.observe(&at(&srs, 2, [7.9; 4])).unwrap().events;
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Worsening { worsening, .. } if worsening == 4.4)),
        "{events:?}"
    );
}

#[test]
fn worsening_follows_the_instruments_direction() {
    let phq9 = catalog::require("phq-9").unwrap();
    let at = |n: u32, v: f64| {
        Administration::builder(&phq9)
            .session(n)
            .answers((1..=9).map(|i| (i.to_string(), v)))
            .unwrap()
            .build()
            .unwrap()
    };
    let mut monitor = SessionMonitor::new(&phq9, MonitorOptions::default());
    assert!(monitor.observe(&at(1, 0.0)).unwrap().events.is_empty());
    // 0 -> 9: a rise of 9 on a lower-is-better measure, past the reliable 6; not a case.
    let events = monitor.observe(&at(2, 1.0)).unwrap().events;
    assert!(
        matches!(&events[..], [Event { kind: EventKind::ReliableWorsening { worsening, criterion, .. }, .. }] if *worsening == 9.0 && *criterion == 6.0),
        "{events:?}"
    );
    // 9 -> 0 is a reliable improvement.
    let events = monitor.observe(&at(3, 0.0)).unwrap().events;
    assert!(
        matches!(&events[..], [Event { kind: EventKind::ReliableImprovement { improvement, .. }, severity: Severity::Info, .. }] if *improvement == 9.0),
        "{events:?}"
    );
}

/// A drop that crosses the threshold, is a worsening and opens a rupture is one summary line
/// naming the line that fell most; the alarm is quiet while it persists and says when it left.
#[test]
fn one_notice_for_one_drop() {
    let srs = catalog::require("srs").unwrap();
    let mut monitor = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs));
    let course = [
        [9.5, 9.4, 9.6, 9.5],
        [9.6, 9.5, 9.6, 9.6],
        [9.7, 9.6, 9.5, 9.6],
        [6.9, 8.5, 8.6, 8.4],
        [7.6, 8.6, 8.7, 8.6],
        [9.6, 9.5, 9.6, 9.7],
    ];
    let seen: Vec<MonitoredSession> = course
        .iter()
        .enumerate()
        .map(|(n, v)| monitor.observe(&srs_at(n as u32 + 1, *v)).unwrap())
        .collect();
    assert!(seen[..3].iter().all(|s| s.summary.is_none()));
    assert_eq!(
        kinds(&seen[3].events),
        ["threshold", "worsening", "rupture_opened"]
    );
    let s = seen[3].summary.as_ref().unwrap();
    assert_eq!(
        s.message,
        "Session 4: the total fell by 6 to 32.4: the total (32.4) at or below the cutoff of 36; \
         a rupture of the alliance; the bond fell most (2.8 points)."
    );
    assert_eq!(s.severity, Severity::Alert);
    assert_eq!(s.practice, Some(Practice::Openness));
    let rupture = &seen[3].events[2];
    assert_eq!(
        rupture.largest_fall,
        Some(LargestFall {
            target: Target::Component(Component::Bond),
            fall: 2.8,
            fall_pomp: 28.0
        })
    );
    // Persisting is info, with a count; leaving is good news.
    assert_eq!(kinds(&seen[4].events), ["threshold", "improvement"]);
    assert!(seen[4].events.iter().all(|e| e.severity == Severity::Info));
    assert!(matches!(
        seen[4].events[0].kind,
        EventKind::Threshold {
            state: ThresholdState::Persisting,
            sessions: 2,
            ..
        }
    ));
    let left = &seen[5].events[0];
    assert!(matches!(
        left.kind,
        EventKind::Threshold {
            state: ThresholdState::Left,
            sessions: 2,
            ..
        }
    ));
    assert_eq!(
        left.message,
        "Good news: the total score (38.4) is back above the cutoff of 36."
    );
}
