# Fits the held-out data of the `multilevel` known-answer tests (issue 14) with lme4 and lmerTest,
# written for this crate. Run from the repository root after mixed_simulate.py:
#
#   Rscript tests/data/scripts/mixed_lme4.R                      # tests/data/mixed_heldout.json
#   Rscript tests/data/scripts/mixed_lme4.R --large FILE OUT     # the 10,000 x 12 growth model
#
# lme4 1.1-31 and lmerTest 3.1-3 on R 4.2.2. Every model is fitted by lmerTest::lmer with minqa's
# bobyqa at rhoend 1e-12 (lme4's default stops near 1e-7 in theta), then polished by a second
# bobyqa run started at that optimum (rhobeg 1e-4, rhoend 1e-14), so R's own optimum is precise;
# `optimizer_gap` is the largest difference in theta between the two runs (how far the first had
# stopped from the polished optimum).
suppressMessages({
  library(lme4)
  library(lmerTest)
  library(jsonlite)
})

tight <- lmerControl(optimizer = "bobyqa",
                     optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                     check.conv.singular = "ignore")
polish <- lmerControl(optimizer = "bobyqa",
                      optCtrl = list(rhobeg = 1e-4, rhoend = 1e-14, maxfun = 1e5),
                      check.conv.singular = "ignore")

result <- function(m, group, data, ranef_levels = NULL) {
  reml <- isREML(m)
  co <- summary(m)$coefficients
  fixed <- lapply(seq_len(nrow(co)), function(i) list(
    term = rownames(co)[i], estimate = co[i, "Estimate"], se = co[i, "Std. Error"],
    t = co[i, "t value"], df = co[i, "df"], p = co[i, "Pr(>|t|)"]))
  vc <- as.data.frame(VarCorr(m))
  varcor <- lapply(seq_len(nrow(vc)), function(i) list(
    group = vc$grp[i], var1 = if (is.na(vc$var1[i])) NULL else vc$var1[i],
    var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i], vcov = vc$vcov[i], sdcor = vc$sdcor[i]))
  re <- ranef(m, condVar = TRUE)[[group]]
  pv <- attr(re, "postVar")
  levels <- rownames(re)
  keep <- if (is.null(ranef_levels)) seq_along(levels) else match(ranef_levels, levels)
  ranef <- lapply(keep, function(k) list(
    level = levels[k],
    values = as.list(setNames(as.numeric(re[k, ]), colnames(re))),
    cond_sd = as.list(setNames(sqrt(diag(matrix(pv[, , k], ncol(re)))), colnames(re)))))
  out <- list(reml = reml, n_obs = nobs(m), n_groups = setNames(list(ngrps(m)[[group]]), group),
              fixed = fixed, varcor = varcor)
  if (reml) {
    out$reml_criterion <- unname(REMLcrit(m))
  } else {
    ll <- logLik(m)
    out$loglik <- as.numeric(ll); out$aic <- AIC(m); out$bic <- BIC(m)
    out$deviance <- unname(deviance(m))
  }
  if (ncol(re) == 1) out$icc <- vc$vcov[1] / (vc$vcov[1] + vc$vcov[nrow(vc)])
  out$ranef <- ranef
  out$theta <- unname(getME(m, "theta"))
  out
}

fit <- function(formula, data, reml, group, ranef_levels = NULL) {
  m1 <- lmerTest::lmer(formula, data = data, REML = reml, control = tight)
  m <- lmerTest::lmer(formula, data = data, REML = reml, control = polish,
                      start = list(theta = getME(m1, "theta")))
  r <- result(m, group, data, ranef_levels)
  r$optimizer_gap <- max(abs(getME(m, "theta") - getME(m1, "theta")))
  r
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 1 && args[1] == "--large") {
  d <- read.csv(args[2], colClasses = c("character", "numeric", "numeric"))
  d <- d[complete.cases(d), ]
  f <- score ~ session + (1 + session | client)
  first <- paste0("c", 1:20)
  t0 <- proc.time()[["elapsed"]]
  out <- list(
    growth_large_reml = list(input = list(file = "generated: mixed_simulate.py --large", y = "score", group = "client", fixed = "session", random_slope = "session"),
                             result = fit(f, d, TRUE, "client", first)),
    growth_large_ml = list(input = list(file = "generated: mixed_simulate.py --large", y = "score", group = "client", fixed = "session", random_slope = "session", ml = TRUE),
                           result = fit(f, d, FALSE, "client", first)))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), args[3])
  quit(save = "no")
}

th <- read.csv("tests/data/mixed_therapists.csv", na.strings = c("", "NA"),
               colClasses = c("character", "character", "numeric", "numeric", "numeric"))
# The rows the model uses (complete in its columns), then the split of alliance into the
# therapist mean and the deviation from it (Baldwin, Wampold & Imel 2007) over those rows.
split_rows <- th[complete.cases(th[, c("outcome", "severity", "alliance")]), ]
split_rows$alliance_between <- ave(split_rows$alliance, split_rows$therapist)
split_rows$alliance_within <- split_rows$alliance - split_rows$alliance_between
f_split <- outcome ~ severity + alliance_between + alliance_within + (1 | therapist)
outcome_rows <- th[!is.na(th$outcome), ]
alliance_rows <- th[!is.na(th$alliance), ]

gr <- read.csv("tests/data/mixed_growth.csv", na.strings = c("", "NA"),
               colClasses = c("character", "numeric", "numeric"))
gr <- gr[complete.cases(gr), ]
f_growth <- score ~ session + (1 + session | client)

therapists_input <- function(y, fixed = NULL, split = NULL, ml = FALSE) {
  x <- list(file = "mixed_therapists.csv", y = y, group = "therapist")
  if (!is.null(fixed)) x$fixed <- fixed
  if (!is.null(split)) x$split <- split
  if (ml) x$ml <- TRUE
  x
}
out <- list(
  therapists_split_reml = list(input = therapists_input("outcome", "severity", "alliance"),
                               result = fit(f_split, split_rows, TRUE, "therapist")),
  therapists_split_ml = list(input = therapists_input("outcome", "severity", "alliance", ml = TRUE),
                             result = fit(f_split, split_rows, FALSE, "therapist")),
  therapists_outcome_icc = list(input = therapists_input("outcome"),
                                result = fit(outcome ~ 1 + (1 | therapist), outcome_rows, TRUE, "therapist")),
  therapists_alliance_icc = list(input = therapists_input("alliance"),
                                 result = fit(alliance ~ 1 + (1 | therapist), alliance_rows, TRUE, "therapist")),
  growth_reml = list(input = list(file = "mixed_growth.csv", y = "score", group = "client", fixed = "session", random_slope = "session"),
                     result = fit(f_growth, gr, TRUE, "client")),
  growth_ml = list(input = list(file = "mixed_growth.csv", y = "score", group = "client", fixed = "session", random_slope = "session", ml = TRUE),
                   result = fit(f_growth, gr, FALSE, "client")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           "tests/data/mixed_heldout.json")
