//! Unit tests of the sudden-gains analysis.

use super::options::{MIN_ALPHA, MeanShift};
use super::*;
use crate::change::{Better, ScoreSeries, SessionTable};
use crate::error::{ErrorKind, Result};

/// The analyses of wide series, through the session table.
trait Wide {
    fn gains_wide(&self, series: &[ScoreSeries]) -> SuddenChanges;
    fn losses_wide(&self, series: &[ScoreSeries]) -> SuddenChanges;
}

impl Wide for SuddenOptions {
    fn gains_wide(&self, series: &[ScoreSeries]) -> SuddenChanges {
        let table = SessionTable::from_wide(series.to_vec()).expect("a valid table");
        self.gains(&table).expect("an analysis")
    }

    fn losses_wide(&self, series: &[ScoreSeries]) -> SuddenChanges {
        let table = SessionTable::from_wide(series.to_vec()).expect("a valid table");
        self.losses(&table).expect("an analysis")
    }
}

fn s(id: &str, scores: &[Option<f64>]) -> ScoreSeries {
    ScoreSeries::new(id, scores.iter().copied()).expect("valid series")
}

fn all(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&v| Some(v)).collect()
}

fn tang(better: Better) -> SuddenOptions {
    SuddenOptions::new(better, 7.0).expect("valid options")
}

/// The sessions of a client's gains or losses.
fn sessions(a: &SuddenChanges) -> Vec<Vec<u64>> {
    a.clients
        .iter()
        .map(|c| c.events.iter().map(|e| e.session).collect())
        .collect()
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs(),
        "{got} vs {want} (relative {:e})",
        ((got - want) / want).abs()
    );
}

#[test]
fn a_gain_worked_by_hand() {
    // Session 3 to 4: 34 -> 23. Criterion 1: 11 >= 7. Criterion 2: 11 >= 0.25 x 34 = 8.5.
    // Criterion 3: means 35.33 (35, 37, 34) and 22.67 (23, 24, 21), both variances 7/3, so
    // the pooled SD is sqrt(7/3) = 1.528 and 2.776 x 1.528 = 4.24 < 12.67.
    let a = tang(Better::Lower).gains_wide(&[s("4", &all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]))]);
    let c = &a.clients[0];
    let i = &c.intervals[1];
    assert_eq!(
        (i.session, i.cutoff, i.relative, i.mean_shift, i.met),
        (3, Some(true), Some(true), Some(true), Some(true))
    );
    close(i.critical_value.unwrap_or(0.0), 2.7764451051977934);
    assert_eq!(c.intervals[0].met, Some(false)); // 37 -> 34
    assert_eq!(c.intervals[2].met, Some(false)); // 23 -> 24
    let g = &c.events[0];
    assert_eq!(
        g.scores,
        SuddenWindow {
            n_minus_2: Some(35.0),
            n_minus_1: Some(37.0),
            n: Some(34.0),
            n_plus_1: Some(23.0),
            n_plus_2: Some(24.0),
            n_plus_3: Some(21.0),
        }
    );
    assert_eq!(g.magnitude, Some(11.0));
    assert_eq!(g.treatment_change, Some(14.0)); // 35 - 21
    assert_eq!(g.proportion, Some(11.0 / 14.0));
    assert_eq!(g.reversal_value, Some(28.5));
    assert!(!g.reversal && g.reversal_session.is_none());
    assert_eq!((g.kind, g.client.as_str()), (SuddenKind::Gain, "4"));
}

#[test]
fn losses_match_suddengains_own_identify_sl_test() {
    // suddengains' tests/testthat/test-identify_sl.R (df2, cutoff -7): losses at 3to4,
    // 4to5, 2to3 and none.
    let rows = [
        [10.0, 11.0, 12.0, 30.0, 28.0, 33.0],
        [10.0, 11.0, 12.0, 10.0, 28.0, 33.0],
        [10.0, 11.0, 30.0, 30.0, 28.0, 33.0],
        [35.0, 37.0, 34.0, 23.0, 24.0, 21.0],
    ];
    // One client per row (a session table holds each client once).
    let series: Vec<_> = rows
        .iter()
        .zip(1..)
        .map(|(r, i)| s(&format!("x{i}"), &all(r)))
        .collect();
    let losses = tang(Better::Lower).losses_wide(&series);
    assert_eq!(sessions(&losses), [vec![3], vec![4], vec![2], vec![]]);
    let l = &losses.clients[0].events[0];
    assert_eq!(l.kind, SuddenKind::Loss);
    // A loss is a positive worsening: 30 - 12; over treatment 33 - 10.
    assert_eq!((l.magnitude, l.treatment_change), (Some(18.0), Some(23.0)));
    assert_eq!(l.proportion, Some(18.0 / 23.0));
    // Midpoint 21; no later score (28, 33) falls below it.
    assert_eq!((l.reversal_value, l.reversal), (Some(21.0), false));
}

