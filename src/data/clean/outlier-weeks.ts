import type { CleaningConfig } from '../../core/spec/config-cleaning.ts';
import type { ValidationConfig } from '../../core/spec/config-validation.ts';
import { isoDate } from '../checks/sql.ts';
import type { CheckMapping } from '../checks/types.ts';
import { ident, literal, type Db } from '../db.ts';
import { eventReasonSql, eventSources } from './events.ts';

/**
 * The outlier check's rule (validation.value_sanity, as src/data/checks/outliers.ts applies it):
 * `robust_z`: |x - median| / (1.4826 MAD) > robust_z_threshold (never when MAD = 0); `iqr`: x
 * outside [Q1 - k IQR, Q3 + k IQR]. KPI weeks use all weeks of their key; a channel's spend
 * uses its active (> 0) weeks, and only its high side counts as a burst.
 */
export type OutlierRule = Pick<ValidationConfig['value_sanity'], 'outlier_method' | 'robust_z_threshold' | 'iqr_multiplier'>;

/** Why a flagged KPI week is left as it is by default. */
export type Exemption =
  | { kind: 'promo'; /** what marks the week, e.g. `"events" = event2` */ reason: string }
  | { kind: 'spend_burst'; /** channel name */ channel: string; column: string; /** spend that week, currency */ spend: number; /** (spend - median) / (1.4826 MAD) over active weeks; null when MAD = 0 */ robustZ: number | null };

/** `capped`: the value was set to the cap; `exempt`: beyond the cap but left (an exemption); `inside_cap`: not beyond the cap (or no cap on its side). */
export type FlaggedStatus = 'capped' | 'exempt' | 'inside_cap';

/** One KPI week the outlier check flags, or one the config asks to cap, and what cleaning does with it. */
export interface FlaggedWeek {
  /** Week start, ISO YYYY-MM-DD. */
  date: string | null;
  /** Geo / product label, when keys are mapped. */
  key?: string;
  /** KPI that week, as read. */
  value: number;
  /** (value - median) / (1.4826 MAD) of its key; null when MAD = 0. */
  robustZ: number | null;
  /** Median KPI of its key. */
  median: number;
  /** Above or below the median. */
  side: 'high' | 'low';
  /** An outlier by the outlier check's rule. */
  flagged: boolean;
  /** Asked to be capped: listed in `cap_weeks`, or flagged with `cap_all_flagged`; null otherwise. */
  requested: 'cap_weeks' | 'cap_all_flagged' | null;
  /** Cap on its side: the upper (`winsorize_percentile`) or lower (`lower_percentile`) percentile of non-promotion weeks; null when that side has none. */
  capValue: number | null;
  exemptions: Exemption[];
  status: FlaggedStatus;
  /** KPI after cleaning (the cap when capped, else the value). */
  after: number;
}

/** Inputs of the KPI outlier pass that are not the cleaning config. */
export interface OutlierContext {
  rule: OutlierRule;
  /** Factor control -> baseline level (config `data.factor_controls`). */
  factorBaselines: Record<string, string>;
}

const f = (x: number) => String(Number(x));

/**
 * Creates table `work` from `src` (helper columns `__row`, `__date`, `__key`): every row with
 * `__y` (KPI), `__new` (KPI after the cap), `__flag`, `__z`, `__med`, `__hi` / `__lo` (caps),
 * `__event` (promotion / event reason or NULL), `__req` (in cap_weeks), `__bz<i>` (channel i's
 * burst z, NULL when no burst), `__exempt`, `__beyond`, `__cap` (capped). One statement, so the
 * listing and the cleaning read the same decision.
 */
