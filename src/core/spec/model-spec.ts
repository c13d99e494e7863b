import { z } from 'zod';
import { priorSchema } from './prior.ts';

/** Adstock (carryover) transforms. `geometric`: normalised weights alpha^l / sum_j alpha^j, l = 0..lags-1 (lags = L, the kernel length). */
export const adstockSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('geometric'), lags: z.number().int().min(1).max(52) }).strict(),
]);
/** Saturation transforms. `hill`: a^S / (a^S + K^S), 0 where a = 0. */
export const saturationSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('hill') }).strict()]);
/** Trend of the baseline. `linear`: delta * (t-1)/(N-1). */
export const trendSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear') }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
/** Seasonality: `order` Fourier pairs (sin, cos) of period `period` weeks. */
export const seasonalitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fourier'), order: z.number().int().min(1).max(10), period: z.number().positive() }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
/** Observation model. */
export const likelihoodSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('normal') }).strict()]);

/** Priors of every parameter group, in the constrained space. */
export const priorsSchema = z
  .object({
    intercept: priorSchema,
    trend: priorSchema,
    fourier: priorSchema,
    beta: priorSchema,
    alpha: priorSchema,
    K: priorSchema,
    S: priorSchema,
    gamma: priorSchema,
    sigma: priorSchema,
  })
  .strict();

/** The full model specification (data mapping lives in the config, not here). */
export const modelSpecSchema = z
  .object({
    adstock: adstockSchema,
    saturation: saturationSchema,
    trend: trendSchema,
    seasonality: seasonalitySchema,
    likelihood: likelihoodSchema,
    priors: priorsSchema,
  })
  .strict();

export type AdstockSpec = z.infer<typeof adstockSchema>;
export type SaturationSpec = z.infer<typeof saturationSchema>;
export type TrendSpec = z.infer<typeof trendSchema>;
export type SeasonalitySpec = z.infer<typeof seasonalitySchema>;
export type LikelihoodSpec = z.infer<typeof likelihoodSchema>;
export type PriorsSpec = z.infer<typeof priorsSchema>;
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** The reference national model of peer/stan (mmm.stan): the default of every fit. */
export const DEFAULT_MODEL_SPEC: ModelSpec = {
  adstock: { kind: 'geometric', lags: 8 },
  saturation: { kind: 'hill' },
  trend: { kind: 'linear' },
  seasonality: { kind: 'fourier', order: 2, period: 52.18 },
  likelihood: { kind: 'normal' },
  priors: {
    intercept: { kind: 'normal', mu: 0.5, sigma: 0.5 },
    trend: { kind: 'normal', mu: 0, sigma: 0.5 },
    fourier: { kind: 'normal', mu: 0, sigma: 0.25 },
    beta: { kind: 'halfNormal', sigma: 0.5 },
    alpha: { kind: 'beta', a: 2, b: 2 },
    K: { kind: 'logNormal', mu: 0, sigma: 0.5 },
    S: { kind: 'logNormal', mu: 0.3, sigma: 0.4 },
    gamma: { kind: 'normal', mu: 0, sigma: 0.5 },
    sigma: { kind: 'halfNormal', sigma: 0.5 },
  },
};
