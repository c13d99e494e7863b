/**
 * Okabe-Ito: eight colours told apart under the common colour-vision deficiencies. Channels take
 * them in mapping order, so a channel keeps its colour on every chart of a run.
 */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

/** Colour of the i-th series (cycles after eight). */
export function seriesColour(i: number): string {
  return OKABE_ITO[((i % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length];
}

/** The baseline's neutral grey (intercept, trend, seasonality, controls in stacked charts). */
export const BASELINE_GREY = '#9aa3ab';
