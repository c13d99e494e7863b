import { z } from 'zod';
import { reproductionSchema } from './model-input.ts';

/*
 * The saved run bundle, version 2: manifest (hashes, seed, kernel), lineage, checks,
 * diagnostics, posterior summaries, thinned draws, evaluation, plans and (since v2) what a
 * re-run needs (model input, sampler settings, analysis options). Plain JSON, so it can
 * be stored (IndexedDB) and exported as a `.carryover` file. Older files are brought up to date
 * by the migration registry before validation.
 */

/** Version of the bundle layout written today. Bump it with a migration from the previous one. */
export const BUNDLE_SCHEMA_VERSION = 2;

/** Most thinned draws kept per quantity. */
export const MAX_DRAWS_PER_QUANTITY = 1000;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex digest (64 lowercase hex characters)');
const isoDateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date-time such as 2026-11-29T20:00:00Z');
const name = z.string().min(1).max(200);
/** A diagnostic number: NaN is a real value here (R-hat of a constant or non-finite chain). */
const diagNumber = z.union([z.number(), z.nan()]);

/** A CheckResult as stored (severity a closed choice, evidence any JSON object). */
export const checkResultSchema = z
  .object({
    id: z.string().min(1),
    severity: z.enum(['block', 'warn', 'info']),
    title: z.string(),
    detail: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    fix: z.string().optional(),
  })
  .strict();

/** What the run was made from and how: everything needed to re-run it and to tell two runs apart. */
export const manifestSchema = z
  .object({
    runId: name,
    /** Human name of the run (renamable). */
    name: z.string().max(200).default(''),
    appVersion: z.string().min(1),
    createdAt: isoDateTime,
    hashes: z
      .object({
        /** SHA-256 of the uploaded file's bytes. */
        rawFile: hex64,
        /** SHA-256 of canonicalTableBytes(cleaned table). */
        cleanedTable: hex64,
        /** SHA-256 of canonicalJson({ mapping, config, modelSpec }). */
        spec: hex64,
        /** SHA-256 of canonicalJson(reproduction.modelInput): the whole model input, factors included (v2). */
        modelInput: hex64.optional(),
      })
      .strict(),
    seed: z.number().int().min(0),
    /** Kernel that ran the chains (fused, tfjs-wasm...): re-runs are bit-identical only on the same one. */
    kernel: z.string().min(1),
    /** Compute backend of that kernel (cpu, wasm, webgpu). */
    backend: z.string().min(1),
    chains: z.number().int().positive(),
    /** Post-warmup draws per chain. */
    draws: z.number().int().positive(),
  })
  .strict();

const stat = z
  .object({
    mean: z.number(),
    sd: z.number().min(0),
    q05: z.number(),
    q25: z.number(),
    q50: z.number(),
    q75: z.number(),
    q95: z.number(),
  })
  .strict();

/** One lineage step: what a cleaning or mapping step changed. */
export const lineageEntrySchema = z
  .object({ step: z.string().min(1), detail: z.string(), column: z.string().optional(), rows: z.number().int().min(0).optional() })
  .strict();

/** A quantity's thinned draws (chains concatenated, evenly thinned). */
export const drawSetSchema = z
  .object({ quantity: name, values: z.array(z.number()).max(MAX_DRAWS_PER_QUANTITY, `at most ${MAX_DRAWS_PER_QUANTITY} thinned draws per quantity`) })
  .strict();

/** A saved plan or scenario (its shape belongs to the optimizer; kept as JSON). */
export const planSchema = z.object({ id: name, name: z.string(), kind: z.string().min(1), body: z.record(z.string(), z.unknown()) }).strict();

/**
 * The cleaned weekly table the run was fitted on, as JSON (missing = null), columns named as in
 * the user's file: what data drift compares. Its canonical hash is manifest.hashes.cleanedTable.
 */
