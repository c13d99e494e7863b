import type { CheckResult } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import { withInterval, type ReportEstimate, type ReportModel, type ReportSeries } from './report-model.ts';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const e = escapeHtml;
const n = (x: number, d = 3) => e(formatNumber(x, d));
const pct = (x: number) => `${formatNumber(100 * x, 3)}%`;
const est = (x: ReportEstimate, fmt?: (v: number) => string) => e(withInterval(x, fmt));

// Inline styles only: the file opens from disk with no request. Print: figures and rows never split.
const CSS = `
.cr{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;background:#fff;margin:0 auto;max-width:960px;padding:24px}
.cr h1{font-size:24px;margin:0 0 4px}.cr h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}.cr h3{font-size:15px;margin:16px 0 6px}.cr h4{font-size:14px;margin:10px 0 4px}
.cr .meta{color:#57606a;font-size:12px}.cr .summary{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px}
.cr table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}.cr th,.cr td{border-bottom:1px solid #d8dee4;padding:4px 6px;text-align:left;vertical-align:top}
.cr td.num,.cr th.num{text-align:right;font-variant-numeric:tabular-nums}
.cr tr[data-channel]{cursor:pointer}.cr tr[data-channel]:hover{background:#f6f8fa}
.cr .sev-block{color:#a40e26;font-weight:600}.cr .sev-warn{color:#9a6700;font-weight:600}.cr .sev-info{color:#1a7f37}
.cr .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;border:1px solid currentColor}
.cr figure{margin:12px 0}.cr figcaption{font-size:12px;color:#57606a}.cr svg{max-width:100%;height:auto}
.cr figure,.cr tr,.cr .summary,.cr .check{break-inside:avoid;page-break-inside:avoid}
.cr thead{display:table-header-group}
@media print{body{margin:0}.cr{max-width:none;padding:0;font-size:11pt}.cr h2{break-after:avoid;page-break-after:avoid}.cr .appendix{break-before:page;page-break-before:always}.cr a{color:inherit;text-decoration:none}}
`;

function checksTable(title: string, checks: readonly CheckResult[], empty: string): string {
  if (!checks.length) return `<h3>${e(title)}</h3><p>${e(empty)}</p>`;
  const rows = checks
    .map((c) => `<tr class="check"><td class="sev-${c.severity}">${e(c.severity)}</td><td>${e(c.title)}<br><span class="meta">${e(c.id)}</span></td><td>${e(c.detail)}${c.fix ? `<br><em>Fix: ${e(c.fix)}</em>` : ''}</td></tr>`)
    .join('');
  return `<h3>${e(title)}</h3><table><thead><tr><th>Severity</th><th>Check</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Horizontal interval plot: median dot, thick 50% bar, thin 90% line per row; a dashed reference line. */
export function forestSvg(rows: readonly { label: string; e: ReportEstimate }[], ref: number | null, title: string): string {
  const W = 640, rowH = 26, left = 150, right = 20, top = 10, H = top + rows.length * rowH + 30;
  const vals = rows.flatMap((r) => [r.e.q05, r.e.q95]).concat(ref === null ? [] : [ref]).filter(Number.isFinite);
  let lo = Math.min(0, ...vals), hi = Math.max(...vals);
  if (!(hi > lo)) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (W - left - right);
  const c = (v: number) => x(Math.min(hi, Math.max(lo, v))).toFixed(1);
  const parts: string[] = [];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    parts.push(`<line x1="${c(v)}" x2="${c(v)}" y1="${top}" y2="${H - 22}" stroke="#eaeef2"/><text x="${c(v)}" y="${H - 8}" font-size="11" text-anchor="middle" fill="#57606a">${n(v, 2)}</text>`);
  }
  if (ref !== null) parts.push(`<line x1="${c(ref)}" x2="${c(ref)}" y1="${top}" y2="${H - 22}" stroke="#a40e26" stroke-dasharray="4 3"/>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" font-size="12" text-anchor="end">${e(r.label)}</text>` +
        `<line x1="${c(r.e.q05)}" x2="${c(r.e.q95)}" y1="${y}" y2="${y}" stroke="#0969da" stroke-width="1.5"/>` +
        `<line x1="${c(r.e.q25)}" x2="${c(r.e.q75)}" y1="${y}" y2="${y}" stroke="#0969da" stroke-width="6"/>` +
        `<circle cx="${c(r.e.median)}" cy="${y}" r="4" fill="#fff" stroke="#0550ae" stroke-width="2"/>`,
    );
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${e(title)}"><title>${e(title)}</title>${parts.join('')}</svg>`;
}