#[test]
fn loss_criterion_2_is_applied_as_written_unlike_suddengains() {
    // 40 -> 48 is a rise of 8: at least the cutoff 7 but under 25% of 40 (10).
    let x = all(&[40.0, 41.0, 40.0, 48.0, 49.0, 50.0]);
    let losses = tang(Better::Lower).losses_wide(&[s("1", &x)]);
    let i = &losses.clients[0].intervals[1];
    assert_eq!(
        (i.session, i.cutoff, i.relative, i.mean_shift, i.met),
        (3, Some(true), Some(false), Some(true), Some(false))
    );
    // suddengains 0.7.2's identify_sl() tests pre - post <= 0.25 x pre: -8 <= 10 holds, so
    // it reports a loss here.
    let (pre, post) = (40.0_f64, 48.0_f64);
    assert!(pre - post <= 0.25 * pre);
    assert_eq!(losses.count(), 0);

    // With criterion 2 alone suddengains' test flags every interval that is not a gain of
    // 25% or more, gains included; the crate flags none of these small gains.
    let only_2 = tang(Better::Lower)
        .without(SuddenCriterion::Cutoff)
        .and_then(|o| o.without(SuddenCriterion::MeanShift))
        .expect("criterion 2 remains");
    let small_gains = all(&[20.0, 20.0, 19.0, 18.0, 18.0, 17.0]);
    let a = only_2.losses_wide(&[s("2", &small_gains)]);
    assert_eq!(a.count(), 0);
    for w in small_gains.windows(2).skip(1).take(3) {
        if let [Some(pre), Some(post)] = *w {
            assert!(
                pre - post <= 0.25 * pre,
                "suddengains would flag {pre} -> {post}"
            );
        }
    }
    // A real 25% rise is a loss with criterion 2 alone.
    let rise = only_2.losses_wide(&[s("3", &all(&[20.0, 20.0, 20.0, 25.0, 25.0, 25.0]))]);
    assert_eq!(sessions(&rise), [vec![3]]);
}

/// Session, magnitude and reversal of a gain or loss.
type EventKey = (u64, Option<f64>, bool);

#[test]
fn higher_is_better_mirrors_lower_is_better() {
    // An alliance score rising 20 -> 30.
    let x = all(&[20.0, 19.0, 20.0, 30.0, 31.0, 32.0]);
    let up = tang(Better::Higher).gains_wide(&[s("a", &x)]);
    let g = &up.clients[0].events[0];
    assert_eq!(
        (g.session, g.magnitude, g.treatment_change),
        (3, Some(10.0), Some(12.0))
    );
    assert_eq!(tang(Better::Higher).losses_wide(&[s("a", &x)]).count(), 0);
    // The same shifts are losses when lower is better; negated scores mirror exactly.
    let series = [
        all(&[20.0, 19.0, 20.0, 30.0, 31.0, 32.0]),
        all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]),
        vec![
            Some(36.0),
            Some(37.0),
            None,
            Some(25.0),
            Some(26.0),
            Some(24.0),
            Some(14.0),
        ],
        all(&[
            39.0, 37.0, 36.0, 26.0, 26.0, 23.0, 21.0, 19.0, 6.0, 7.0, 8.0, 8.0,
        ]),
    ];
    for x in &series {
        let neg: Vec<Option<f64>> = x.iter().map(|v| v.map(|v| -v)).collect();
        let strip = |a: SuddenChanges| -> Vec<(Vec<SuddenInterval>, Vec<EventKey>)> {
            a.clients
                .into_iter()
                .map(|c| {
                    let events = c
                        .events
                        .iter()
                        .map(|e| (e.session, e.magnitude, e.reversal))
                        .collect();
                    (c.intervals, events)
                })
                .collect()
        };
        let lower_gains = strip(tang(Better::Lower).gains_wide(&[s("x", x)]));
        assert_eq!(
            lower_gains,
            strip(tang(Better::Higher).gains_wide(&[s("x", &neg)]))
        );
        assert_eq!(
            lower_gains,
            strip(tang(Better::Lower).losses_wide(&[s("x", &neg)]))
        );
        assert_eq!(
            lower_gains,
            strip(tang(Better::Higher).losses_wide(&[s("x", x)]))
        );
    }
}