export const storedTableSchema = z
  .object({
    dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')),
    columns: z.record(z.string().min(1), z.array(z.number().nullable())),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const [k, v] of Object.entries(t.columns)) {
      if (v.length !== t.dates.length) ctx.addIssue({ code: 'custom', path: ['columns', k], message: `${v.length} values for ${t.dates.length} dates` });
    }
  });

/** The run bundle, version 2. */
export const runBundleSchema = z
  .object({
    schemaVersion: z.literal(BUNDLE_SCHEMA_VERSION),
    manifest: manifestSchema,
    /** Inputs behind manifest.hashes.spec, kept so the run can be re-run and diffed. */
    inputs: z.object({ mapping: z.record(z.string(), z.unknown()), config: z.record(z.string(), z.unknown()), modelSpec: z.record(z.string(), z.unknown()) }).strict(),
    lineage: z.array(lineageEntrySchema),
    checks: z.array(checkResultSchema),
    diagnostics: z
      .object({
        maxRhat: diagNumber,
        minEssBulk: diagNumber,
        divergences: z.number().int().min(0),
        /** Per-parameter rows of the fit table (mean, sd, rhat, ess...). */
        rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.nan()]))).default([]),
      })
      .strict(),
    summaries: z.object({ channels: z.array(z.object({ name, roi: stat, share: stat }).strict()) }).strict(),
    draws: z.array(drawSetSchema),
    evaluation: z.record(z.string(), z.unknown()).nullable().default(null),
    plans: z.array(planSchema).default([]),
    /** The cleaned table (optional: a bundle without it still compares on the model side). */
    table: storedTableSchema.nullable().default(null),
    /** What a re-run from the bundle's own inputs needs; null for a bundle written before v2 (cannot be re-run). */
    reproduction: reproductionSchema.nullable().default(null),
  })
  .strict();

/** A validated bundle of the current version. */
export type RunBundle = z.infer<typeof runBundleSchema>;
/** A bundle before defaults are filled (what a writer may pass). */
export type RunBundleInput = z.input<typeof runBundleSchema>;
/** A validated manifest. */
export type RunManifest = z.infer<typeof manifestSchema>;

/** Migrates a bundle of version `from` to `from + 1` (input already JSON, unvalidated). */
export type BundleMigration = (bundle: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations keyed by the version they start from: entry n turns a version-n bundle into n + 1.
 * 1 -> 2: a v1 bundle kept no model input, so it has no reproduction section (it can be
 * compared but not re-run).
 */
export const BUNDLE_MIGRATIONS: Readonly<Record<number, BundleMigration>> = {
  1: (b) => ({ ...b, schemaVersion: 2, reproduction: null }),
};

/**
 * Brings a parsed bundle to `current` through the registry, one step at a time.
 * @throws when the version is missing, newer than this app, or has no migration path
 */
export function migrateBundle(
  raw: unknown,
  migrations: Readonly<Record<number, BundleMigration>> = BUNDLE_MIGRATIONS,
  current: number = BUNDLE_SCHEMA_VERSION,
): Record<string, unknown> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the bundle is not a JSON object');
  let b = raw as Record<string, unknown>;
  const v0 = b.schemaVersion;
  if (typeof v0 !== 'number' || !Number.isInteger(v0) || v0 < 1) {
    throw new Error(`the bundle has no valid schemaVersion (got ${JSON.stringify(v0) ?? 'nothing'})`);
  }
  if (v0 > current) throw new Error(`the bundle was written by a newer Carryover (schema version ${v0}; this app reads up to ${current}): update the app`);
  for (let v = v0; v < current; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`no migration from bundle schema version ${v} to ${v + 1}`);
    b = step(b);
    if (b.schemaVersion !== v + 1) throw new Error(`migration from version ${v} did not produce version ${v + 1}`);
  }
  return b;
}

/** Validation failure with one line per problem (`path: message`), at most 10 lines. */
export function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (error.issues.length > 10) lines.push(`... and ${error.issues.length - 10} more`);
  return lines.join('; ');
}
