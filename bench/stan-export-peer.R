#!/usr/bin/env Rscript
# The Stan peer on Carryover's own export (bench/stan-peer.ts, runExportedStanPeer): compiles the
# exported program, samples it with rstan's NUTS on the exported data, and writes the numbers
# bench:fit compares against, in the shape of peer/stan/run_stan.R's result.
#
#   Rscript bench/stan-export-peer.R PROGRAM.stan DATA.json CHANNELS.json OUT.json CHAINS WARMUP DRAWS SEED ADAPT_DELTA [SAMPLE_DIR]
#
# With SAMPLE_DIR, the chains are also written there as SAMPLE_DIR/output_<i>.csv (Stan's
# sample_file, the CSV CmdStan writes), for Carryover's importer to read back.
# Needs Debian's r-cran-rstan r-cran-jsonlite libboost-dev.

suppressMessages({
  library(rstan)
  library(jsonlite)
})
if (!file.exists(rstan_options("boost_lib")) && file.exists("/usr/include/boost"))
  rstan_options(boost_lib = "/usr/include")
rstan_options(auto_write = FALSE)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 9) stop("usage: Rscript stan-export-peer.R PROGRAM.stan DATA.json CHANNELS.json OUT.json CHAINS WARMUP DRAWS SEED ADAPT_DELTA")
data <- fromJSON(args[2], simplifyVector = TRUE)
for (v in c("y", "t01", "spend_total", "population")) if (!is.null(data[[v]])) data[[v]] <- as.array(data[[v]])
channels <- fromJSON(args[3])
chains <- as.integer(args[5]); warmup <- as.integer(args[6]); draws <- as.integer(args[7])
seed <- as.integer(args[8]); adapt_delta <- as.numeric(args[9])

t0 <- Sys.time()
model <- stan_model(args[1])
t_compile <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
t1 <- Sys.time()
fit <- sampling(model, data = data, chains = chains, warmup = warmup, iter = warmup + draws, seed = seed,
                cores = min(chains, max(1L, parallel::detectCores())), refresh = 0,
                control = list(adapt_delta = adapt_delta, max_treedepth = 10),
                sample_file = if (length(args) >= 10) file.path(args[10], "output.csv") else NULL)
wall <- as.numeric(difftime(Sys.time(), t1, units = "secs"))

# every parameter and the ROI, as run_stan.R (rank-normalised split R-hat and bulk ESS)
pars <- setdiff(fit@model_pars, c("contribution"))
arr <- as.array(fit, pars = pars)
rhat <- apply(arr, 3, rstan::Rhat)
essb <- apply(arr, 3, rstan::ess_bulk)
esst <- apply(arr, 3, rstan::ess_tail)
sp <- get_sampler_params(fit, inc_warmup = FALSE)
n_div <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
roi <- rstan::extract(fit, pars = "roi")$roi
roi_tab <- data.frame(channel = channels, mean = colMeans(roi), sd = apply(roi, 2, sd),
                      q05 = apply(roi, 2, quantile, 0.05), q50 = apply(roi, 2, quantile, 0.5),
                      q95 = apply(roi, 2, quantile, 0.95), row.names = NULL)
cat(sprintf("exported program: compile %.1f s, sampling %.1f s, max R-hat %.4f, min bulk ESS %.0f, divergences %d\n",
            t_compile, wall, max(rhat), min(essb), n_div))
res <- list(compile_s = t_compile, wall_s = wall, max_rhat = max(rhat), min_bulk_ess = min(essb),
            ess_per_s = min(essb) / wall, divergences = n_div, roi = roi_tab,
            min_tail_ess = min(esst), worst_rhat_par = names(which.max(rhat)), min_ess_par = names(which.min(essb)),
            cores = min(chains, max(1L, parallel::detectCores())))
writeLines(toJSON(res, auto_unbox = TRUE, pretty = TRUE, digits = NA), args[4])
