//! What is drawn, in data units: the panels, their lines, thresholds, ruptures and sudden shifts,
//! and the words of their legends.

use crate::change::{RuptureOptions, Series, SuddenKind, SuddenOptions};
use crate::components::{Component, Target};
use crate::error::{ErrorKind, Num, Result};
use crate::instruments::{Comparison, Instrument, Slot, TotalRule};
use crate::scoring::Metric;

use super::options::{OutcomePanel, PlotOptions, PlotRuptures, PlotTargets, SuddenMarks};
use super::style::{COMPONENT_COLORS, ONSET_COLOR, OUTCOME_COLOR, REPAIR_COLOR};

/// A threshold as drawn: its value in the plotted metric, the target it reads and its legend.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rule {
    pub(super) value: f64,
    pub(super) target: String,
    pub(super) text: String,
    pub(super) message: String,
}

/// A panel ready to draw, in data units.
#[derive(Debug)]
pub(super) struct Panel {
    pub(super) id: &'static str,
    /// The left axis: its title and the units of its tick labels.
    pub(super) left: Units,
    /// A second axis on the right, in other units of the same positions (the SRS's lines
    /// 0-10 beside its total 0-40), if any.
    pub(super) right: Option<Units>,
    /// The value range the axis must show, if known (an instrument's score range).
    pub(super) range: Option<(f64, f64)>,
    pub(super) lines: Vec<Line>,
    /// Shaded intervals (a mean's confidence interval), under the lines.
    pub(super) bands: Vec<Band>,
    pub(super) rules: Vec<Rule>,
    pub(super) dips: Vec<Dip>,
    pub(super) marks: Vec<Mark>,
    /// Sudden shifts from session N to N+1, highlighted.
    pub(super) shifts: Vec<Shift>,
    /// Small print under the legend.
    pub(super) notes: Vec<String>,
}

impl Panel {
    /// An empty panel with one axis titled `axis`, in the plotted units.
    pub(super) fn new(id: &'static str, axis: impl Into<String>) -> Self {
        Panel {
            id,
            left: Units::plain(axis),
            right: None,
            range: None,
            lines: Vec::new(),
            bands: Vec::new(),
            rules: Vec::new(),
            dips: Vec::new(),
            marks: Vec::new(),
            shifts: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// How an axis labels the plotted values: `shown = offset + factor * plotted`, and its title.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Units {
    pub(super) title: String,
    pub(super) offset: f64,
    pub(super) factor: f64,
}

impl Units {
    /// The plotted values themselves.
    pub(super) fn plain(title: impl Into<String>) -> Self {
        Units {
            title: title.into(),
            offset: 0.0,
            factor: 1.0,
        }
    }

    /// Percent of maximum (0-100) shown as scores from `lo` to `hi`.
    pub(super) fn from_pomp(title: impl Into<String>, (lo, hi): (f64, f64)) -> Self {
        Units {
            title: title.into(),
            offset: lo,
            factor: (hi - lo) / 100.0,
        }
    }

    pub(super) fn shown(&self, plotted: f64) -> f64 {
        self.offset + self.factor * plotted
    }

    pub(super) fn plotted(&self, shown: f64) -> f64 {
        if self.factor == 0.0 {
            shown
        } else {
            (shown - self.offset) / self.factor
        }
    }
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineStyle {
    /// A line of its own in the legend, with a dot at each point while they fit.
    Main,
    /// One of many thin, light lines (each client of a cohort): no dots, one legend entry for
    /// them all (the first's label).
    Faint,
}

#[derive(Debug)]
pub(super) struct Line {
    pub(super) target: String,
    pub(super) label: String,
    pub(super) color: &'static str,
    pub(super) width: f64,
    pub(super) style: LineStyle,
    pub(super) points: Vec<(f64, f64)>,
}

/// A shaded interval along the session axis: (x, lower, upper) per point.
#[derive(Debug)]
pub(super) struct Band {
    pub(super) class: &'static str,
    pub(super) label: String,
    pub(super) color: &'static str,
    pub(super) points: Vec<(f64, f64, f64)>,
}

/// A sudden shift: from (session N, score) to (session N+1, score), a gain or a loss.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shift {
    pub(super) from: (f64, f64),
    pub(super) to: (f64, f64),
    pub(super) gain: bool,
}

#[derive(Debug)]
pub(super) struct Dip {
    pub(super) from: f64,
    pub(super) to: f64,
    pub(super) session: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MarkKind {
    Onset,
    Repair,
    Gain,
    Loss,
}

impl MarkKind {
    pub(super) fn class(self) -> &'static str {
        match self {
            MarkKind::Onset => "rupture-onset",
            MarkKind::Repair => "rupture-repair",
            MarkKind::Gain => "sudden-gain",
            MarkKind::Loss => "sudden-loss",
        }
    }

    pub(super) fn color(self) -> &'static str {
        match self {
            MarkKind::Onset | MarkKind::Loss => ONSET_COLOR,
            MarkKind::Repair | MarkKind::Gain => REPAIR_COLOR,
        }
    }

    pub(super) fn legend(self) -> &'static str {
        match self {
            MarkKind::Onset => "rupture onset",
            MarkKind::Repair => "repair",
            MarkKind::Gain => "sudden gain",
            MarkKind::Loss => "sudden loss",
        }
    }
}

