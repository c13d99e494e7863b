import { z } from 'zod';
import type { DataConfig } from './config.ts';
import { toSpecIssues, type ParseResult } from './parse.ts';

/*
 * The Stan peer's SPEC.json (shared/peer/stan, test/fixtures/reference/robyn_spec.json): the
 * column roles of one national dataset, as the benchmarks and the peer runner read them.
 */

const col = (what: string) => z.string({ error: (i) => `expected ${what}, got ${JSON.stringify(i.input) ?? 'nothing'}` }).min(1, `expected ${what}, got an empty string`);

/** `{date, target, channels, controls, factor_controls, revenue_per_kpi?, geo?, population?}`; controls and factor_controls may be left out. */
export const peerSpecSchema = z
  .object({
    date: col('the date column name'),
    target: col('the KPI column name'),
    channels: z.array(col('a spend column name'), { error: 'expected a list of spend column names' }).min(1, 'expected at least one spend column'),
    controls: z.array(col('a control column name'), { error: 'expected a list of control column names' }).default([]),
    /** Categorical column -> baseline level (no dummy). */
    factor_controls: z.record(z.string(), z.string({ error: 'expected a baseline level (a string)' }), { error: 'expected an object {column: baseline level}' }).default({}),
    /** Column of revenue per KPI unit (a conversion KPI's value); carried through, not modelled yet. */
    revenue_per_kpi: col('a column name').optional(),
    /** Geo key column: with it the geo model fits the panel (one row per geo and week). */
    geo: col('the geo column name').optional(),
    /** Population column (constant per geo): per-capita scaling of the geo model; needs `geo`. */
    population: col('the population column name').optional(),
  })
  .strict()
  .refine((s) => !s.population || !!s.geo, { message: 'population needs geo: name the geo column too', path: ['population'] });

/** A parsed peer spec: every field present (controls and factor_controls default to empty). */
export type PeerSpec = z.infer<typeof peerSpecSchema>;

/** Parses an untrusted object (JSON) into a PeerSpec; issues name the key and what was expected. */
export function parsePeerSpec(input: unknown): ParseResult<PeerSpec> {
  const r = peerSpecSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toSpecIssues(r.error) };
}

/**
 * The config's data mapping for a peer spec: each channel is named by its spend column (as the
 * peer names its ROIs), nothing ignored; national grain, or geo grain (keys.geo, population_col)
 * when the spec names a geo column.
 * @param file the data file's name (informational)
 */
export function peerSpecToData(s: PeerSpec, file = ''): Pick<DataConfig, 'file' | 'date_col' | 'kpi_col' | 'channel_map' | 'controls' | 'factor_controls'> & Partial<Pick<DataConfig, 'keys' | 'population_col' | 'grain'>> {
  return {
    file,
    date_col: s.date,
    kpi_col: s.target,
    channel_map: Object.fromEntries(s.channels.map((c) => [c, { spend: c }])),
    controls: [...s.controls],
    factor_controls: { ...s.factor_controls },
    ...(s.geo ? { keys: { geo: s.geo }, grain: { level: 'geo', week_start: 'monday' } as const } : {}),
    ...(s.population ? { population_col: s.population } : {}),
  };
}
