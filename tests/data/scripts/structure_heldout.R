# Held-out reference for `tests/structure_heldout.rs`: WAI-SR-shaped simulated answers with
# missing cells, fitted by lavaan 0.6-14 (cfa(), ML, listwise deletion: its defaults) and
# psych 2.2.9 omega(nfactors = 3), plus the Holzinger-Swineford bifactor and one-factor models.
# Run from the repository root: Rscript tests/data/scripts/structure_heldout.R
suppressMessages({library(lavaan); library(psych); library(GPArotation); library(jsonlite)})
set.seed(20261207)
n <- 420
goals <- c(4, 6, 8, 11); tasks <- c(1, 2, 10, 12); bond <- c(3, 5, 7, 9)
phi <- matrix(c(1, .8, .6, .8, 1, .65, .6, .65, 1), 3)
f <- MASS::mvrnorm(n, rep(0, 3), phi)
load <- c(.7, .75, .65, .8, .6, .7, .72, .68, .74, .66, .7, .62)
fac <- integer(12); fac[goals] <- 1; fac[tasks] <- 2; fac[bond] <- 3
x <- sapply(1:12, function(j) {
  z <- load[j] * f[, fac[j]] + sqrt(1 - load[j]^2) * rnorm(n)
  as.integer(cut(z, c(-Inf, -1.5, -.6, .2, 1.0, Inf)))
})
colnames(x) <- paste0("w", 1:12)
x[matrix(runif(length(x)) < .04, n)] <- NA
d <- as.data.frame(x)
write.csv(d, "tests/data/wai_sr_simulated.csv", row.names = FALSE, na = "")
w <- function(i) paste0("w", i, collapse = " + ")
models <- list(
  one = paste("alliance =~", w(1:12)),
  two = paste0("bond =~ ", w(bond), "\ngoals_tasks =~ ", w(c(goals, tasks))),
  three = paste0("goals =~ ", w(goals), "\ntasks =~ ", w(tasks), "\nbond =~ ", w(bond)),
  bifactor = paste0("g =~ ", w(1:12), "\ngoals =~ ", w(goals), "\ntasks =~ ", w(tasks), "\nbond =~ ", w(bond))
)
fitm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
          "srmr", "logl", "aic", "bic", "npar", "ntotal")
one <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  list(fit = as.list(fitMeasures(fit, fitm)),
       parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                               std_all = pe$std.all))
}
run <- function(name, syntax, data, std.lv, orthogonal = FALSE) {
  def <- cfa(syntax, data, std.lv = std.lv, orthogonal = orthogonal)
  list(name = name, syntax = syntax, std_lv = std.lv, orthogonal = orthogonal,
       default = one(def))
}
out <- list()
for (m in c("one", "two", "three")) for (s in c(FALSE, TRUE))
  out[[length(out) + 1]] <- run(m, models[[m]], d, s)
out[[length(out) + 1]] <- run("bifactor", models$bifactor, d, TRUE, TRUE)
hs <- read.csv("tests/data/holzinger_swineford.csv")
hsb <- "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\nvisual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs1 <- "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9"
hs3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hsf <- list(run("hs_bifactor", hsb, hs, TRUE, TRUE), run("hs_one", hs1, hs, FALSE))
a <- anova(cfa(hs1, hs), cfa(hs3, hs))
om <- omega(d, nfactors = 3, plot = FALSE)
omg <- om$omega.group
res <- list(
  wai = out, hs = hsf,
  hs_anova = list(chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2], pvalue = a[["Pr(>Chisq)"]][2]),
  omega = list(omega_h = om$omega_h, omega_total = om$omega.tot, alpha = om$alpha,
               omega_group = data.frame(name = rownames(omg), total = omg$total, general = omg$general, group = omg$group))
)
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/data/structure_heldout.json")