#[derive(Debug)]
pub(super) struct Mark {
    pub(super) kind: MarkKind,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) session: u64,
    pub(super) tip: String,
}

impl PlotOptions {
    /// The targets drawn, each once, with their slots.
    pub(super) fn resolve_targets(&self, inst: &Instrument) -> Result<Vec<(Target, Slot)>> {
        let has_total = inst.total_rule() != TotalRule::None;
        let total = has_total.then_some((Target::Total, Slot::Total));
        let subscale = |i: usize| {
            inst.subscales().get(i).map(|s| match s.component() {
                Some(c) => (Target::Component(c), Slot::Subscale(i)),
                None => (Target::Subscale(s.id().to_owned()), Slot::Subscale(i)),
            })
        };
        let mut out: Vec<(Target, Slot)> = match &self.targets {
            PlotTargets::TotalAndComponents => {
                let components: Vec<(Target, Slot)> = Component::ALL
                    .iter()
                    .filter_map(|&c| match inst.slot(&Target::Component(c)) {
                        Ok(slot) => Some((Target::Component(c), slot)),
                        Err(_) => None,
                    })
                    .collect();
                if components.is_empty() {
                    total
                        .into_iter()
                        .chain((0..inst.subscales().len()).filter_map(subscale))
                        .collect()
                } else {
                    total.into_iter().chain(components).collect()
                }
            }
            PlotTargets::All => total
                .into_iter()
                .chain((0..inst.subscales().len()).filter_map(subscale))
                .collect(),
            PlotTargets::Only(list) => {
                if list.is_empty() {
                    return Err(ErrorKind::InvalidOption {
                        option: "plot targets",
                        value: "none".to_owned(),
                        reason: "name at least one target to draw".to_owned(),
                    }
                    .into());
                }
                let mut out = Vec::with_capacity(list.len());
                for t in list {
                    out.push((t.clone(), inst.slot(t)?));
                }
                out
            }
        };
        let mut seen = Vec::with_capacity(out.len());
        out.retain(|(_, slot)| {
            let fresh = !seen.contains(slot);
            seen.push(*slot);
            fresh
        });
        Ok(out)
    }

