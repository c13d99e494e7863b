#!/usr/bin/env Rscript
# Helper of `npm run verify:stan` (scripts/verify-stan.ts): compiles an exported Stan program with
# rstan and evaluates its log density (Jacobian included) and gradient at given unconstrained points.
#
#   Rscript scripts/verify-stan.R PROGRAM.stan DATA.json POINTS.json OUT.json [SAMPLE_DIR CHAINS WARMUP DRAWS SEED]
#
# POINTS.json: {"points": [[u_1, ..., u_dim], ...]}. OUT.json: {"dim", "compile_s", "lp": [...], "grad": [[...], ...]}.
# With SAMPLE_DIR, also samples CHAINS chains with NUTS and writes SAMPLE_DIR/output_<i>.csv
# (Stan's sample_file, the services' CSV that CmdStan writes too).
# Needs Debian's r-cran-rstan r-cran-jsonlite libboost-dev; r-cran-bh ships no Boost headers, so
# boost_lib is pointed at /usr/include when needed.

suppressMessages({
  library(rstan)
  library(jsonlite)
})
if (!file.exists(rstan_options("boost_lib")) && file.exists("/usr/include/boost"))
  rstan_options(boost_lib = "/usr/include")
rstan_options(auto_write = FALSE)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4) stop("usage: Rscript verify-stan.R PROGRAM.stan DATA.json POINTS.json OUT.json [SAMPLE_DIR CHAINS WARMUP DRAWS SEED]")
data <- fromJSON(args[2], simplifyVector = TRUE)
# jsonlite reads a length-1 array as a scalar; Stan vectors of length 1 need a 1-d array
for (v in c("y", "t01", "spend_total", "population")) if (!is.null(data[[v]])) data[[v]] <- as.array(data[[v]])
points <- fromJSON(args[3], simplifyVector = TRUE)$points

t0 <- Sys.time()
model <- stan_model(args[1])
compile_s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
fit <- sampling(model, data = data, chains = 1, iter = 1, algorithm = "Fixed_param", refresh = 0)
dim <- get_num_upars(fit)
if (ncol(points) != dim) stop(sprintf("the program has %d unconstrained parameters, the points %d", dim, ncol(points)))
lp <- numeric(nrow(points))
grad <- matrix(0, nrow(points), dim)
for (i in seq_len(nrow(points))) {
  u <- as.numeric(points[i, ])
  lp[i] <- log_prob(fit, u, adjust_transform = TRUE)
  grad[i, ] <- grad_log_prob(fit, u, adjust_transform = TRUE)
}
# gradient evaluations per second at the first point for ~2 s (R's call overhead is ~20 us, small
# beside a gradient of the geo program)
n_grad <- 0L
t_grad <- Sys.time()
while (as.numeric(difftime(Sys.time(), t_grad, units = "secs")) < 2) {
  for (k in 1:10) grad_log_prob(fit, as.numeric(points[1, ]), adjust_transform = TRUE)
  n_grad <- n_grad + 10L
}
grad_per_s <- n_grad / as.numeric(difftime(Sys.time(), t_grad, units = "secs"))
res <- list(dim = dim, compile_s = compile_s, lp = lp, grad = grad, grad_per_s = grad_per_s, rstan = as.character(packageVersion("rstan")))

if (length(args) >= 9) {
  dir <- args[5]
  chains <- as.integer(args[6]); warmup <- as.integer(args[7]); draws <- as.integer(args[8]); seed <- as.integer(args[9])
  t1 <- Sys.time()
  s <- sampling(model, data = data, chains = chains, warmup = warmup, iter = warmup + draws, seed = seed,
                cores = min(chains, max(1L, parallel::detectCores())), refresh = 0,
                sample_file = file.path(dir, "output.csv"))
  res$sample_s <- as.numeric(difftime(Sys.time(), t1, units = "secs"))
  res$sample_files <- list.files(dir, pattern = "^output_[0-9]+\\.csv$", full.names = TRUE)
  res$stan_roi_mean <- colMeans(rstan::extract(s, pars = "roi")$roi)
}
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE), args[4])