/** Observed KPI (dots) against the fitted mean and its 90% band, per week. */
export function fitSvg(s: ReportSeries, kpiName: string): string {
  const W = 880, H = 260, l = 60, r = 10, t = 10, b = 30, N = s.observed.length;
  const all = [...s.observed, ...s.fitted.q05, ...s.fitted.q95].filter(Number.isFinite);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) hi = lo + 1;
  const x = (i: number) => (l + (N > 1 ? i / (N - 1) : 0.5) * (W - l - r)).toFixed(1);
  const y = (v: number) => (t + (1 - (v - lo) / (hi - lo)) * (H - t - b)).toFixed(1);
  const band = s.fitted.q95.map((v, i) => `${x(i)},${y(v)}`).concat(s.fitted.q05.map((v, i) => `${x(i)},${y(v)}`).reverse()).join(' ');
  const line = s.fitted.mean.map((v, i) => `${x(i)},${y(v)}`).join(' ');
  const dots = s.observed.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="1.8" fill="#1b1f24"/>`).join('');
  const axis = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${l - 6}" y="${y(v)}" font-size="11" text-anchor="end" fill="#57606a">${n(v, 3)}</text>`).join('');
  const dates = N ? `<text x="${l}" y="${H - 8}" font-size="11" fill="#57606a">${e(s.weeks[0])}</text><text x="${W - r}" y="${H - 8}" font-size="11" text-anchor="end" fill="#57606a">${e(s.weeks[N - 1])}</text>` : '';
  const title = `${kpiName}: observed and fitted with 90% band`;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${e(title)}"><title>${e(title)}</title><polygon points="${band}" fill="#0969da" fill-opacity="0.18"/><polyline points="${line}" fill="none" stroke="#0969da" stroke-width="1.5"/>${dots}${axis}${dates}</svg>`;
}

/** Options of renderReportHtml. */
export interface ReportHtmlOptions {
  /** a line at the top of the page, e.g. that a shared bundle includes row-level data */ notice?: string;
}

/**
 * The report as ONE standalone HTML document: inline CSS and SVG, no script, no external
 * reference; every text from the model is escaped. Print layout: figures, table rows and
 * check rows never break across pages; the appendix starts on a new page.
 */