    /// Shades, marks and notes the ruptures of the first line drawn, plotted in `metric`.
    ///
    /// The shading starts at the rupture's onset as [`Rupture::onset`](crate::change::Rupture)
    /// defines it: the session where the fall from the level first reaches the threshold (for
    /// a fall in one session, the first session below the level; for a gradual fall, the
    /// session that completes it), not at the last session at the level (`start`). It ends at
    /// the repair, or at the dip's last session below the level.
    pub(super) fn mark_ruptures(
        &self,
        series: &Series,
        (target, slot): (&Target, Slot),
        metric: Metric,
        sessions: &[u32],
        panel: &mut Panel,
    ) -> Result<()> {
        let found = match &self.ruptures {
            PlotRuptures::None => return Ok(()),
            PlotRuptures::Detect(_) if series.instrument().better() != crate::Better::Higher => {
                // A dip on a symptom measure is an improvement, not a rupture.
                return Ok(());
            }
            // A rule in SDs without a floor of its own gets the session monitor's.
            PlotRuptures::Detect(rule) => match rule
                .floored_to_range(
                    series.instrument(),
                    target,
                    crate::change::DEFAULT_RUPTURE_FLOOR,
                )
                .analyze(series, target.clone())
            {
                Ok(found) => found,
                Err(e) if matches!(e.kind(), ErrorKind::TooFewRows { .. }) => {
                    panel.notes.push(format!("Ruptures: {}.", rule_text(rule)));
                    panel
                        .notes
                        .push("Too few scored sessions to look for ruptures.".to_owned());
                    return Ok(());
                }
                Err(e) => return Err(e),
            },
            PlotRuptures::Given(found) => found.clone(),
        };
        let values = series.values(target.clone(), metric);
        let scored: Vec<(u32, f64)> = sessions
            .iter()
            .zip(&values)
            .filter_map(|(&s, v)| v.map(|v| (s, v)))
            .collect();
        let at = |session: u32| -> Result<f64> {
            match scored.binary_search_by_key(&session, |p| p.0) {
                Ok(i) => Ok(scored.get(i).map_or(0.0, |p| p.1)),
                Err(_) => Err(ErrorKind::InvalidSeries {
                    session: Some(session),
                    reason: format!(
                        "a rupture given names this session, which the series {} on {}",
                        if sessions.contains(&session) {
                            "does not score"
                        } else {
                            "does not have"
                        },
                        target_name(series.instrument(), slot)
                    ),
                }
                .into()),
            }
        };
        let name = target_name(series.instrument(), slot);
        for r in &found.ruptures {
            at(r.start)?;
            let onset_y = at(r.onset)?;
            // The dip is shaded from the onset to the repair, or to the session that ended it
            // (or the last one below the level, at the end of the series).
            let end = match &r.repair {
                Some(rep) => {
                    let y = at(rep.session)?;
                    panel.marks.push(Mark {
                        kind: MarkKind::Repair,
                        x: f64::from(rep.session),
                        y,
                        session: u64::from(rep.session),
                        tip: format!(
                            "Repair at session {}: back to the level of session {}, {} session{} after the onset",
                            rep.session,
                            r.start,
                            rep.sessions_after_onset,
                            plural(u64::from(rep.sessions_after_onset))
                        ),
                    });
                    rep.session
                }
                None => {
                    let after: Vec<u32> = scored
                        .iter()
                        .map(|p| p.0)
                        .filter(|&s| s > r.start)
                        .take(
                            usize::try_from(r.length)
                                .unwrap_or(usize::MAX)
                                .saturating_add(1),
                        )
                        .collect();
                    after.last().copied().unwrap_or(r.onset)
                }
            };
            panel.dips.push(Dip {
                from: f64::from(r.onset),
                to: f64::from(end.max(r.onset)),
                session: u64::from(r.onset),
            });
            panel.marks.push(Mark {
                kind: MarkKind::Onset,
                x: f64::from(r.onset),
                y: onset_y,
                session: u64::from(r.onset),
                tip: format!(
                    "Rupture onset at session {}: {} fell {} below its level at session {}{}",
                    r.onset,
                    name,
                    Num(round2(r.depth)),
                    r.start,
                    if r.repair.is_some() {
                        ""
                    } else {
                        "; not repaired"
                    }
                ),
            });
        }
        panel
            .notes
            .push(format!("Ruptures: {}.", rule_text(&found.rule)));
        let repaired = found.ruptures.iter().filter(|r| r.repair.is_some()).count();
        panel.notes.push(match found.ruptures.len() {
            0 => "No rupture found.".to_owned(),
            all => format!("{}, {repaired} repaired.", count(all, "rupture")),
        });
        Ok(())
    }
}

