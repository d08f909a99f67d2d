//! The look of the picture: colors, fonts and strokes.

use super::svg::{Font, Stroke, font, stroke};

/// Color-blind-safe colors (Okabe & Ito 2008) for the lines: the total, then goals,
/// collaboration and bond, then other subscales.
pub(super) const TOTAL_COLOR: &str = "#1a1a1a";
pub(super) const COMPONENT_COLORS: [&str; 3] = ["#0072B2", "#E69F00", "#CC79A7"];
pub(super) const OTHER_COLORS: [&str; 4] = ["#56B4E9", "#882255", "#44AA99", "#999933"];
pub(super) const THRESHOLD_COLOR: &str = "#6A3D9A";
pub(super) const ONSET_COLOR: &str = "#D55E00";
pub(super) const REPAIR_COLOR: &str = "#009E73";
pub(super) const OUTCOME_COLOR: &str = "#4d4d4d";
pub(super) const GRID_COLOR: &str = "#e6e6e6";
pub(super) const AXIS_COLOR: &str = "#595959";
pub(super) const TEXT_COLOR: &str = "#1a1a1a";
pub(super) const NOTE_COLOR: &str = "#595959";

// The fonts: the title, the axis titles and tick labels, the legend and its small print, and
// the note of an empty panel.
pub(super) const TITLE: Font = Font {
    bold: true,
    ..font("title", 17.0, "start", TEXT_COLOR)
};
pub(super) const AXIS_TITLE: Font = font("axis-title", 12.5, "middle", TEXT_COLOR);
pub(super) const Y_TICK: Font = font("tick-label", 11.0, "end", TEXT_COLOR);
pub(super) const Y_TICK_RIGHT: Font = font("tick-label", 11.0, "start", TEXT_COLOR);
pub(super) const X_TICK: Font = font("tick-label", 11.0, "middle", TEXT_COLOR);
pub(super) const LEGEND: Font = font("legend-label", 12.0, "start", TEXT_COLOR);
pub(super) const LEGEND_NOTE: Font = font("legend-note", 10.5, "start", NOTE_COLOR);
pub(super) const EMPTY: Font = font("empty-note", 13.0, "middle", NOTE_COLOR);

// The strokes: grid lines, axes, ticks, and the threshold key in the legend (a threshold
// drawn in a panel is dashed the same way).
pub(super) const GRID: Stroke = stroke("grid", GRID_COLOR, 1.0);
pub(super) const AXIS: Stroke = stroke("axis", AXIS_COLOR, 1.0);
pub(super) const TICK: Stroke = stroke("tick", AXIS_COLOR, 1.0);
pub(super) const THRESHOLD_DASH: &str = "7 4";
pub(super) const LEGEND_THRESHOLD: Stroke = Stroke {
    dash: Some(THRESHOLD_DASH),
    ..stroke("legend-threshold", THRESHOLD_COLOR, 1.6)
};