export function renderReportHtml(m: ReportModel, opts: ReportHtmlOptions = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(m.title)}</title></head>
<body style="margin:0">
${renderReportFragment(m, opts)}
</body></html>
`;
}

/** Which part of the report a fragment holds: all of it, the plan, or one chart (`roi`, `fit`). */
export type ReportPart = 'report' | 'plan' | 'chart:roi' | 'chart:fit';

/**
 * The report as an HTML fragment with its own `<style>`: every rule is scoped under `.cr`, so
 * it can sit inside the app (preview, viewer, embed) without touching the app's styles.
 * Channel rows carry `data-channel` (the embed's selection events).
 */
export function renderReportFragment(m: ReportModel, opts: ReportHtmlOptions = {}, part: ReportPart = 'report'): string {
  const s = m.summary;
  const period = m.period ? `${e(m.period.from)} to ${e(m.period.to)}, ` : '';
  const breakEven = m.roiUnit.startsWith('revenue') ? 1 : null;
  const chRows = m.channels
    .map(
      (c) =>
        `<tr data-channel="${e(c.name)}" tabindex="0"><td>${e(c.name)}${c.label ? ` <span class="badge">${e(c.label)}</span>` : ''}</td><td class="num">${n(c.spend, 6)}</td><td class="num">${est(c.roi)}</td><td class="num">${est(c.mroi)}</td><td class="num">${est(c.contribution)}</td><td class="num">${est(c.mediaShare, pct)}</td><td>${c.flags.map(e).join('<br>') || 'identified'}</td></tr>`,
    )
    .join('');
  const acc = m.accuracy;
  const accuracy = acc
    ? `<table><tbody><tr><th>MAPE</th><td class="num">${e(pct(acc.mape))}</td></tr><tr><th>R²</th><td class="num">${n(acc.r2)}</td></tr><tr><th>NRMSE</th><td class="num">${n(acc.nrmse)}</td></tr>${acc.coverage
        .map((c) => `<tr><th>Weeks inside the ${e(pct(c.level))} prediction interval</th><td class="num">${e(pct(c.share))}</td></tr>`)
        .join('')}${acc.loo ? `<tr><th>PSIS-LOO elpd (± se)</th><td class="num">${n(acc.loo.elpd, 5)} ± ${n(acc.loo.se)} (${acc.loo.badK} weeks with high Pareto k)</td></tr>` : ''}</tbody></table>`
    : '<p>The in-sample evaluation was not available when this report was made.</p>';
  const plan = m.plan
    ? `<section id="plan"><h2>Plan</h2><p>${e(m.plan.message)} Change: ${est(m.plan.delta)} ${e(m.plan.metric)}; better than the current plan in ${e(pct(m.plan.probBeatsBase))} of draws.</p><table><thead><tr><th>Channel</th><th class="num">Current spend</th><th class="num">Recommended spend</th><th class="num">Change in ${e(m.plan.metric)} (median, 90%)</th></tr></thead><tbody>${m.plan.rows
        .map((r) => `<tr><td>${e(r.channel)}</td><td class="num">${n(r.current, 6)}</td><td class="num">${n(r.recommended, 6)}</td><td class="num">${est(r.delta)}</td></tr>`)
        .join('')}</tbody></table></section>`
    : '';
  const refresh = m.refresh
    ? `<section id="refresh"><h2>What changed since the last run</h2><p>Gate verdict: <span class="sev-${m.refresh.verdict}">${e(m.refresh.publish)}</span></p>${checksTable('Release gates', m.refresh.gates, 'No gate ran.')}<h3>${e(m.refresh.memo.title)}</h3>${m.refresh.memo.sections
        .map((sec) => `<h4>${e(sec.heading)}</h4><ul>${sec.items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`)
        .join('')}</section>`
    : '';
  const fitFig = m.series ? `<figure>${fitSvg(m.series, m.kpiName)}<figcaption>Observed ${e(m.kpiName)} (dots), fitted mean (line) and its 90% band, per week.</figcaption></figure>` : '<p class="meta">Weekly series not included (no row-level data in this report).</p>';
  const roiFig = `<figure>${forestSvg(m.channels.map((c) => ({ label: c.name, e: c.roi })), breakEven, `ROI by channel, ${m.roiUnit}`)}<figcaption>ROI (${e(m.roiUnit)}): median (dot), 50% (thick) and 90% (thin) intervals${breakEven !== null ? '; dashed: break-even' : ''}.</figcaption></figure>`;
  const notice = opts.notice ? `<p class="summary sev-warn" id="notice">${e(opts.notice)}</p>` : '';
  if (part === 'plan') return `<div class="cr"><style>${CSS}</style>${notice}${plan || '<p>This report holds no plan.</p>'}</div>`;
  if (part === 'chart:roi') return `<div class="cr"><style>${CSS}</style>${notice}${roiFig}</div>`;
  if (part === 'chart:fit') return `<div class="cr"><style>${CSS}</style>${notice}${fitFig}</div>`;
  return `<div class="cr"><style>${CSS}</style>
${notice}
<header><h1>${e(m.title)}</h1><p class="meta">${period}${m.weeks} weeks, ${m.draws} posterior draws; made ${e(m.createdAt)} by Carryover. Every estimate: median with its 90% interval.</p></header>
<section id="summary" class="summary"><h2>Executive summary</h2><p><strong>${e(s.headline)}</strong></p><ul>${s.actions.map((a) => `<li>${e(a)}</li>`).join('')}</ul><p>Model health: <span class="sev-${s.health}">${e(s.health === 'info' ? 'no warning' : s.health)}</span> (see appendix).</p></section>
<section id="results"><h2>Results</h2>${roiFig}
<table id="roi-table"><thead><tr><th>Channel</th><th class="num">Spend</th><th class="num">ROI (median, 90%)</th><th class="num">Marginal ROI</th><th class="num">Contribution (${e(m.kpiName)})</th><th class="num">Share of media</th><th>Identifiability</th></tr></thead><tbody>${chRows}</tbody></table>
<p>Fitted ${e(m.kpiName)} over the period: ${est(m.totals.fitted)} (observed ${n(m.totals.observed, 6)}); media share ${est(m.totals.mediaShare, pct)}, baseline share ${est(m.totals.baselineShare, pct)}.</p>
${fitFig}<h3>Accuracy</h3>${accuracy}</section>
${plan}${refresh}
<section class="appendix" id="appendix"><h2>Appendix: diagnostics and data checks</h2>
${checksTable('Model health', m.appendix.health, 'Health card not available.')}
${checksTable('Convergence diagnostics', m.appendix.diagnostics, 'No convergence check beyond the model health card.')}
${checksTable('Data checks', m.appendix.dataChecks, 'No data check available.')}
<h3>Lineage</h3>${m.appendix.lineage.length ? `<table><tbody>${m.appendix.lineage.map((l) => `<tr><th>${e(l.key)}</th><td>${e(l.value)}</td></tr>`).join('')}</tbody></table>` : '<p>Not recorded.</p>'}
</section>
</div>`;
}