/// The outcome panel in data units, its sudden shifts found.
pub(super) fn outcome_panel(o: &OutcomePanel) -> Panel {
    let first = f64::from(o.first_session);
    let points: Vec<(f64, f64)> = (0u32..)
        .zip(o.scores.scores())
        .filter_map(|(i, v)| v.map(|v| (first + f64::from(i), v)))
        .collect();
    let mut panel = Panel {
        range: o.range,
        lines: vec![Line {
            target: "outcome".to_owned(),
            label: o.label.clone(),
            color: OUTCOME_COLOR,
            width: 2.2,
            style: LineStyle::Main,
            points,
        }],
        rules: o.thresholds.clone(),
        ..Panel::new("outcome", o.axis.clone())
    };
    let (options, kinds): (&SuddenOptions, &[SuddenKind]) = match &o.sudden {
        SuddenMarks::None => return panel,
        SuddenMarks::Gains(opt) => (opt, &[SuddenKind::Gain]),
        SuddenMarks::Losses(opt) => (opt, &[SuddenKind::Loss]),
        SuddenMarks::GainsAndLosses(opt) => (opt, &[SuddenKind::Gain, SuddenKind::Loss]),
    };
    let scores = [o.scores.clone().starting_at(o.first_session)];
    let mut counts = Vec::new();
    for &kind in kinds {
        let analysis = options.analyze_series(kind, &scores);
        let gain = kind == SuddenKind::Gain;
        let mark = if gain { MarkKind::Gain } else { MarkKind::Loss };
        counts.push(count(
            analysis.count(),
            if gain { "sudden gain" } else { "sudden loss" },
        ));
        for e in analysis.events() {
            // u32 session numbers and at most u32::MAX scores: exact in f64.
            let n = e.session as f64;
            let before = e.scores.n.map(|v| (n, v));
            let after = e.scores.n_plus_1.map(|v| (n + 1.0, v));
            if let (Some(b), Some(a)) = (before, after) {
                panel.shifts.push(Shift {
                    from: b,
                    to: a,
                    gain,
                });
            }
            let Some((x, y)) = after.or(before) else {
                continue;
            };
            let size = e
                .magnitude
                .map_or_else(String::new, |m| format!(" of {}", Num(round2(m))));
            panel.marks.push(Mark {
                kind: mark,
                x,
                y,
                session: e.session.saturating_add(1),
                tip: format!(
                    "{}{size} from session {} to {}{}",
                    if gain { "Sudden gain" } else { "Sudden loss" },
                    e.session,
                    e.session.saturating_add(1),
                    if e.reversal { " (reversed later)" } else { "" }
                ),
            });
        }
    }
    let mut rule = String::from(match kinds {
        [SuddenKind::Gain] => "Sudden gains",
        [SuddenKind::Loss] => "Sudden losses",
        _ => "Sudden gains and losses",
    });
    rule.push_str(" (Tang & DeRubeis): a change");
    let mut criteria = Vec::new();
    if let Some(c) = options.cutoff_value() {
        criteria.push(format!(" of at least {} points", Num(c)));
    }
    if let Some(f) = options.relative_fraction() {
        criteria.push(format!(
            " of at least {}% of the score",
            Num(round2(f * 100.0))
        ));
    }
    rule.push_str(&criteria.join(" and"));
    if options.critical_value_rule().is_some() {
        rule.push_str(if criteria.is_empty() {
            " in the mean"
        } else {
            ", and a shift in the mean"
        });
    }
    rule.push('.');
    panel.notes.push(rule);
    panel.notes.push(format!("{}.", counts.join(", ")));
    panel
}

/// The instrument's thresholds on the targets drawn, at their values in the plotted `metric`,
/// their legends in the `shown` metric (the metric the axes are labeled in).
pub(super) fn thresholds_on(
    inst: &Instrument,
    targets: &[(Target, Slot)],
    metric: Metric,
    shown: Metric,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for t in inst.thresholds() {
        let Ok(slot) = inst.slot(t.target()) else {
            continue;
        };
        if !targets.iter().any(|(_, s)| *s == slot) {
            continue;
        }
        let Some(value) = convert_value(inst, slot, t.value(), t.metric(), metric) else {
            continue;
        };
        let symbol = match t.comparison() {
            Comparison::Below => "<",
            Comparison::AtOrBelow => "≤",
            Comparison::Above => ">",
            Comparison::AtOrAbove => "≥",
        };
        let text = if t.metric() == shown {
            format!("{} {symbol} {}", target_label(inst, slot), Num(t.value()))
        } else {
            let Some(in_shown) = convert_value(inst, slot, t.value(), t.metric(), shown) else {
                continue;
            };
            format!(
                "{} {symbol} {} {} (= {})",
                target_label(inst, slot),
                Num(t.value()),
                t.metric().name(),
                in_metric(round2(in_shown), shown)
            )
        };
        rules.push(Rule {
            value,
            target: target_name(inst, slot),
            text,
            message: t.message().to_owned(),
        });
    }
    rules
}

/// A value with its metric's unit: `90%` (of maximum), `36 sum`, `3.2 mean`.
pub(super) fn in_metric(value: f64, metric: Metric) -> String {
    match metric {
        Metric::Pomp => format!("{}%", Num(value)),
        other => format!("{} {}", Num(value), other.name()),
    }
}

