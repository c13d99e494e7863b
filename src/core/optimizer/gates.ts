import type { CheckResult } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import { meanCurve, type Curves } from './curves.ts';
import type { PlanComparison } from './summary.ts';

/** Whether the fit pins down a channel's effect (from the analysis stage's identifiability signals). */
export interface Identification {
  identified: boolean;
  /** why not, one line each (e.g. "posterior of beta close to its prior") */ reasons: string[];
}

/** Thresholds of the optimizer's sanity gates. */
export interface GateThresholds {
  /** peak weekly plan spend above this multiple of the largest observed weekly spend is extrapolation */ extrapolation: number;
  /** an expected gain below this fraction of the current plan's value counts as no improvement */ minGain: number;
  /** a relative increase above this is a large move (into a channel not identified) */ largeMove: number;
  /** a channel whose value per currency at 2x its spend is below this fraction of the portfolio's is flat */ flatRoi: number;
  /** a channel carrying more than this share of the gross expected gain, with a plan that can lose, makes the plan depend on it */ dependence: number;
}

/** Defaults: 1.2x the largest observed week (issue 9); 0.1% gain; +25%; 1% of portfolio ROI; 60%. */
export const DEFAULT_GATES: GateThresholds = { extrapolation: 1.2, minGain: 0.001, largeMove: 0.25, flatRoi: 0.01, dependence: 0.6 };

/** What the gates look at. */
export interface GateInput {
  cv: Curves;
  draws: readonly number[];
  /** recommended vs current */ cmp: PlanComparison;
  /** largest observed weekly spend per channel, currency, [C] */ maxWeekly: Float64Array;
  /** whether the solver kept the current plan because it could not beat it */ keptCurrent: boolean;
  identified?: Readonly<Record<string, Identification>>;
  thresholds?: Partial<GateThresholds>;
}

/** Runs every sanity gate on a recommendation; one CheckResult per gate that fires. */
export function optimizerGates(g: GateInput): CheckResult[] {
  const t = { ...DEFAULT_GATES, ...g.thresholds };
  const out: CheckResult[] = [];
  const { cmp } = g;
  const f = (v: number) => formatNumber(v, 3);
  const baseValue = Math.abs(cmp.base.mean);
  if (g.keptCurrent || cmp.delta.mean <= t.minGain * baseValue) {
    out.push({
      id: 'optimizer.no-improvement', severity: 'warn',
      title: g.keptCurrent ? 'No plan beats the current one: the current plan is kept' : 'The best plan barely beats the current one',
      detail: `Expected gain ${f(cmp.delta.mean)} vs ${f(t.minGain * 100)}% of the current plan's value (${f(t.minGain * baseValue)}).`,
      evidence: { expectedGain: cmp.delta.mean, currentValue: cmp.base.mean, keptCurrent: g.keptCurrent },
      fix: 'The current allocation is already near the best the model sees under these constraints; loosen the bounds or change the budget to explore.',
    });
  }
  const over = cmp.channels
    .map((ch, c) => ({ channel: ch.channel, peakWeekly: ch.peakWeekly, maxObserved: g.maxWeekly[c] }))
    .filter((r) => r.peakWeekly > t.extrapolation * r.maxObserved * (1 + 1e-9));
  if (over.length) {
    out.push({
      id: 'optimizer.extrapolation', severity: 'warn',
      title: `The plan spends beyond anything observed in ${over.map((r) => r.channel).join(', ')}`,
      detail: over.map((r) => `${r.channel}: peak week ${f(r.peakWeekly)} vs largest observed ${f(r.maxObserved)} (limit ${t.extrapolation}x)`).join('; '),
      evidence: { channels: over, factor: t.extrapolation },
      fix: 'The response there is extrapolated from the curve shape; cap those channels (max spend) or test the level in market first.',
    });
  }
  if (g.identified) {
    const moves = cmp.channels.filter((ch) => {
      const id = g.identified![ch.channel];
      return id && !id.identified && ch.plan > ch.base * (1 + t.largeMove) && ch.plan - ch.base > 0.01 * cmp.channels.reduce((s, x) => s + x.base, 0);
    });
    if (moves.length) {
      out.push({
        id: 'optimizer.not-identified', severity: 'warn',
        title: `Large moves into channels whose effect is not identified: ${moves.map((m) => m.channel).join(', ')}`,
        detail: moves.map((m) => `${m.channel}: ${f(m.base)} -> ${f(m.plan)} (${g.identified![m.channel].reasons.join('; ') || 'not identified'})`).join('; '),
        evidence: { channels: moves.map((m) => ({ channel: m.channel, current: m.base, recommended: m.plan, reasons: g.identified![m.channel].reasons })) },
        fix: 'Lock these channels or bound their change until an experiment or more data pins their effect down.',
      });
    }
  }
  const spend = cmp.channels.reduce((s, ch) => s + ch.base, 0);
  const portfolioRoi = spend > 0 ? Math.abs(cmp.base.mean) / spend : 0;
  // flatness needs the curve's level, not its tails: 200 draws give it
  const some = g.draws.slice(0, 200);
  const flat = cmp.channels
    .map((ch, c) => {
      const b = Math.max(2 * ch.base, ch.plan, 1e-9);
      const v = meanCurve(g.cv, c, [b], some)[0] + g.cv.spendCost * b;
      return { channel: ch.channel, spendTested: b, valuePerCurrency: v / b };
    })
    .filter((r) => r.valuePerCurrency < t.flatRoi * portfolioRoi);
  if (flat.length) {
    out.push({
      id: 'optimizer.flat-response', severity: 'warn',
      title: `Flat response curves: ${flat.map((r) => r.channel).join(', ')}`,
      detail: flat.map((r) => `${r.channel}: ${f(r.valuePerCurrency)} per unit spent at ${f(r.spendTested)}, under ${t.flatRoi * 100}% of the portfolio's ${f(portfolioRoi)}`).join('; '),
      evidence: { channels: flat, portfolioRoi },
      fix: 'The model sees (almost) no effect of these channels, so the plan cuts them; check that their data vary enough to be measured before acting on it.',
    });
  }
  if (cmp.delta.mean > 0) {
    // the gain rests on one channel when it brings most of the gross gain, the plan can lose
    // overall, and that channel's own gain is uncertain (90% spread wider than its mean)
    const gross = cmp.channels.reduce((s, ch) => s + Math.max(0, ch.delta.mean), 0);
    const top = [...cmp.channels].sort((a, b) => b.delta.mean - a.delta.mean)[0];
    const share = top.delta.mean / gross;
    const spread = (top.delta.q95 - top.delta.q05) / top.delta.mean;
    if (share > t.dependence && cmp.delta.q05 < 0 && spread > 1) {
      out.push({
        id: 'optimizer.single-channel', severity: 'warn',
        title: `The plan's gain rests on ${top.channel}, whose effect is uncertain`,
        detail: `${top.channel} brings ${f(share * 100)}% of the expected gross gain with a 90% interval of ${f(top.delta.q05)} to ${f(top.delta.q95)} (spread ${f(spread)}x its mean); the plan loses against the current one in ${f((1 - cmp.probBeatsBase) * 100)}% of draws.`,
        evidence: { channel: top.channel, share, spread, delta: top.delta, planDelta: cmp.delta, probBeatsCurrent: cmp.probBeatsBase },
        fix: 'Consider a risk-aware objective, or limit the change in that channel.',
      });
    }
  }
  return out;
}
