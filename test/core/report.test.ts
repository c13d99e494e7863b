import { describe, expect, it } from 'vitest';
import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams, type ModelParams } from '../../src/core/model/constrain.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import type { DrawTable } from '../../src/core/model/draws.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { buildReportModel, withoutRows } from '../../src/core/export/report-model.ts';
import { escapeHtml, renderReportHtml } from '../../src/core/export/report-html.ts';
import {
  bundleFromFragment,
  bundleToFragment,
  decodeShareBundle,
  encodeShareBundle,
  fromBase64Url,
  makeShareBundle,
  ShareBundleError,
  toBase64Url,
} from '../../src/core/export/share-bundle.ts';
import { reportCsv, reportJson, reportParquet, channelTable } from '../../src/core/export/report-tables.ts';
import { parquetReadObjects } from 'hyparquet';
import type { CheckResult } from '../../src/core/check/result.ts';
import type { PlanResult } from '../../src/core/optimizer/plan.ts';
import type { RefreshReview } from '../../src/core/governance/refresh-review.ts';
import { originAllowed, parseEmbedParams, readLoadMessage } from '../../src/core/export/embed-protocol.ts';

// The hand-computed posterior of analysis.test.ts (3 draws differing in beta), with a channel
// whose name is markup: tv's ROI draws are beta * 10 * (8/7 + 4/5) / 4 = [0.4857, 0.9714, 1.4571].
const EVIL = '<script>alert("x")</script> & tv';
const SPEC: ModelSpec = { ...DEFAULT_MODEL_SPEC, adstock: { kind: 'geometric', lags: 2 }, seasonality: { kind: 'none' } };
const DATASET: Dataset = {
  dates: ['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22'],
  target: { name: 'sales', values: Float64Array.from([10, 12, 8, 10]) },
  channels: [
    { name: EVIL, spend: Float64Array.from([2, 0, 2, 0]) },
    { name: 'radio', spend: Float64Array.from([3, 3, 3, 3]) },
  ],
  controls: [{ name: 'price', values: Float64Array.from([1, 2, 3, 4]) }],
  factors: [],
};
const draw = (b: number, r: number): ModelParams => ({
  intercept: 0.8, trend: 0.1, fourier: new Float64Array(0), beta: Float64Array.from([b, r]), alpha: Float64Array.from([0.5, 0.5]),
  K: Float64Array.from([1, 1]), S: Float64Array.from([1, 2]), gamma: Float64Array.from([0.3]), sigma: 0.1,
});
const data = prepareModelData(DATASET, SPEC);
const layout = buildLayout(SPEC, data);
const rows = [draw(0.1, 0.3), draw(0.2, 0.2), draw(0.3, 0.1)];
const values = new Float64Array(rows.length * layout.dim);
rows.forEach((p, i) => values.set(fromParams(layout, p), i * layout.dim));
const analysis = analyseFit(SPEC, data, { names: layout.names, tables: [{ names: layout.names, values, nDraws: 3 } as DrawTable] }, { priorDraws: 0 });
const check: CheckResult = { id: 'data.gap', severity: 'warn', title: 'A <gap> in "weeks"', detail: 'Week 3 & 4', evidence: {} };
const model = buildReportModel({
  analysis, kpiName: 'sales <units>', dates: DATASET.dates, dataChecks: [check], diagnostics: [], health: [],
  lineage: { file: 'evil "name".csv', seed: 7 }, createdAt: '2026-01-01T00:00:00Z',
});

describe('report model', () => {
  it('ranks channels by ROI and states each with its 90% interval', () => {
    // tv ROI median 136/140 = 0.971; q05 = 0.4857 + 0.1 * 0.4857 = 0.534; q95 = 0.9714 + 0.9 * 0.4857 = 1.41
    const tv = model.channels.find((c) => c.name === EVIL)!;
    expect(tv.roi.median).toBeCloseTo(136 / 140, 12);
    expect(model.summary.actions.some((a) => a.includes('0.971 (90%: 0.534 to 1.41)'))).toBe(true);
    expect(model.period).toEqual({ from: '2024-01-01', to: '2024-01-22' });
    expect(model.summary.safe.length + model.summary.caution.length).toBe(2);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model); // plain JSON
  });
  it('lists a convergence check once when the health card already has it', () => {
    const rhat: CheckResult = { id: 'fit.rhat', severity: 'warn', title: 'R-hat', detail: 'd', evidence: {} };
    const ess: CheckResult = { id: 'fit.ess', severity: 'info', title: 'ESS', detail: 'd', evidence: {} };
    const m = buildReportModel({ analysis, kpiName: 'sales', health: [rhat], diagnostics: [rhat, ess] });
    expect(m.appendix.health.map((c) => c.id)).toEqual(['fit.rhat']);
    expect(m.appendix.diagnostics.map((c) => c.id)).toEqual(['fit.ess']);
    expect(m.summary.health).toBe('warn');
  });
  it('withoutRows drops the weekly series only', () => {
    expect(model.series?.observed).toEqual([10, 12, 8, 10]);
    const s = withoutRows(model);
    expect(s.series).toBeNull();
    expect(s.channels).toEqual(model.channels);
  });
});