/// A score of `slot` in metric `from` as metric `to`: each metric is linear in the others.
pub(super) fn convert_value(
    inst: &Instrument,
    slot: Slot,
    value: f64,
    from: Metric,
    to: Metric,
) -> Option<f64> {
    if from == to {
        return Some(value);
    }
    let a = inst.slot_range(slot, from);
    let b = inst.slot_range(slot, to);
    let span = a.max() - a.min();
    (span > 0.0).then(|| b.min() + (value - a.min()) / span * (b.max() - b.min()))
}

/// An amount of change on the total in metric `from` as metric `to`.
pub(super) fn convert_amount(
    inst: &Instrument,
    points: f64,
    from: Metric,
    to: Metric,
) -> Option<f64> {
    let zero = convert_value(inst, Slot::Total, 0.0, from, to)?;
    let moved = convert_value(inst, Slot::Total, points, from, to)?;
    Some(moved - zero)
}

/// The range of scores the targets can take in `metric`: from the lowest minimum to the
/// highest maximum.
pub(super) fn fixed_range(
    inst: &Instrument,
    targets: &[(Target, Slot)],
    metric: Metric,
) -> Option<(f64, f64)> {
    targets
        .iter()
        .map(|(_, slot)| inst.slot_range(*slot, metric))
        .map(|r| (r.min(), r.max()))
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

pub(super) fn component_color(c: Component) -> &'static str {
    match c {
        Component::Goals => COMPONENT_COLORS[0],
        Component::Collaboration => COMPONENT_COLORS[1],
        Component::Bond => COMPONENT_COLORS[2],
    }
}

/// The target's text form: `total`, a component name or a subscale id.
pub(super) fn target_name(inst: &Instrument, slot: Slot) -> String {
    match slot {
        Slot::Total => "total".to_owned(),
        Slot::Subscale(i) => inst.subscales().get(i).map_or_else(String::new, |s| {
            s.component()
                .map_or_else(|| s.id().to_owned(), |c| c.name().to_owned())
        }),
    }
}

/// The target as a legend names it: `Total`, or the subscale's label with the component it
/// measures when the label does not say (`Task (collaboration)`).
pub(super) fn target_label(inst: &Instrument, slot: Slot) -> String {
    match slot {
        Slot::Total => "Total".to_owned(),
        Slot::Subscale(i) => {
            inst.subscales()
                .get(i)
                .map_or_else(String::new, |s| match s.component() {
                    Some(c)
                        if !s
                            .label()
                            .to_lowercase()
                            .contains(c.name().trim_end_matches('s')) =>
                    {
                        format!("{} ({})", s.label(), c.name())
                    }
                    _ => s.label().to_owned(),
                })
        }
    }
}

/// The instrument's short name: the abbreviation its name ends with in parentheses
/// ("... (PHQ-9)"), else its name.
pub(super) fn short_name(inst: &Instrument) -> String {
    let name = inst.name();
    name.strip_suffix(')')
        .and_then(|n| n.rsplit_once('('))
        .map(|(_, abbr)| abbr.split(',').next().unwrap_or(abbr).trim())
        .filter(|abbr| !abbr.is_empty())
        .unwrap_or(name)
        .to_owned()
}

pub(super) fn rule_text(rule: &RuptureOptions) -> String {
    use crate::change::{RuptureSize, SdSource};
    let size = match rule.size() {
        RuptureSize::Points(p) => format!("a drop of {} points", Num(p)),
        RuptureSize::Sd { multiple, source } => match source {
            SdSource::Own => format!("a drop of {} SD of the client's scores", Num(multiple)),
            SdSource::Sample(s) => {
                format!("a drop of {} × the sample SD ({})", Num(multiple), Num(s))
            }
            SdSource::LargerOf(s) => format!(
                "a drop of {} × the larger of the client's SD and {}",
                Num(multiple),
                Num(s)
            ),
        },
    };
    let floor = rule.floor().map_or_else(String::new, |f| {
        format!(" (at least {} points)", Num((f * 100.0).round() / 100.0))
    });
    format!(
        "{size}{floor}, back to the level within {} session{}",
        rule.window(),
        plural(u64::from(rule.window()))
    )
}

/// `1 rupture`, `3 sudden gains`.
pub(super) fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n as u64))
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(super) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