export async function kpiOutlierTable(db: Db, src: string, work: string, mapping: CheckMapping, cleaning: CleaningConfig, oc: OutlierContext, present: ReadonlySet<string>): Promise<void> {
  const cfg = cleaning.outliers;
  const { outlier_method: method, robust_z_threshold: t, iqr_multiplier: k } = oc.rule;
  const y = ident(mapping.kpi);
  const p = (cfg.column_percentiles[mapping.kpi] ?? cfg.winsorize_percentile) / 100;
  const lo = cfg.lower_percentile;
  const ch = mapping.channels.map((c, i) => ({ ...c, i, x: `TRY_CAST(${ident(c.spend)} AS DOUBLE)` }));
  const event = eventReasonSql(eventSources(mapping, cfg, oc.factorBaselines, present), src);
  const promoFree = cfg.exempt_promo_periods ? 'WHERE __event IS NULL' : '';
  const req = cfg.cap_weeks.map((w) => (typeof w === 'string' ? `__date = DATE ${literal(w)}` : `(__date = DATE ${literal(w.date)} AND __key = ${literal(w.key)})`));
  const kpiOut =
    method === 'iqr'
      ? `__q3 > __q1 AND (__y < __q1 - ${f(k)} * (__q3 - __q1) OR __y > __q3 + ${f(k)} * (__q3 - __q1))`
      : `__mad > 0 AND abs(__y - __med) / (1.4826 * __mad) > ${f(t)}`;
  const burst = (i: number) =>
    method === 'iqr'
      ? `__s${i} > 0 AND __sq3_${i} > __sq1_${i} AND __s${i} > __sq3_${i} + ${f(k)} * (__sq3_${i} - __sq1_${i})`
      : `__s${i} > 0 AND __smad${i} > 0 AND (__s${i} - __smed${i}) / (1.4826 * __smad${i}) > ${f(t)}`;
  const sz = (i: number) => `CASE WHEN __smad${i} > 0 THEN (__s${i} - __smed${i}) / (1.4826 * __smad${i}) END`;
  const anyBurst = ch.length ? ch.map((c) => `__bb${c.i}`).join(' OR ') : 'false';
  const exemptBy = [cfg.exempt_promo_periods ? '__event IS NOT NULL' : null, cfg.exempt_spend_bursts && cfg.kpi_rule === 'flagged' ? `(${anyBurst})` : null].filter(Boolean);
  const exempt = exemptBy.length ? exemptBy.join(' OR ') : 'false';
  const capAll = cfg.cap_all_flagged ? '__flag' : 'false';
  const candidate = cfg.kpi_rule === 'flagged' ? `(__flag AND NOT __exempt) OR __req OR ${capAll}` : `NOT __exempt OR __req OR ${capAll}`;
  await db.exec(
    `CREATE OR REPLACE TABLE ${ident(work)} AS
     WITH b AS (SELECT *, TRY_CAST(${y} AS DOUBLE) AS __y, ${event} AS __event, ${req.length ? `coalesce(${req.join(' OR ')}, false)` : 'false'} AS __req
                ${ch.map((c) => `, ${c.x} AS __s${c.i}`).join('')} FROM ${ident(src)}),
          s AS (SELECT __key, median(__y) AS __med, quantile_cont(__y, 0.25) AS __q1, quantile_cont(__y, 0.75) AS __q3
                       ${ch.map((c) => `, median(__s${c.i}) FILTER (WHERE __s${c.i} > 0) AS __smed${c.i}, quantile_cont(__s${c.i}, 0.25) FILTER (WHERE __s${c.i} > 0) AS __sq1_${c.i}, quantile_cont(__s${c.i}, 0.75) FILTER (WHERE __s${c.i} > 0) AS __sq3_${c.i}`).join('')}
                FROM b GROUP BY __key),
          q AS (SELECT __key, quantile_cont(__y, ${p}) AS __hi, ${lo === null ? 'NULL::DOUBLE' : `quantile_cont(__y, ${lo / 100})`} AS __lo FROM b ${promoFree} GROUP BY __key),
          a AS (SELECT __key, median(abs(__y - __med)) AS __mad
                       ${ch.map((c) => `, median(abs(__s${c.i} - __smed${c.i})) FILTER (WHERE __s${c.i} > 0) AS __smad${c.i}`).join('')}
                FROM b JOIN s USING (__key) GROUP BY __key),
          z AS (SELECT *, coalesce(${kpiOut}, false) AS __flag, CASE WHEN __mad > 0 THEN (__y - __med) / (1.4826 * __mad) END AS __z
                       ${ch.map((c) => `, CASE WHEN coalesce(${burst(c.i)}, false) THEN ${sz(c.i)} END AS __bz${c.i}, coalesce(${burst(c.i)}, false) AS __bb${c.i}`).join('')}
                FROM b JOIN s USING (__key) JOIN a USING (__key) LEFT JOIN q USING (__key)),
          e AS (SELECT *, coalesce(${exempt}, false) AS __exempt,
                       CASE WHEN __y >= __med THEN __hi ELSE __lo END AS __capv FROM z),
          d AS (SELECT *, coalesce(__y IS NOT NULL AND __capv IS NOT NULL AND CASE WHEN __y >= __med THEN __y > __capv ELSE __y < __capv END, false) AS __beyond FROM e)
     SELECT *, __beyond AND coalesce(${candidate}, false) AS __cap, CASE WHEN __beyond AND coalesce(${candidate}, false) THEN __capv ELSE __y END AS __new FROM d`,
  );
}