describe('report with a plan and a refresh review', () => {
  const iv = (m: number) => ({ mean: m, q05: m - 1, q25: m - 0.5, q50: m, q75: m + 0.5, q95: m + 1 });
  const names = model.channels.map((c) => c.name);
  const plan = {
    channels: names, current: [100, 200], recommended: [150, 150], status: 'improved', message: 'Move 50 from radio to <tv>.', metric: 'kpi',
    objective: { kind: 'expected', current: 1, recommended: 2 }, checks: [], method: 'grid', draws: 3, timings: { curvesS: 0, solveS: 0, reportS: 0 },
    comparison: { channels: names.map((channel, i) => ({ channel, base: 0, plan: 0, delta: iv(i + 2), roi: iv(1), mroi: iv(1), peakWeekly: 0 })), base: iv(0), plan: iv(0), delta: iv(5), probBeatsBase: 0.87, inHorizon: iv(0), afterHorizon: iv(0), historyCarryover: iv(0) },
  } as unknown as PlanResult;
  const refresh = {
    verdict: { verdict: 'warn', publish: 'limited', results: [{ id: 'gate.roi', severity: 'warn', title: 'ROI moved', detail: 'radio & "tv"', evidence: {} }] },
    labels: [{ channel: names[0], label: 'safe', reasons: [] }, { channel: 'radio', label: 'do_not_infer', reasons: ['wide'] }],
    memo: { title: 'What changed', sections: [{ heading: 'Data', items: ['2 <new> weeks'] }] },
  } as unknown as RefreshReview;
  const m = buildReportModel({ analysis, kpiName: 'sales', plan, refresh, createdAt: 'x' });
  const html = renderReportHtml(m);
  it('states the plan change with its interval and the share of draws that beat the current plan', () => {
    expect(m.plan?.rows.map((r) => r.delta.median)).toEqual([2, 3]);
    expect(m.summary.actions.some((a) => a.includes('change 5 (90%: 4 to 6) kpi') && a.includes('87% of draws'))).toBe(true);
    expect(html).toContain('Move 50 from radio to &lt;tv&gt;.');
    expect(html).toContain('<td class="num">3 (90%: 2 to 4)</td>');
  });
  it('carries the gate verdict, escapes the memo and puts do_not_infer channels under caution', () => {
    expect(m.refresh?.publish).toBe('limited');
    expect(html).toContain('radio &amp; &quot;tv&quot;');
    expect(html).toContain('2 &lt;new&gt; weeks');
    expect(m.channels.find((c) => c.name === 'radio')?.label).toBe('do_not_infer');
    expect(m.summary.caution).toContain('radio');
    expect(m.summary.safe).not.toContain('radio');
  });
});

describe('report HTML', () => {
  const html = renderReportHtml(model);
  it('escapes every text from the data', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml(EVIL));
    expect(html).toContain('sales &lt;units&gt;');
    expect(html).toContain('A &lt;gap&gt; in &quot;weeks&quot;');
    expect(html).toContain('evil &quot;name&quot;.csv');
  });
  it('prints every ROI with its 90% interval in the ROI table', () => {
    const table = html.slice(html.indexOf('id="roi-table"'), html.indexOf('</table>', html.indexOf('id="roi-table"')));
    for (const c of model.channels) {
      const row = table.slice(table.indexOf(escapeHtml(c.name)));
      const f = (x: number) => new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(x);
      expect(row).toContain(`${f(c.roi.median)} (90%: ${f(c.roi.q05)} to ${f(c.roi.q95)})`);
      expect(row).toContain(`${f(c.mroi.median)} (90%: ${f(c.mroi.q05)} to ${f(c.mroi.q95)})`);
    }
    expect(table).toContain('0.971 (90%: 0.534 to 1.41)');
  });
  it('references nothing outside the file and keeps figures and rows whole in print', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|<link|<script|<img/i);
    expect(html).toMatch(/\.cr figure,\.cr tr,[^{]*\{break-inside:avoid/);
    expect(html).toContain('@media print');
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(renderReportHtml(withoutRows(model)).match(/<svg /g)?.length).toBe(1);
  });
});

