# Reference for `tests/bootstrap.rs`: boot.ci's percentile and BCa intervals from the crate's
# own replicates. Input: the JSON printed by
#   cargo test --test bootstrap print_fixture -- --ignored --nocapture
# (30 pairs x, y; t0; the 999 replicates t of Pearson's r from seed 15), saved as
# /tmp/boot_input.json. Run from the repository root: Rscript tests/data/scripts/bootstrap_boot.R
suppressMessages({library(boot); library(jsonlite)})
inp <- fromJSON("/tmp/boot_input.json")
d <- data.frame(x = inp$x, y = inp$y)
stat <- function(d, i) cor(d$x[i], d$y[i])
set.seed(1)
b <- boot(d, stat, R = length(inp$t))
b$t[, 1] <- inp$t           # the crate's replicates in place of boot's own
b$t0 <- inp$t0
ci <- boot.ci(b, conf = 0.95, type = c("perc", "bca"), L = empinf(b, type = "jack"))
out <- list(x = inp$x, y = inp$y, t0 = inp$t0, t = inp$t,
            perc = ci$percent[4:5], bca = ci$bca[4:5],
            boot = as.character(packageVersion("boot")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), "tests/data/bootstrap_boot.json")
