//! Identifying sudden gains and losses: each interval's criteria and each event, client by
//! client, from the wide form of a [`SessionTable`].

use super::{
    SuddenChanges, SuddenClient, SuddenEvent, SuddenInterval, SuddenKind, SuddenOptions,
    SuddenWindow,
};
use crate::change::{Better, ScoreSeries, SessionTable};
use crate::error::Result;
use crate::stats;

impl SuddenOptions {
    /// The sudden gains of each client (suddengains' `identify_sg()`, `create_bysg()` and
    /// `create_byperson()` in one pass).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let clients = SessionTable::from_wide([
    ///     ScoreSeries::new("a", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?,
    ///     ScoreSeries::new("b", [Some(30.0), Some(29.0), Some(30.0), Some(28.0), Some(29.0), Some(27.0)])?,
    /// ])?;
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&clients)?;
    /// assert_eq!(gains.count(), 1);
    /// let by_client = gains.by_client(SuddenPick::Largest);
    /// assert_eq!((by_client[0].count, by_client[1].count), (1, 0));
    /// assert_eq!(by_client[0].event.as_ref().map(|g| g.session), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn gains(&self, table: &SessionTable) -> Result<SuddenChanges> {
        self.analyze(SuddenKind::Gain, table)
    }

    /// The sudden losses of each client: the mirror image of [`gains`](SuddenOptions::gains)
    /// (suddengains' `identify_sl()`, with its criterion 2 applied as written; see the
    /// differences listed on [`SuddenOptions`]).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let bdi = [Some(10.0), Some(11.0), Some(12.0), Some(30.0), Some(28.0), Some(33.0)];
    /// let losses = SuddenOptions::new(Better::Lower, 7.0)?.losses(&SessionTable::from_wide([ScoreSeries::new("1", bdi)?])?)?;
    /// let loss = &losses.clients[0].events[0];
    /// assert_eq!((loss.session, loss.magnitude), (3, Some(18.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn losses(&self, table: &SessionTable) -> Result<SuddenChanges> {
        self.analyze(SuddenKind::Loss, table)
    }

    /// The gains or losses of each client.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenKind, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = SessionTable::from_wide([ScoreSeries::new("1", [Some(10.0), Some(11.0), Some(12.0), Some(30.0), Some(28.0), Some(33.0)])?])?;
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?;
    /// assert_eq!(o.analyze(SuddenKind::Loss, &s)?, o.losses(&s)?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(&self, kind: SuddenKind, table: &SessionTable) -> Result<SuddenChanges> {
        Ok(self.analyze_series(kind, &table.wide()?))
    }

    /// The gains or losses of each client in wide form (a series without a first session
    /// number starts at session 1).
    pub(crate) fn analyze_series(&self, kind: SuddenKind, series: &[ScoreSeries]) -> SuddenChanges {
        SuddenChanges {
            kind,
            better: self.better,
            clients: series.iter().map(|s| self.client(kind, s)).collect(),
        }
    }

    /// The shift from `before` to `after` in the direction looked for: positive when it is
    /// an improvement (gains) or a worsening (losses).
    fn shift(&self, kind: SuddenKind, before: f64, after: f64) -> f64 {
        let improvement = self.better.improvement(before, after);
        match kind {
            SuddenKind::Gain => improvement,
            SuddenKind::Loss => -improvement,
        }
    }

    /// As [`shift`](Self::shift) in binary floating point, for values that are no decimals a
    /// person wrote (the means of criterion 3) or where only the sign counts (a reversal).
    fn float_shift(&self, kind: SuddenKind, before: f64, after: f64) -> f64 {
        let improvement = match self.better {
            Better::Lower => before - after,
            _ => after - before,
        };
        match kind {
            SuddenKind::Gain => improvement,
            SuddenKind::Loss => -improvement,
        }
    }

    /// The session number of the score at `index` of `series`.
    fn session(&self, series: &ScoreSeries, index: usize) -> u64 {
        u64::from(series.first_session.unwrap_or(1))
            .saturating_add(u64::try_from(index).unwrap_or(u64::MAX))
    }

    /// One client's intervals and events.
    fn client(&self, kind: SuddenKind, series: &ScoreSeries) -> SuddenClient {
        let scores = series.scores();
        let at = |i: usize| scores.get(i).copied().flatten();
        let treatment_change = match (series.treatment_start(), series.treatment_end()) {
            (Some(start), Some(end)) => Some(self.shift(kind, start, end)),
            _ => None,
        };
        let mut intervals = Vec::new();
        let mut events = Vec::new();
        // Pre-gain scores from the 2nd to the (k-2)th, as suddengains: criterion 3 needs two
        // scores before (N-1, N) and two after (N+1, N+2).
        for n in 1..scores.len().saturating_sub(2) {
            let interval = self.interval(kind, series, n);
            if interval.met == Some(true) {
                events.push(self.event(kind, series, n, treatment_change, &at));
            }
            intervals.push(interval);
        }
        SuddenClient {
            id: series.id().to_owned(),
            intervals,
            events,
        }
    }

    /// The criteria for the interval from the score at index `n` to the next.
    fn interval(&self, kind: SuddenKind, series: &ScoreSeries, n: usize) -> SuddenInterval {
        let scores = series.scores();
        let pre = scores.get(n).copied().flatten();
        let post = scores.get(n.saturating_add(1)).copied().flatten();
        let both = pre.zip(post);
        let cutoff = self
            .cutoff
            .and_then(|c| both.map(|(a, b)| self.shift(kind, a, b) >= c));
        let relative = self
            .relative
            .and_then(|f| both.map(|(a, b)| self.shift(kind, a, b) >= f * a.abs()));
        let mut mean_shift = None;
        let mut critical_value = None;
        if let Some(m) = &self.mean_shift {
            // Sessions N-2..=N before, N+1..=N+3 after, cut at the ends of the series.
            let before = window(scores, n.saturating_sub(2), n.saturating_add(1));
            let after = window(scores, n.saturating_add(1), n.saturating_add(4));
            if before.len() >= 2 && after.len() >= 2 {
                let (n1, n2) = (before.len(), after.len());
                if let (Some(t), Some(m1), Some(m2)) = (
                    m.critical(n1 + n2),
                    stats::mean(&before),
                    stats::mean(&after),
                ) {
                    let pooled = (((n1 - 1) as f64 * stats::variance_about(&before, m1)
                        + (n2 - 1) as f64 * stats::variance_about(&after, m2))
                        / (n1 + n2 - 2) as f64)
                        .sqrt();
                    mean_shift = Some(self.float_shift(kind, m1, m2) > t * pooled);
                    critical_value = Some(t);
                }
            }
        }
        let applied = [
            (self.cutoff.is_some(), cutoff),
            (self.relative.is_some(), relative),
            (self.mean_shift.is_some(), mean_shift),
        ];
        // As suddengains multiplies the criteria: undetermined if any applied criterion is.
        let met = applied
            .iter()
            .filter(|(applies, _)| *applies)
            .try_fold(true, |all, (_, c)| c.map(|c| all && c));
        SuddenInterval {
            session: self.session(series, n),
            cutoff,
            relative,
            mean_shift,
            critical_value,
            met,
        }
    }

    /// The gain or loss from the score at index `n` to the next.
    fn event(
        &self,
        kind: SuddenKind,
        series: &ScoreSeries,
        n: usize,
        treatment_change: Option<f64>,
        at: &impl Fn(usize) -> Option<f64>,
    ) -> SuddenEvent {
        let scores = SuddenWindow {
            n_minus_2: n.checked_sub(2).and_then(at),
            n_minus_1: n.checked_sub(1).and_then(at),
            n: at(n),
            n_plus_1: at(n.saturating_add(1)),
            n_plus_2: at(n.saturating_add(2)),
            n_plus_3: at(n.saturating_add(3)),
        };
        let pair = scores.n.zip(scores.n_plus_1);
        let magnitude = pair.map(|(a, b)| self.shift(kind, a, b));
        // suddengains: score N+1 plus half of (score N - score N+1), the midpoint of the two.
        let reversal_value = pair.map(|(a, b)| b + (a - b) / 2.0);
        // A later score on the far side of the midpoint, from session N+2 on.
        let reversal_session = reversal_value.and_then(|mid| {
            series
                .scores()
                .iter()
                .enumerate()
                .skip(n.saturating_add(2))
                .find(|(_, v)| v.is_some_and(|v| self.float_shift(kind, mid, v) < 0.0))
                .map(|(i, _)| self.session(series, i))
        });
        let proportion = match (magnitude, treatment_change) {
            (Some(m), Some(c)) if c != 0.0 => Some(m / c),
            _ => None,
        };
        SuddenEvent {
            client: series.id().to_owned(),
            kind,
            session: self.session(series, n),
            scores,
            magnitude,
            treatment_change,
            proportion,
            reversal_value,
            reversal: reversal_session.is_some(),
            reversal_session,
        }
    }
}

/// The scores present in `scores[from..to]` (cut at the end).
fn window(scores: &[Option<f64>], from: usize, to: usize) -> Vec<f64> {
    let to = to.min(scores.len());
    scores
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| *v)
        .collect()
}
