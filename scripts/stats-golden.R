#!/usr/bin/env Rscript
# Golden cases for src/stats, computed by R itself: run from the repository root with
#   Rscript scripts/stats-golden.R
# (Debian: apt-get install r-base-core). Writes test/fixtures/stats/*.json, which are committed so
# the tests need no R. Base R only: the JSON is written by hand below.

num <- function(v) {
  if (is.null(v) || length(v) == 0) return("null")
  out <- vapply(v, function(x) {
    if (is.na(x) && !is.nan(x)) "null"
    else if (is.nan(x)) "\"NaN\""
    else if (is.infinite(x)) if (x > 0) "\"Inf\"" else "\"-Inf\""
    else sprintf("%.17g", x)
  }, "")
  if (length(v) == 1) out else paste0("[", paste(out, collapse = ", "), "]")
}
arr <- function(v) if (length(v) == 1) paste0("[", num(v), "]") else num(v)
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
obj <- function(...) {
  fields <- list(...)
  paste0("{", paste(sprintf("\"%s\": %s", names(fields), unlist(fields)), collapse = ", "), "}")
}
write_cases <- function(cases, file) {
  text <- paste0("[\n  ", paste(cases, collapse = ",\n  "), "\n]\n")
  writeLines(text, file.path("test/fixtures/stats", file), sep = "")
}

# --- wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE) ------------------------------
set.seed(19)
base50 <- round(rnorm(50, 10, 2), 2)
canary50 <- round(rnorm(50, 11, 2), 2)
lat_b <- round(rlnorm(40, log(0.012), 0.3), 4)
lat_c <- round(rlnorm(40, log(0.024), 0.3), 4)
rank_cases <- list(
  list(name = "R's own example (Hollander & Wolfe)", x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30), y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29), mu = 0, alt = "two.sided", conf = 0.95),
  list(name = "3 vs 3, separated", x = c(4, 5, 6), y = c(1, 2, 3), mu = 0, alt = "greater", conf = 0.98),
  list(name = "3 vs 3, two-sided", x = c(1, 2, 3), y = c(4, 5, 6), mu = 0, alt = "two.sided", conf = 0.98),
  list(name = "ties across and within samples", x = c(1, 2, 2, 3, 3, 3, 4), y = c(2, 2, 3, 3, 5, 5, 1, 1), mu = 0, alt = "two.sided", conf = 0.95),
  list(name = "ties, one-sided less", x = c(10, 10, 11, 12, 12), y = c(11, 12, 12, 13, 14, 14), mu = 0, alt = "less", conf = 0.9),
  list(name = "n = 1 against 6", x = c(5), y = c(1, 2, 3, 4, 6, 7), mu = 0, alt = "two.sided", conf = 0.95),
  list(name = "n = 1 against 1", x = c(2), y = c(1), mu = 0, alt = "two.sided", conf = 0.95),
  list(name = "constant series, different levels", x = c(5, 5, 5, 5), y = c(3, 3, 3, 3, 3), mu = 0, alt = "greater", conf = 0.98),
  list(name = "identical samples", x = c(1.5, 2.5, 3.5, 4.5, 9), y = c(1.5, 2.5, 3.5, 4.5, 9), mu = 0, alt = "two.sided", conf = 0.98),
  list(name = "everything tied", x = c(7, 7, 7), y = c(7, 7, 7, 7), mu = 0, alt = "two.sided", conf = 0.95),
  list(name = "NaN and Inf are dropped", x = c(1.1, NaN, 2.2, 3.3, Inf, 4.4), y = c(0.5, 1.0, NaN, 1.5, 2.0), mu = 0, alt = "greater", conf = 0.98),
  list(name = "50 vs 50, normal, shift 1", x = canary50, y = base50, mu = 0, alt = "greater", conf = 0.98),
  list(name = "50 vs 50, two-sided", x = canary50, y = base50, mu = 0, alt = "two.sided", conf = 0.98),
  list(name = "50 vs 50 with tolerance mu = 0.5", x = canary50, y = base50, mu = 0.5, alt = "greater", conf = 0.98),
  list(name = "40 vs 40 latencies, doubled", x = lat_c, y = lat_b, mu = 0, alt = "greater", conf = 0.98),
  list(name = "40 vs 40 latencies, same source", x = lat_b[1:20], y = lat_b[21:40], mu = 0, alt = "two.sided", conf = 0.98)
)
rank_out <- vapply(rank_cases, function(k) {
  r <- wilcox.test(k$x, k$y, mu = k$mu, alternative = k$alt, conf.int = FALSE, exact = FALSE, correct = TRUE)
  ci <- tryCatch(wilcox.test(k$x, k$y, mu = k$mu, alternative = k$alt, conf.int = TRUE, exact = FALSE, correct = TRUE, conf.level = k$conf),
    error = function(e) conditionMessage(e))
  interval <- if (is.character(ci)) obj(error = str(ci)) else obj(estimate = num(unname(ci$estimate)), confInt = num(as.numeric(ci$conf.int)))
  obj(name = str(k$name), x = arr(k$x), y = arr(k$y), mu = num(k$mu), alternative = str(k$alt), confLevel = num(k$conf),
      statistic = num(unname(r$statistic)), pValue = num(r$p.value), interval = interval)
}, "")
write_cases(rank_out, "wilcox.json")