/** Helper columns kpiOutlierTable adds (drop them to get the table back). */
export function kpiOutlierHelpers(mapping: CheckMapping): string[] {
  const base = ['__y', '__event', '__req', '__med', '__q1', '__q3', '__hi', '__lo', '__mad', '__flag', '__z', '__exempt', '__capv', '__beyond', '__cap', '__new'];
  const per = mapping.channels.flatMap((_, i) => [`__s${i}`, `__smed${i}`, `__sq1_${i}`, `__sq3_${i}`, `__smad${i}`, `__bz${i}`, `__bb${i}`]);
  return [...base, ...per];
}

type Row = Record<string, unknown> & { date: string | null; key: string };

/** The listed rows of a kpiOutlierTable (flagged, named in cap_weeks, or capped), as FlaggedWeek, ordered by key then week. */
export async function readFlaggedWeeks(db: Db, work: string, mapping: CheckMapping, cleaning: CleaningConfig): Promise<FlaggedWeek[]> {
  const cfg = cleaning.outliers;
  const rows = await db.query<Row>(
    `SELECT ${isoDate('__date')} AS date, __key AS key, __y AS value, __z AS z, __med AS med, __flag AS flag, __req AS req, __capv AS capv, __event AS event,
            __exempt AS exempt, __beyond AS beyond, __cap AS cap, __new AS after
            ${mapping.channels.map((c, i) => `, __bb${i} AS bb${i}, __bz${i} AS bz${i}, __s${i} AS s${i}`).join('')}
     FROM ${ident(work)} WHERE __flag OR __req OR __cap ORDER BY __key, __date, __row`,
  );
  const useBursts = cfg.exempt_spend_bursts && cfg.kpi_rule === 'flagged';
  return rows.map((r) => {
    const exemptions: Exemption[] = [];
    if (cfg.exempt_promo_periods && r.event !== null) exemptions.push({ kind: 'promo', reason: String(r.event) });
    if (useBursts) {
      mapping.channels.forEach((c, i) => {
        if (r[`bb${i}`]) exemptions.push({ kind: 'spend_burst', channel: c.name, column: c.spend, spend: Number(r[`s${i}`]), robustZ: r[`bz${i}`] === null ? null : Number(r[`bz${i}`]) });
      });
    }
    const value = Number(r.value);
    const med = Number(r.med);
    const requested = r.req ? 'cap_weeks' : cfg.cap_all_flagged && r.flag ? 'cap_all_flagged' : null;
    return {
      date: r.date,
      ...(r.key ? { key: r.key } : {}),
      value,
      robustZ: r.z === null ? null : Number(r.z),
      median: med,
      side: value >= med ? 'high' : 'low',
      flagged: Boolean(r.flag),
      requested,
      capValue: r.capv === null ? null : Number(r.capv),
      exemptions,
      status: r.cap ? 'capped' : r.beyond ? 'exempt' : 'inside_cap',
      after: Number(r.after),
    } satisfies FlaggedWeek;
  });
}