#[test]
fn reversal_looks_from_session_n_plus_2() {
    // Gain 30 -> 20 at session 3 (criterion 3: 8.67 > 2.776 x 2.708); midpoint 25. Session
    // 5 (n+2) scores 26: a reversal. suddengains 0.7.2 with its default numbering looks
    // from n+3 (19) and would not see it.
    let a = tang(Better::Lower).gains_wide(&[s("r", &all(&[30.0, 31.0, 30.0, 20.0, 26.0, 19.0]))]);
    let g = &a.clients[0].events[0];
    assert_eq!((g.session, g.reversal_value), (3, Some(25.0)));
    assert_eq!((g.reversal, g.reversal_session), (true, Some(5)));
    // Exactly the midpoint is not beyond it; missed sessions are skipped.
    let b = tang(Better::Lower).gains_wide(&[s(
        "r",
        &[
            Some(30.0),
            Some(31.0),
            Some(30.0),
            Some(20.0),
            Some(25.0),
            None,
            Some(19.0),
            Some(27.0),
        ],
    )]);
    let g = &b.clients[0].events[0];
    assert_eq!((g.reversal, g.reversal_session), (true, Some(8)));
}

#[test]
fn missed_sessions_are_not_filled_in() {
    // Session 4 missed. With all criteria the intervals 3-4 and 4-5 are undetermined.
    let x = [
        Some(30.0),
        Some(31.0),
        Some(30.0),
        None,
        Some(20.0),
        Some(21.0),
        Some(19.0),
    ];
    let a = tang(Better::Lower).gains_wide(&[s("m", &x)]);
    let iv = &a.clients[0].intervals;
    assert_eq!(
        iv.iter().map(|i| i.session).collect::<Vec<_>>(),
        [2, 3, 4, 5]
    );
    // 3 -> 4: criteria 1 and 2 need score 4; criterion 3 has 30, 31, 30 against 20, 21
    // (3 degrees of freedom: 3.182).
    assert_eq!(
        (iv[1].cutoff, iv[1].relative, iv[1].mean_shift, iv[1].met),
        (None, None, Some(true), None)
    );
    close(iv[1].critical_value.unwrap_or(0.0), 3.1824463052837078);
    assert_eq!(
        (iv[2].cutoff, iv[2].mean_shift, iv[2].met),
        (None, Some(true), None)
    );
    // 2 -> 3: two scores on each side (30, 31 | 30, 20): 2 degrees of freedom, 4.303.
    close(iv[0].critical_value.unwrap_or(0.0), 4.302652729749462);
    assert_eq!(a.count(), 0);

    // Criterion 3 alone finds both, with no magnitude: score 4 is missing.
    let only_3 = tang(Better::Lower)
        .without(SuddenCriterion::Cutoff)
        .and_then(|o| o.without(SuddenCriterion::Relative))
        .expect("criterion 3 remains");
    let b = only_3.gains_wide(&[s("m", &x)]);
    assert_eq!(sessions(&b), [vec![3, 4]]);
    let g = &b.clients[0].events[0];
    assert_eq!((g.scores.n, g.scores.n_plus_1), (Some(30.0), None));
    assert_eq!(
        (g.magnitude, g.proportion, g.reversal_value, g.reversal),
        (None, None, None, false)
    );
    // Unknown magnitudes: the earliest stands in for the largest and the smallest.
    let c = &b.clients[0];
    assert_eq!(c.pick(SuddenPick::Largest).map(|e| e.session), Some(3));
    assert_eq!(c.pick(SuddenPick::Smallest).map(|e| e.session), Some(3));
    assert_eq!(c.pick(SuddenPick::Last).map(|e| e.session), Some(4));
}

