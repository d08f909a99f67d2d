//! # Coming from R stats and effectsize
//!
//! | R | here |
//! |---|---|
//! | `coef(lm(score ~ session))`, `confint()` per client | [`SessionTable::trajectories`](crate::change::SessionTable::trajectories) (every client's [`ClientTrajectory`](crate::change::ClientTrajectory)), or [`Trajectory::from_points`](crate::change::Trajectory::from_points) for one client's `(x, y)` points |
//! | `t.test(post, pre, paired = TRUE)` with `effectsize::cohens_d(post, pre, paired = TRUE)` | [`SessionTable::pre_post`](crate::change::SessionTable::pre_post) or [`PrePost::from_pairs`](crate::change::PrePost::from_pairs): paired t, d_z with its noncentral-t interval as effectsize computes it, g_z, d_av, d_rm |
//! | `cor.test(x, y)`, `cor(x, y, method = "spearman")` | [`Correlation::from_pairs`](crate::change::Correlation::from_pairs): Pearson with its Fisher-z interval, Spearman |
//!
//! ```
//! use therapeutic_alliance::change::SessionTable;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let table = SessionTable::from_rows([
//!     ("p1", 1, Some(30.0)), ("p1", 8, Some(18.0)),
//!     ("p2", 1, Some(25.0)), ("p2", 8, Some(20.0)),
//!     ("p3", 1, Some(28.0)), ("p3", 8, Some(27.0)),
//! ])?;
//! let change = table.pre_post(1, 8)?;
//! assert_eq!(change.n, 3);
//! # Ok(())
//! # }
//! ```
//!
//! Each agrees with R 4.2.2 and effectsize 0.8.3 to 1e-9 relative, the noncentral interval to
//! 1e-12 (`tests/change_stats.rs`).