describe('dashboard exports', () => {
  it('CSV has one row per channel with interval columns; JSON round-trips', () => {
    const t = channelTable(model);
    expect(t.header).toContain('roi_q05');
    const csv = reportCsv(model).trim().split(/\r?\n/);
    expect(csv.length).toBe(1 + model.channels.length);
    expect(JSON.parse(reportJson(model))).toEqual(model);
  });
  it('Parquet reads back (hyparquet) with the same names and ROI intervals', async () => {
    const bytes = reportParquet(model);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    expect(rows.map((r) => r.channel)).toEqual(model.channels.map((c) => c.name));
    expect(rows[0].roi_q05).toBeCloseTo(model.channels[0].roi.q05, 12);
    expect(rows[1].roi_q95).toBeCloseTo(model.channels[1].roi.q95, 12);
  });
});

describe('share bundle', () => {
  it('round-trips through the gzip file and the #share= fragment, without rows unless opted in', () => {
    const b = makeShareBundle(model);
    expect(b.includesRows).toBe(false);
    expect(b.report.series).toBeNull();
    expect(decodeShareBundle(encodeShareBundle(b))).toEqual(b);
    const withRows = makeShareBundle(model, true);
    expect(withRows.includesRows).toBe(true);
    const frag = bundleToFragment(withRows);
    expect(frag).toMatch(/^share=[A-Za-z0-9_-]+$/);
    expect(bundleFromFragment(`#${frag}`)).toEqual(withRows);
    expect(bundleFromFragment('#/results')).toBeNull();
  });
  it('base64url agrees with Node for every length mod 3', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const u = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      expect(toBase64Url(u)).toBe(Buffer.from(u).toString('base64url'));
      expect(Array.from(fromBase64Url(toBase64Url(u)))).toEqual(Array.from(u));
    }
  });
  it('refuses a link over the size limit, a damaged link and a non-bundle with clear messages', () => {
    const b = makeShareBundle(model, true);
    expect(() => bundleToFragment(b, 100)).toThrow(ShareBundleError);
    expect(() => bundleToFragment(b, 100)).toThrow(/too large for a link .* limit 100\)\. Download the bundle file/);
    expect(() => bundleFromFragment(`#share=${'A'.repeat(200)}`, 100)).toThrow(/too long .* limit 100/);
    expect(() => bundleFromFragment('#share=ab$c')).toThrow(/character 3 \("\$"\) is not base64url/);
    expect(() => decodeShareBundle(new TextEncoder().encode('{"format":"x"}'.padEnd(40)))).toThrow(/not gzip-compressed/);
    const other = encodeShareBundle({ ...b, format: 'x' } as never);
    expect(() => decodeShareBundle(other)).toThrow(/not a Carryover share bundle/);
    const newer = encodeShareBundle({ ...b, version: 2 } as never);
    expect(() => decodeShareBundle(newer)).toThrow(/version 2; this viewer reads version 1/);
  });
});

describe('embed protocol', () => {
  it('reads the view and keeps only well-formed http(s) origins in the allow-list', () => {
    expect(parseEmbedParams('?embed=report&allow=https%3A%2F%2Fportal.example%2Chttp%3A%2F%2Flocalhost%3A5173')).toEqual({ view: 'report', allow: ['https://portal.example', 'http://localhost:5173'] });
    expect(parseEmbedParams('?embed=plan')).toEqual({ view: 'plan', allow: [] });
    expect(parseEmbedParams('?chart=fit&allow=*')).toEqual({ view: 'chart:fit', allow: [] });
    expect(parseEmbedParams('?embed=report&allow=https://a.example/path,javascript:x,null')?.allow).toEqual([]);
    expect(parseEmbedParams('?foo=1')).toBeNull();
    expect(originAllowed('https://portal.example', ['https://portal.example'])).toBe(true);
    expect(originAllowed('https://evil.example', ['https://portal.example'])).toBe(false);
    expect(originAllowed('null', ['null'])).toBe(false);
  });
  it('loads a bundle given as object, gzip bytes or base64url text; rejects another version', () => {
    const b = makeShareBundle(model);
    const bytes = encodeShareBundle(b);
    for (const bundle of [b, bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), bundleToFragment(b)]) {
      expect(readLoadMessage({ type: 'carryover:load', version: 1, bundle })).toEqual(b);
    }
    expect(readLoadMessage({ type: 'other' })).toBeNull();
    expect(() => readLoadMessage({ type: 'carryover:load', version: 2, bundle: b })).toThrow(/version 2 is not supported/);
    expect(() => readLoadMessage({ type: 'carryover:load', version: 1, bundle: { format: 'carryover-share', version: 1 } })).toThrow(/holds no report/);
  });
});
