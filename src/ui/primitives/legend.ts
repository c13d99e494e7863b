import * as Plot from '@observablehq/plot';

/** One legend entry: a filled square (area, bar), a line, a thick line (50% interval) or a dot. */
export interface LegendItem {
  label: string;
  colour: string;
  kind: 'swatch' | 'line' | 'thick' | 'dot' | 'dashed';
  /** fill opacity of a swatch (bands) */ opacity?: number;
}

// Plot's default font is 10px sans-serif: ~6 px per character is a safe upper estimate.
const CHAR_PX = 6;
const ROW_PX = 16;
const GAP_PX = 16;
const KEY_PX = 18;
const Y_LABEL_PX = 18;

/** A horizontal line symbol 14 px long (Plot draws a dot's symbol with the mark's stroke). */
const HLINE = {
  draw(context: CanvasPath) {
    context.moveTo(-7, 0);
    context.lineTo(7, 0);
  },
};

/**
 * A legend drawn inside the chart's SVG (above the frame, wrapped to the width), so the PNG and
 * SVG downloads carry it; Plot's own swatches are HTML beside the SVG and would be lost.
 * @param width the chart's width in px
 * @param marginLeft the chart's left margin in px: the legend starts at the frame's left edge
 * @param below px kept free between the legend and the frame (facet labels sit there); the
 *   legend itself sits under the y axis label, which Plot puts at the top edge of the chart
 * @returns the marks and the top margin the chart needs (px)
 */
export function legendMarks(items: readonly LegendItem[], width: number, marginLeft = 40, below = 8): { marks: Plot.Markish[]; marginTop: number } {
  const marks: Plot.Markish[] = [];
  let x = 0;
  let row = 0;
  const placed = items.map((it) => {
    const w = KEY_PX + 4 + it.label.length * CHAR_PX;
    if (x > 0 && marginLeft + x + w > width - 10) {
      row++;
      x = 0;
    }
    const at = { x, row };
    x += w + GAP_PX;
    return { it, ...at };
  });
  const rows = row + 1;
  const marginTop = Y_LABEL_PX + rows * ROW_PX + below;
  for (const { it, x: dx, row: r } of placed) {
    // frame-anchored at its top-left corner, moved up into the margin
    const dy = -marginTop + Y_LABEL_PX + 8 + r * ROW_PX;
    const base = { frameAnchor: 'top-left' as const, facet: 'super' as const, dy };
    if (it.kind === 'swatch') {
      marks.push(Plot.dot([0], { ...base, dx: dx + 7, symbol: 'square', r: 5, fill: it.colour, fillOpacity: it.opacity ?? 1 }));
    } else if (it.kind === 'dot') {
      marks.push(Plot.dot([0], { ...base, dx: dx + 7, r: 3, fill: it.colour }));
    } else {
      marks.push(
        Plot.dot([0], {
          ...base,
          dx: dx + 7,
          symbol: HLINE,
          stroke: it.colour,
          strokeWidth: it.kind === 'thick' ? 5 : 2,
          strokeDasharray: it.kind === 'dashed' ? '3,2' : undefined,
        }),
      );
    }
    marks.push(Plot.text([0], { ...base, dx: dx + KEY_PX + 2, text: () => it.label, textAnchor: 'start', fill: 'currentColor' }));
  }
  return { marks, marginTop };
}
