import { formatNumber } from '../format/number.ts';
import { CHANNEL_QUANTITIES, channelByName, type ChannelQuantity, type RunSummary } from './run-summary.ts';

/**
 * Fits of the 2 x 2 refresh design (any subset): previous/new data crossed with previous/new
 * config. The app runs the refits; this module only splits the deltas.
 */
export interface RefreshFits {
  oldDataOldConfig?: RunSummary;
  oldDataNewConfig?: RunSummary;
  newDataOldConfig?: RunSummary;
  newDataNewConfig?: RunSummary;
}

/** What is known about the change when some refits are missing. */
export interface AttributionHints {
  /** False when the config, mapping and model spec hashes are equal: the whole delta is data. */
  configChanged?: boolean;
  /** False when the cleaned table hash is equal: the whole delta is config. */
  dataChanged?: boolean;
  /** |part| / pooled sd above which a part counts as a cause (default 1, governance.model.swing_sd). */
  materialSd?: number;
}

/** How a channel quantity's delta is accounted for. */
export type ExplanationKind = 'noise' | 'data' | 'config' | 'data+config' | 'interaction' | 'unattributed';

/** One channel quantity's delta split into a data part and a config part. */
export interface ChangeSplit {
  channel: string;
  quantity: ChannelQuantity;
  /** new data + new config minus previous data + previous config, posterior means; null without both fits. */
  total: number | null;
  /** Pooled posterior sd of the two end fits. */
  pooledSd: number | null;
  data: number | null;
  config: number | null;
  /** Data effect under the new config minus under the old one (needs all four fits); null otherwise. */
  interaction: number | null;
  kind: ExplanationKind;
  /** Whether the split accounts for the delta (noise, data, config or both, with a small interaction). */
  explained: boolean;
  /** One sentence with the numbers, for the memo. */
  note: string;
}

const mean = (run: RunSummary | undefined, ch: string, q: ChannelQuantity): number | undefined => (run ? channelByName(run).get(ch)?.[q].mean : undefined);

/**
 * Splits each channel's ROI and share delta between the previous and the new fit into a data
 * part and a config part. With both cross fits the split is the average over the two orders
 * (Shapley), and their disagreement is the interaction; with one cross fit the split is exact
 * along that path; with none, only the hints can assign it.
 * @returns one ChangeSplit per channel of the new fit (or of the previous one if it is absent) and quantity
 */
export function attributeChange(fits: RefreshFits, hints: AttributionHints = {}): ChangeSplit[] {
  const { oldDataOldConfig: oo, oldDataNewConfig: on, newDataOldConfig: no, newDataNewConfig: nn } = fits;
  const material = hints.materialSd ?? 1;
  const names = (nn ?? oo)?.channels.map((c) => c.name) ?? [];
  const out: ChangeSplit[] = [];
  for (const channel of names) {
    for (const quantity of CHANNEL_QUANTITIES) {
      const a = mean(oo, channel, quantity);
      const b = mean(nn, channel, quantity);
      const base = { channel, quantity };
      if (a === undefined || b === undefined) {
        out.push({ ...base, total: null, pooledSd: null, data: null, config: null, interaction: null, kind: 'unattributed', explained: false, note: `${channel} ${quantity}: the ${a === undefined ? 'previous' : 'new'} fit has no estimate, so the change cannot be measured` });
        continue;
      }
      const sa = channelByName(oo!).get(channel)![quantity].sd;
      const sb = channelByName(nn!).get(channel)![quantity].sd;
      const sd = Math.sqrt((sa * sa + sb * sb) / 2);
      const total = b - a;
      const x = mean(on, channel, quantity);
      const y = mean(no, channel, quantity);
      let data: number | null = null;
      let config: number | null = null;
      let interaction: number | null = null;
      if (x !== undefined && y !== undefined) {
        data = (y - a + (b - x)) / 2;
        config = (x - a + (b - y)) / 2;
        interaction = b - x - (y - a);
      } else if (y !== undefined) {
        data = y - a;
        config = b - y;
      } else if (x !== undefined) {
        config = x - a;
        data = b - x;
      } else if (hints.configChanged === false) {
        data = total;
        config = 0;
      } else if (hints.dataChanged === false) {
        data = 0;
        config = total;
      }
      const inSd = (v: number) => (sd > 0 ? Math.abs(v) / sd : v === 0 ? 0 : Infinity);
      const fmt = (v: number) => `${v >= 0 ? '+' : ''}${formatNumber(v, 3)} (${formatNumber(sd > 0 ? v / sd : 0, 2)} sd)`;
      let kind: ExplanationKind;
      let note: string;
      if (inSd(total) <= material) {
        kind = 'noise';
        note = `${channel} ${quantity} moved ${fmt(total)}: within ${material} posterior sd, no cause needed`;
      } else if (data === null || config === null) {
        kind = 'unattributed';
        note = `${channel} ${quantity} moved ${fmt(total)}; data and config both changed and no cross refit was run, so the cause is not separated (refit the previous data with the new config)`;
      } else if (interaction !== null && inSd(interaction) > material) {
        kind = 'interaction';
        note = `${channel} ${quantity} moved ${fmt(total)}: the data effect depends on the config (interaction ${fmt(interaction)}), so neither alone explains it`;
      } else {
        const d = inSd(data) > material;
        const c = inSd(config) > material;
        kind = d && c ? 'data+config' : d ? 'data' : c ? 'config' : 'data+config';
        note = `${channel} ${quantity} moved ${fmt(total)}: data ${fmt(data)}, config ${fmt(config)}`;
      }
      out.push({ ...base, total, pooledSd: sd, data, config, interaction, kind, explained: kind !== 'unattributed' && kind !== 'interaction', note });
    }
  }
  return out;
}