# --- fisher.test and prop.test on errors out of requests -----------------------------------------
count_cases <- list(
  list(name = "5 % canary against 0.08 % baseline", a = c(7, 140), b = c(2, 2660)),
  list(name = "zero errors on both sides", a = c(0, 500), b = c(0, 5000)),
  list(name = "first error of a fresh canary", a = c(1, 20), b = c(0, 400)),
  list(name = "same rate, different sizes", a = c(5, 100), b = c(50, 1000)),
  list(name = "canary better", a = c(0, 300), b = c(30, 3000)),
  list(name = "every request failed", a = c(10, 10), b = c(0, 10)),
  list(name = "thousands", a = c(130, 5000), b = c(2100, 100000)),
  list(name = "one request each", a = c(1, 1), b = c(0, 1))
)
count_out <- character(0)
for (k in count_cases) for (alt in c("two.sided", "greater", "less")) {
  table <- matrix(c(k$a[1], k$b[1], k$a[2] - k$a[1], k$b[2] - k$b[1]), nrow = 2)
  f <- fisher.test(table, alternative = alt)
  p <- suppressWarnings(prop.test(c(k$a[1], k$b[1]), c(k$a[2], k$b[2]), alternative = alt, correct = TRUE, conf.level = 0.98))
  count_out <- c(count_out, obj(name = str(k$name), a = obj(events = num(k$a[1]), total = num(k$a[2])), b = obj(events = num(k$b[1]), total = num(k$b[2])),
    alternative = str(alt), fisherP = num(f$p.value),
    prop = obj(statistic = num(unname(p$statistic)), pValue = num(p$p.value), confInt = num(as.numeric(p$conf.int)), confLevel = num(0.98))))
}
write_cases(count_out, "counts.json")

# --- quantile (type 7), mean, sd -------------------------------------------------------------------
summary_cases <- list(c(3), c(1, 2), c(5, 1, 4, 2, 3), base50, lat_b, c(2, 2, 2, 2))
summary_out <- vapply(summary_cases, function(v) obj(values = arr(v), n = num(length(v)), mean = num(mean(v)), median = num(median(v)),
  p95 = num(unname(quantile(v, 0.95))), sd = num(if (length(v) > 1) sd(v) else 0)), "")
write_cases(summary_out, "summary.json")

# --- the normal distribution ----------------------------------------------------------------------
zs <- c(-38, -10, -5, -3.3, -1.96, -0.5, 0, 0.3, 1, 1.41, 2, 2.5, 3, 6, 9)
ps <- c(1e-300, 1e-12, 1e-6, 0.001, 0.01, 0.02, 0.025, 0.3, 0.5, 0.7, 0.975, 0.98, 0.999, 1 - 1e-9)
normal_out <- c(
  vapply(zs, function(z) obj(z = num(z), lower = num(pnorm(z)), upper = num(pnorm(z, lower.tail = FALSE))), ""),
  vapply(ps, function(p) obj(p = num(p), q = num(qnorm(p))), "")
)
write_cases(normal_out, "normal.json")

# --- IQR outlier removal: what R keeps within [Q1 - k*IQR, Q3 + k*IQR] (quantile type 7) ----------
set.seed(4)
spiky <- c(round(rnorm(30, 20, 2), 2), 95, 140, -40)
outlier_cases <- list(
  list(name = "latencies with spikes", x = spiky, k = 1.5),
  list(name = "no outliers", x = c(1, 2, 3, 4, 5, 6), k = 1.5),
  list(name = "a wider fence", x = spiky, k = 3),
  list(name = "constant with one spike", x = c(5, 5, 5, 5, 5, 9), k = 1.5),
  list(name = "n = 1", x = c(3), k = 1.5),
  list(name = "ties at the fence", x = c(1, 2, 2, 2, 3, 4, 4, 10), k = 1.5)
)
outlier_out <- vapply(outlier_cases, function(c) {
  q <- quantile(c$x, c(0.25, 0.75), type = 7, names = FALSE)
  fence <- c$k * (q[2] - q[1])
  kept <- c$x[c$x >= q[1] - fence & c$x <= q[2] + fence]
  w <- if (length(kept) > 1) wilcox.test(kept, c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) * mean(kept) / 5, exact = FALSE, correct = TRUE)$p.value else NaN
  obj(name = str(c$name), values = arr(c$x), k = num(c$k), kept = arr(kept), pAgainstRamp = num(w))
}, "")
write_cases(outlier_out, "outliers.json")
cat("wrote test/fixtures/stats/{wilcox,counts,summary,normal,outliers}.json\n")