#[test]
fn an_undetermined_criterion_makes_the_interval_undetermined() {
    // 29 -> 28 fails criterion 1, but criterion 3 has only one score before (29): as
    // suddengains multiplies FALSE by NA, the interval is undetermined.
    let x = [None, None, Some(29.0), Some(28.0), None, Some(27.0)];
    let a = tang(Better::Lower).gains_wide(&[s("u", &x)]);
    let i = &a.clients[0].intervals[1];
    assert_eq!(
        (
            i.session,
            i.cutoff,
            i.relative,
            i.mean_shift,
            i.critical_value,
            i.met
        ),
        (3, Some(false), Some(false), None, None, None)
    );
    // Without criterion 3 it is decided.
    let two = tang(Better::Lower)
        .without(SuddenCriterion::MeanShift)
        .expect("two remain");
    assert_eq!(
        two.gains_wide(&[s("u", &x)]).clients[0].intervals[1].met,
        Some(false)
    );
}

#[test]
fn short_series_have_no_intervals() {
    for k in 0..4 {
        let x = all(&[30.0, 10.0, 30.0, 10.0][..k]);
        let a = tang(Better::Lower).gains_wide(&[s("k", &x)]);
        assert_eq!(
            a.clients[0].intervals.len(),
            k.saturating_sub(3),
            "{k} scores"
        );
    }
    // Four scores: one interval, session 2 to 3, with two scores on each side.
    let a = tang(Better::Lower).gains_wide(&[s("k", &all(&[31.0, 30.0, 20.0, 20.0]))]);
    let i = &a.clients[0].intervals[0];
    assert_eq!((i.session, i.met), (2, Some(true)));
    close(i.critical_value.unwrap_or(0.0), 4.302652729749462);
}

#[test]
fn picks_take_the_earliest_of_equals() {
    // sgdata client 43: two gains of 14 (sessions 5 and 7); client 5: 10 (3) and 13 (8).
    let c43 = all(&[
        49.0, 47.0, 45.0, 37.0, 35.0, 21.0, 19.0, 5.0, 7.0, 8.0, 8.0, 8.0,
    ]);
    let c5 = all(&[
        39.0, 37.0, 36.0, 26.0, 26.0, 23.0, 21.0, 19.0, 6.0, 7.0, 8.0, 8.0,
    ]);
    let a = tang(Better::Lower).gains_wide(&[s("43", &c43), s("5", &c5)]);
    assert_eq!(sessions(&a), [vec![5, 7], vec![3, 8]]);
    let picked = |pick| {
        a.by_client(pick)
            .iter()
            .map(|r| r.event.as_ref().map(|e| e.session))
            .collect::<Vec<_>>()
    };
    assert_eq!(picked(SuddenPick::First), [Some(5), Some(3)]);
    assert_eq!(picked(SuddenPick::Last), [Some(7), Some(8)]);
    assert_eq!(picked(SuddenPick::Largest), [Some(5), Some(8)]);
    assert_eq!(picked(SuddenPick::Smallest), [Some(5), Some(3)]);
    assert_eq!(a.by_client(SuddenPick::First)[0].count, 2);
}

#[test]
fn sessions_can_be_numbered_from_a_baseline() {
    let x = all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0, 29.0]);
    let from_1 = tang(Better::Lower).gains_wide(&[s("1", &x)]);
    let from_0 = tang(Better::Lower).gains_wide(&[s("1", &x).starting_at(0)]);
    assert_eq!(sessions(&from_1), [vec![3]]);
    assert_eq!(sessions(&from_0), [vec![2]]);
    // Score 7 (29) is beyond the midpoint 28.5: session 7 from 1, session 6 from 0.
    assert_eq!(from_1.clients[0].events[0].reversal_session, Some(7));
    assert_eq!(from_0.clients[0].events[0].reversal_session, Some(6));
}

#[test]
fn treatment_scores_can_come_from_outside_the_series() {
    let x = all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]);
    let intake = ScoreSeries::new("1", x.clone())
        .and_then(|s| s.treatment(Some(33.0), Some(21.0)))
        .expect("valid");
    let g = tang(Better::Lower).gains_wide(&[intake]).clients[0].events[0].clone();
    assert_eq!(
        (g.treatment_change, g.proportion),
        (Some(12.0), Some(11.0 / 12.0))
    );
    // No change over treatment: no proportion (suddengains: Inf).
    let flat = ScoreSeries::new("1", x.clone())
        .and_then(|s| s.treatment(Some(25.0), Some(25.0)))
        .expect("valid");
    let g = tang(Better::Lower).gains_wide(&[flat]).clients[0].events[0].clone();
    assert_eq!((g.treatment_change, g.proportion), (Some(0.0), None));
    // A missed first session: the change is unknown.
    let mut missed = x;
    missed[0] = None;
    let g = tang(Better::Lower).gains_wide(&[s("1", &missed)]).clients[0].events[0].clone();
    assert_eq!(
        (g.treatment_change, g.proportion, g.magnitude),
        (None, None, Some(11.0))
    );
}

