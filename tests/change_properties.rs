//! Property tests for the change statistics: results do not depend on the order rows come in,
//! and the session monitor's ruptures are the batch rule's.

use proptest::prelude::*;
use std::collections::HashMap;
use therapeutic_alliance::Better;
use therapeutic_alliance::change::{
    ChangeRow, Correlation, PrePost, RciMethod, ReliableChangeOptions, RuptureOptions, ScoreSeries,
    SessionTable, SuddenOptions, Trajectory, TrajectoryOptions,
};

/// Relative closeness for sums taken in another order.
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// A permutation of `0..n` from a seed.
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    let mut s = seed | 1;
    for i in (1..n).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p.swap(i, (s % (i as u64 + 1)) as usize);
    }
    p
}

/// Session scores on a 0-40 scale in quarter points, some sessions missed.
fn sessions() -> impl Strategy<Value = Vec<Option<f64>>> {
    proptest::collection::vec(
        prop_oneof![1 => Just(None), 6 => (0u32..=160).prop_map(|q| Some(f64::from(q) / 4.0))],
        1..16,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_trajectory_does_not_depend_on_point_order(values in sessions(), seed in any::<u64>()) {
        let points: Vec<(u32, Option<f64>)> = values.iter().enumerate().map(|(i, v)| (i as u32 + 1, *v)).collect();
        let shuffled: Vec<(u32, Option<f64>)> = permutation(points.len(), seed).into_iter().map(|i| points[i]).collect();
        let opts = TrajectoryOptions::default();
        let a = Trajectory::from_sessions(points, &opts);
        let b = Trajectory::from_sessions(shuffled, &opts);
        prop_assert_eq!(a.map_err(|e| e.kind().clone()), b.map_err(|e| e.kind().clone()));
    }

    #[test]
    fn a_session_table_does_not_depend_on_row_order(clients in proptest::collection::vec(sessions(), 1..6), seed in any::<u64>()) {
        let rows: Vec<(String, u32, Option<f64>)> = clients
            .iter()
            .enumerate()
            .flat_map(|(c, vs)| vs.iter().enumerate().map(move |(s, v)| (format!("c{c}"), s as u32 + 1, *v)))
            .collect();
        let shuffled: Vec<_> = permutation(rows.len(), seed).into_iter().map(|i| rows[i].clone()).collect();
        let opts = TrajectoryOptions::default();
        let a = SessionTable::from_rows(rows).expect("valid rows");
        let b = SessionTable::from_rows(shuffled).expect("valid rows");
        let by_client = |t: &SessionTable| -> HashMap<String, _> {
            t.trajectories(&opts).into_iter().map(|c| (c.client.clone(), c)).collect()
        };
        prop_assert_eq!(by_client(&a), by_client(&b));
        let (ma, mb) = (a.mean_trajectory(), b.mean_trajectory());
        prop_assert_eq!(ma.len(), mb.len());
        for (x, y) in ma.iter().zip(&mb) {
            prop_assert_eq!((x.session, x.n, x.missing), (y.session, y.n, y.missing));
            prop_assert!(close_opt(x.mean, y.mean) && close_opt(x.sd, y.sd), "{:?} {:?}", x, y);
        }
        // Person-mean centering: within-client parts sum to zero for every client.
        let mut sums: HashMap<String, (f64, f64)> = HashMap::new();
        for c in a.centered() {
            if let Some(w) = c.within {
                let e = sums.entry(c.client.clone()).or_default();
                e.0 += w;
                e.1 += w.abs();
            }
        }
        for (client, (sum, scale)) in sums {
            prop_assert!(sum.abs() <= 1e-9 * scale.max(1.0), "{client}: {sum}");
        }
    }

    #[test]
    fn reliable_change_does_not_depend_on_row_order(
        pairs in proptest::collection::vec((0u32..=60, 0u32..=60), 3..40),
        seed in any::<u64>(),
        method in 0usize..6,
    ) {
        let method = [RciMethod::JacobsonTruax, RciMethod::GulliksenLordNovick, RciMethod::HsuLinnLord,
                      RciMethod::EdwardsNunnally, RciMethod::NunnallyKotsch, RciMethod::HagemanArrindell][method];
        let rows: Vec<ChangeRow> = pairs.iter().enumerate()
            .map(|(i, &(a, b))| ChangeRow::new(format!("p{i}"), Some(f64::from(a)), Some(f64::from(b))))
            .collect();
        let shuffled: Vec<ChangeRow> = permutation(rows.len(), seed).into_iter().map(|i| rows[i].clone()).collect();
        let options = ReliableChangeOptions::new(method, 0.8, Better::Lower).expect("valid options")
            .post_reliability(0.7).expect("valid reliability");
        match (options.analyze(rows), options.analyze(shuffled)) {
            (Ok(a), Ok(b)) => {
                let b_people: HashMap<&str, _> = b.people.iter().map(|p| (p.id.as_str(), p)).collect();
                for p in &a.people {
                    let q = b_people[p.id.as_str()];
                    prop_assert!(close(p.rci, q.rci), "{}: {} vs {}", p.id, p.rci, q.rci);
                    // A category can only differ for an RCI within rounding of the critical value.
                    if p.category != q.category {
                        prop_assert!((p.rci.abs() - a.critical_value).abs() <= 1e-9, "{:?}", p);
                    }
                }
                prop_assert_eq!(a.n_used, b.n_used);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
        }
    }

    #[test]
    fn sudden_gains_are_per_client(clients in proptest::collection::vec(sessions(), 1..8), seed in any::<u64>()) {
        let series: Vec<ScoreSeries> = clients.iter().enumerate()
            .map(|(i, v)| ScoreSeries::new(format!("c{i}"), v.clone()).expect("finite"))
            .collect();
        let shuffled: Vec<ScoreSeries> = permutation(series.len(), seed).into_iter().map(|i| series[i].clone()).collect();
        let options = SuddenOptions::new(Better::Lower, 4.0).expect("valid options");
        let table = SessionTable::from_wide(series).expect("a valid table");
        let shuffled = SessionTable::from_wide(shuffled).expect("a valid table");
        for analysis in [options.gains(&table), options.losses(&table)] {
            let analysis = analysis.expect("an analysis");
            let again = options.analyze(analysis.kind, &shuffled).expect("an analysis");
            let by_id: HashMap<&str, _> = again.clients.iter().map(|c| (c.id.as_str(), c)).collect();
            for c in &analysis.clients {
                prop_assert_eq!(Some(&c), by_id.get(c.id.as_str()));
            }
        }
    }

    #[test]
    fn correlation_and_effect_sizes_do_not_depend_on_pair_order(
        pairs in proptest::collection::vec((0u32..=40, 0u32..=40), 4..40),
        seed in any::<u64>(),
    ) {
        let pairs: Vec<(Option<f64>, Option<f64>)> = pairs.iter().map(|&(a, b)| (Some(f64::from(a)), Some(f64::from(b)))).collect();
        let shuffled: Vec<_> = permutation(pairs.len(), seed).into_iter().map(|i| pairs[i]).collect();
        let swapped: Vec<_> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        if let (Ok(a), Ok(b), Ok(s)) = (
            Correlation::from_pairs(pairs.clone()),
            Correlation::from_pairs(shuffled.clone()),
            Correlation::from_pairs(swapped),
        ) {
            prop_assert!(close(a.pearson, b.pearson) && close(a.pearson, s.pearson));
            prop_assert!(close(a.spearman, b.spearman) && close(a.spearman, s.spearman));
            prop_assert!((-1.0..=1.0).contains(&a.pearson) && (-1.0..=1.0).contains(&a.spearman));
        }
        if let (Ok(a), Ok(b)) = (PrePost::from_pairs(pairs), PrePost::from_pairs(shuffled)) {
            prop_assert!(close(a.mean_diff, b.mean_diff) && close(a.d_z, b.d_z) && close(a.t, b.t));
            prop_assert!(a.d_z_ci.lower <= a.d_z && a.d_z <= a.d_z_ci.upper, "{:?}", a.d_z_ci);
        }
    }

    #[test]
    fn ruptures_are_deep_enough_and_repairs_return(values in sessions(), threshold in 1u32..20) {
        let rule = RuptureOptions::points(f64::from(threshold) / 2.0).expect("positive");
        let found = rule.analyze_values(&values).expect("finite");
        for r in &found.ruptures {
            prop_assert!(r.depth >= found.threshold);
            prop_assert!(r.start < r.onset && r.start < r.lowest_session);
            prop_assert_eq!(values[r.start as usize - 1], Some(r.level));
            if let Some(rep) = &r.repair {
                prop_assert!(rep.value >= r.level);
                prop_assert!(rep.sessions_after_onset <= rule.window());
            }
        }
    }
}

/// Any f64: ordinary scores, extremes, subnormals, zero, NaN, infinities.
fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -100.0f64..100.0,
        1 => any::<f64>(),
        1 => prop_oneof![Just(0.0), Just(-0.0), Just(f64::MIN_POSITIVE / 4.0), Just(1e-200),
                         Just(1e100), Just(1.0000001e100), Just(f64::MAX), Just(f64::NAN), Just(f64::INFINITY)],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every change statistic takes any input without a panic, and what it returns is finite:
    /// an extreme value is a typed error, never a silently wrong number.
    #[test]
    fn any_numbers_give_finite_results_or_typed_errors(
        values in proptest::collection::vec((any_value(), any_value()), 0..12),
    ) {
        let pairs: Vec<(Option<f64>, Option<f64>)> = values.iter().map(|&(a, b)| (Some(a), Some(b))).collect();
        if let Ok(c) = Correlation::from_pairs(pairs.clone()) {
            prop_assert!(c.pearson.is_finite() && c.spearman.is_finite() && c.p.is_finite(), "{:?}", c);
        }
        if let Ok(p) = PrePost::from_pairs(pairs) {
            prop_assert!(p.mean_diff.is_finite() && p.sd_diff.is_finite() && p.t.is_finite() && p.d_z.is_finite(), "{:?}", p);
            prop_assert!(p.d_z_ci.lower.is_finite() && p.d_z_ci.upper.is_finite(), "{:?}", p);
        }
        let points: Vec<(f64, f64)> = values.clone();
        if let Ok(t) = Trajectory::from_points(&points, &TrajectoryOptions::default()) {
            for v in [Some(t.early), Some(t.change), t.intercept, t.slope, t.slope_se].into_iter().flatten() {
                prop_assert!(v.is_finite(), "{:?}", t);
            }
        }
        let rows: Vec<(&str, u32, Option<f64>)> = values.iter().enumerate().map(|(i, &(_, y))| ("c", i as u32, Some(y))).collect();
        if let Ok(table) = SessionTable::from_rows(rows) {
            for c in table.trajectories(&TrajectoryOptions::default()) {
                if let Some(t) = c.trajectory {
                    for v in [Some(t.early), Some(t.change), t.intercept, t.slope, t.slope_se].into_iter().flatten() {
                        prop_assert!(v.is_finite(), "{:?}", t);
                    }
                }
            }
        }
        let scores: Vec<Option<f64>> = values.iter().map(|&(a, _)| Some(a)).collect();
        if let Ok(s) = ScoreSeries::new("c", scores.clone()) {
            let table = SessionTable::from_wide([s]).expect("a valid table");
            let analysis = SuddenOptions::new(Better::Lower, 1.0).expect("valid").gains(&table).expect("an analysis");
            for e in analysis.events() {
                prop_assert!(e.magnitude.is_none_or(f64::is_finite), "{:?}", e);
            }
        }
        if let Ok(found) = RuptureOptions::points(1.0).expect("valid").analyze_values(&scores) {
            for r in &found.ruptures {
                prop_assert!(r.depth.is_finite() && r.level.is_finite(), "{:?}", r);
            }
        }
        let rows: Vec<ChangeRow> = values.iter().enumerate().map(|(i, &(a, b))| ChangeRow::new(format!("p{i}"), Some(a), Some(b))).collect();
        if let Ok(r) = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower).expect("valid").analyze(rows) {
            for p in &r.people {
                prop_assert!(p.rci.is_finite(), "{:?}", p);
            }
        }
    }
}
