/**
 * Limits on one channel's horizon budget. Spends are currency over the horizon; shares are of the
 * plan's total in [0, 1]; maxChange is the largest relative move vs the current plan (0.3 = +-30%).
 */
export interface ChannelBound {
  minSpend?: number;
  maxSpend?: number;
  minShare?: number;
  maxShare?: number;
  maxChange?: number;
  /** keep the current spend */ locked?: boolean;
}

/** Lower and upper horizon budget per channel, currency, [C] each. */
export interface Box {
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * Resolves per-channel bounds (by channel name) into a box for a plan of `total`.
 * @param current [C] current horizon spend, currency
 * @throws naming the channel when its bounds contradict each other, and when no plan of `total` fits
 */
export function resolveBox(
  channels: readonly string[],
  current: ArrayLike<number>,
  total: number,
  bounds: Readonly<Record<string, ChannelBound>> = {},
): Box {
  for (const name of Object.keys(bounds)) {
    if (!channels.includes(name)) throw new Error(`Bounds name channel "${name}", which the model does not have (channels: ${channels.join(', ')}).`);
  }
  const C = channels.length;
  const lo = new Float64Array(C);
  const hi = new Float64Array(C).fill(Infinity);
  channels.forEach((ch, c) => {
    const b = bounds[ch] ?? {};
    for (const [k, v] of Object.entries(b)) {
      if (k !== 'locked' && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) {
        throw new Error(`Bound ${k} of channel "${ch}" must be a finite number >= 0, got ${v}.`);
      }
    }
    if (b.locked) {
      lo[c] = hi[c] = current[c];
      return;
    }
    if (b.minSpend !== undefined) lo[c] = Math.max(lo[c], b.minSpend);
    if (b.maxSpend !== undefined) hi[c] = Math.min(hi[c], b.maxSpend);
    if (b.minShare !== undefined) lo[c] = Math.max(lo[c], b.minShare * total);
    if (b.maxShare !== undefined) hi[c] = Math.min(hi[c], b.maxShare * total);
    if (b.maxChange !== undefined) {
      lo[c] = Math.max(lo[c], current[c] * (1 - b.maxChange));
      hi[c] = Math.min(hi[c], current[c] * (1 + b.maxChange));
    }
    if (lo[c] > hi[c] * (1 + 1e-12)) {
      throw new Error(`Channel "${ch}": its lower bound ${lo[c].toFixed(2)} exceeds its upper bound ${hi[c].toFixed(2)}; loosen one of them.`);
    }
    hi[c] = Math.min(hi[c], total);
  });
  const sumLo = lo.reduce((a, b) => a + b, 0);
  const sumHi = hi.reduce((a, b) => a + b, 0);
  if (sumLo > total * (1 + 1e-9)) throw new Error(`The channels' minimum spends add up to ${sumLo.toFixed(2)}, more than the budget ${total.toFixed(2)}; lower a minimum or raise the budget.`);
  if (sumHi < total * (1 - 1e-9)) throw new Error(`The channels' maximum spends add up to ${sumHi.toFixed(2)}, less than the budget ${total.toFixed(2)}; raise a maximum or lower the budget.`);
  return { lo, hi };
}

/**
 * Projection of y onto { lo <= x <= hi, sum x = total } in the metric sum_c w_c (x_c - y_c)^2:
 * x_c = clip(y_c - lambda / w_c), lambda found by bisection (the sum falls as lambda grows).
 * @param w [C] positive weights; default all 1 (Euclidean)
 * @returns x [C]
 */
export function projectToBudget(y: ArrayLike<number>, box: Box, total: number, w?: ArrayLike<number>, out = new Float64Array(y.length)): Float64Array {
  const C = y.length;
  const wt = (c: number) => (w ? w[c] : 1);
  const sumAt = (lam: number) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.min(box.hi[c], Math.max(box.lo[c], y[c] - lam / wt(c)));
    return s;
  };
  let a = Infinity;
  let b = -Infinity;
  for (let c = 0; c < C; c++) {
    a = Math.min(a, wt(c) * (y[c] - box.hi[c]));
    b = Math.max(b, wt(c) * (y[c] - box.lo[c]));
  }
  // sumAt(a) = sum hi >= total >= sum lo = sumAt(b)
  for (let it = 0; it < 200 && b - a > 1e-13 * (Math.abs(a) + Math.abs(b) + 1e-300); it++) {
    const m = 0.5 * (a + b);
    if (sumAt(m) > total) a = m;
    else b = m;
  }
  const lam = 0.5 * (a + b);
  for (let c = 0; c < C; c++) out[c] = Math.min(box.hi[c], Math.max(box.lo[c], y[c] - lam / wt(c)));
  return out;
}