#[test]
fn critical_values_match_r_qt() {
    // R 4.2.2: abs(qt(alpha / 2, df)) for df = 2, 3, 4.
    let cases = [
        (
            0.05,
            [4.302652729749462, 3.1824463052837078, 2.7764451051977934],
        ),
        (
            0.01,
            [9.92484320091829, 5.840909309733354, 4.604094871349992],
        ),
    ];
    for (alpha, want) in cases {
        let m = MeanShift::new(CriticalValue::Adjusted { alpha }).expect("valid alpha");
        for (got, want) in m.critical.iter().zip(want) {
            close(*got, want);
        }
        assert_eq!(m.critical(3), None);
        assert_eq!(m.critical(7), None);
    }
    // Every alpha allowed ends (no panic in statrs, no endless iteration) with ordered
    // values; statrs panics below 1e-162.
    let mut alphas = vec![MIN_ALPHA, 0.5, 1.0 - 1e-16, 1.0_f64.next_down()];
    let mut a = MIN_ALPHA;
    while a < 1.0 {
        alphas.push(a);
        a *= 1.05;
    }
    for alpha in alphas {
        let m = MeanShift::new(CriticalValue::Adjusted { alpha }).expect("valid alpha");
        assert!(
            m.critical.iter().all(|c| c.is_finite() && *c >= 0.0),
            "{alpha}: {:?}",
            m.critical
        );
        // (Near alpha 1 the values are ~1e-8, below statrs' precision, so unordered.)
        if alpha <= 0.5 {
            assert!(
                m.critical[0] >= m.critical[1] && m.critical[1] >= m.critical[2],
                "{alpha}: {:?}",
                m.critical
            );
        }
    }
    let fixed = MeanShift::new(CriticalValue::Fixed { value: 2.776 }).expect("valid");
    assert_eq!(fixed.critical, [2.776; 3]);
}

#[test]
fn a_fixed_critical_value_ignores_missed_sessions() {
    // 30, 34 | 24, 20 (4 scores, pooled SD sqrt(8) = 2.83): the adjusted t (4.303 x 2.83 =
    // 12.2) rejects the shift of 10; the fixed 2.776 (7.85) accepts it.
    let x = [
        Some(30.0),
        Some(34.0),
        None,
        Some(24.0),
        Some(20.0),
        None,
        Some(24.0),
    ];
    let only_3 = |rule| {
        tang(Better::Lower)
            .critical_value(rule)
            .and_then(|o| o.without(SuddenCriterion::Cutoff))
            .and_then(|o| o.without(SuddenCriterion::Relative))
            .expect("valid")
    };
    let adjusted = only_3(CriticalValue::Adjusted { alpha: 0.05 }).gains_wide(&[s("f", &x)]);
    let fixed = only_3(CriticalValue::Fixed { value: 2.776 }).gains_wide(&[s("f", &x)]);
    let i = |a: &SuddenChanges| a.clients[0].intervals[1];
    assert_eq!(
        (i(&adjusted).mean_shift, i(&fixed).mean_shift),
        (Some(false), Some(true))
    );
    assert_eq!(i(&fixed).critical_value, Some(2.776));
}

#[test]
fn cutoff_from_reliability_matches_define_crit1_cutoff() {
    // R: sem <- 10.5 * sqrt(1 - 0.961); sdiff <- sqrt(2 * sem^2); sdiff * 1.96
    let c = SuddenCutoff::from_reliability(10.5, 0.961).expect("valid");
    close(c.standard_error_measurement, 2.0735838541038083);
    close(c.standard_error_difference, 2.932490409191479);
    close(c.cutoff, 5.747681202015299);
    assert_eq!((c.sd, c.reliability), (10.5, 0.961));
    for (sd, r, option) in [
        (0.0, 0.9, "sd"),
        (f64::NAN, 0.9, "sd"),
        (f64::INFINITY, 0.9, "sd"),
        (10.0, 1.2, "reliability"),
        (10.0, -0.1, "reliability"),
        (10.0, f64::NAN, "reliability"),
    ] {
        let err = SuddenCutoff::from_reliability(sd, r).expect_err("invalid");
        assert!(
            matches!(err.kind(), ErrorKind::InvalidOption { option: o, .. } if *o == option),
            "{err}"
        );
    }
    assert_eq!(
        SuddenCutoff::from_reliability(10.0, 2.0)
            .expect_err("invalid")
            .to_string(),
        "reliability 2: must be between 0 and 1"
    );
}

#[test]
fn options_refuse_values_they_cannot_take() {
    let o = tang(Better::Lower);
    let option_of = |r: Result<SuddenOptions>| match r.expect_err("invalid").kind() {
        ErrorKind::InvalidOption { option, .. } => *option,
        other => panic!("{other}"),
    };
    assert_eq!(
        option_of(SuddenOptions::new(Better::Lower, f64::NAN)),
        "cutoff"
    );
    assert_eq!(option_of(o.cutoff(-0.5)), "cutoff");
    assert_eq!(option_of(o.cutoff(f64::INFINITY)), "cutoff");
    assert_eq!(option_of(o.relative(-0.25)), "relative fraction");
    assert_eq!(option_of(o.relative(f64::NAN)), "relative fraction");
    for alpha in [0.0, 1e-11, 1.0, -0.05, f64::NAN, f64::INFINITY] {
        assert_eq!(
            option_of(o.critical_value(CriticalValue::Adjusted { alpha })),
            "alpha"
        );
    }
    for value in [-1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            option_of(o.critical_value(CriticalValue::Fixed { value })),
            "critical value"
        );
    }
    let two_gone = o
        .without(SuddenCriterion::Cutoff)
        .and_then(|o| o.without(SuddenCriterion::MeanShift))
        .expect("one remains");
    let err = two_gone
        .without(SuddenCriterion::Relative)
        .expect_err("none would remain");
    assert_eq!(
        err.to_string(),
        "criterion relative: is the last criterion applied; at least one must remain"
    );
    // Zero is allowed (every shift in the right direction passes), as in suddengains.
    assert!(o.cutoff(0.0).is_ok() && o.relative(0.0).is_ok());
    // A criterion can be applied again.
    let back = two_gone.cutoff(7.0).expect("valid");
    assert!(back.applies(SuddenCriterion::Cutoff) && !back.applies(SuddenCriterion::MeanShift));
}

#[test]
fn series_refuse_non_finite_scores_and_bad_ids() {
    let err = ScoreSeries::new("c-1", [Some(3.0), None, Some(f64::INFINITY)]).expect_err("inf");
    assert_eq!(err.code(), "not_finite_score");
    // The message names the score, never the client's id.
    assert_eq!(err.to_string(), "score 3 is inf, not a finite number");
    let err = ScoreSeries::new("c-1", [Some(3.0)])
        .and_then(|s| s.treatment(Some(1.0), Some(f64::NAN)))
        .expect_err("nan");
    assert_eq!(err.to_string(), "treatment end is NaN, not a finite number");
    for id in ["", " c-1", "c\u{202e}1"] {
        let err = ScoreSeries::new(id, [Some(1.0)]).expect_err("bad id");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::InvalidText {
                    field: "client id",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn names_read_back() {
    for k in SuddenKind::ALL {
        assert_eq!(k.name().parse::<SuddenKind>().ok(), Some(*k));
    }
    for c in SuddenCriterion::ALL {
        assert_eq!(c.name().parse::<SuddenCriterion>().ok(), Some(*c));
    }
    for p in SuddenPick::ALL {
        assert_eq!(p.name().parse::<SuddenPick>().ok(), Some(*p));
    }
    assert!("biggest".parse::<SuddenPick>().is_err());
}

#[cfg(feature = "serde")]
#[test]
fn series_deserialize_with_validation() {
    let s: ScoreSeries = serde_json::from_str(
        r#"{"id": "c-1", "scores": [30, null, 20], "treatment": {"start": 33, "end": null}}"#,
    )
    .expect("valid");
    assert_eq!((s.treatment_start(), s.treatment_end()), (Some(33.0), None));
    let back: ScoreSeries =
        serde_json::from_str(&serde_json::to_string(&s).expect("serializes")).expect("reads back");
    assert_eq!(back, s);
    let err =
        serde_json::from_str::<ScoreSeries>(r#"{"id": "", "scores": []}"#).expect_err("empty id");
    assert!(err.to_string().contains("client id"), "{err}");
    let err = serde_json::from_str::<ScoreSeries>(r#"{"id": "a", "scores": [], "extra": 1}"#)
        .expect_err("unknown field");
    assert!(err.to_string().contains("extra"), "{err}");
}
