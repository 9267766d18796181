/**
 * Charts as inline SVG text, drawn by our own code so a report needs nothing
 * from the network. Values arrive as exact decimals; coordinates are computed
 * as decimals and written with one decimal place, so no amount ever passes
 * through a binary float. Every mark carries a class (`bar`, `point`, `bin`,
 * `band`, `curve-point`) and a `<title>` tooltip, which the tests count.
 */
import { decimal, ONE, ZERO, type Dec } from '../core/money.js';

/** HTML/XML text escaping for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A whole number (pixels, a count, a category's position) as a decimal; never money. */
export function wholeDecimal(value: number): Dec {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a whole number, got ${value}`);
  return decimal(String(value).replace(/^-0$/, '0'));
}

const px = wholeDecimal;

function coord(value: Dec): string {
  return value.toFixed(1);
}

export interface NiceScale {
  readonly min: Dec;
  readonly max: Dec;
  readonly step: Dec;
}

const TEN = decimal('10');

/** A round axis from 0 (or a negative minimum) to just above `max`, in steps of 1, 2 or 5 x 10^k, about `ticks` of them. */
export function niceScale(minValue: Dec, maxValue: Dec, ticks = 5): NiceScale {
  const low = minValue.lessThan(ZERO) ? minValue : ZERO;
  const span = maxValue.minus(low);
  if (span.lessThanOrEqualTo(ZERO)) return { min: low, max: low.plus(ONE), step: decimal('0.2') };
  const raw = span.div(px(ticks));
  let power = ONE;
  while (power.times(TEN).lessThanOrEqualTo(raw)) power = power.times(TEN);
  while (power.greaterThan(raw)) power = power.div(TEN);
  const step = [ONE, decimal('2'), decimal('5'), TEN].map((factor) => factor.times(power)).find((candidate) => candidate.greaterThanOrEqualTo(raw)) ?? power.times(TEN);
  const min = low.isZero() ? ZERO : low.div(step).floor().times(step);
  const max = maxValue.div(step).ceil().times(step);
  return { min, max: max.equals(min) ? min.plus(step) : max, step };
}

function ticksOf(scale: NiceScale): Dec[] {
  const ticks: Dec[] = [];
  for (let tick = scale.min; tick.lessThanOrEqualTo(scale.max); tick = tick.plus(scale.step)) ticks.push(tick);
  return ticks;
}

/** Tick text with as many decimals as the step needs, thousands grouped. */
export function formatTick(value: Dec, step: Dec): string {
  const places = Math.max(0, step.decimalPlaces());
  const [whole = '', fraction] = value.toFixed(places).split('.');
  const negative = whole.startsWith('-');
  const grouped = (negative ? whole.slice(1) : whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Maps a value in [scale.min, scale.max] to a pixel between start and end. */
function project(value: Dec, scale: NiceScale, start: number, end: number): Dec {
  const span = scale.max.minus(scale.min);
  return px(start).plus(value.minus(scale.min).div(span).times(px(end - start)));
}

function svgOpen(width: number, height: number, label: string, className: string): string {
  return `<svg class="chart ${className}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" font-size="11">`;
}

// ---------------------------------------------------------------------------
// Horizontal stacked bars (special fund per province; bands; compare metrics).

export interface StackedBarRow {
  readonly key: string;
  readonly label: string;
  /** Marked rows (priority provinces) get a star and a coloured label. */
  readonly marked?: boolean;
  readonly segments: readonly Dec[];
  readonly tooltip: string;
  /** Text right of the bar. */
  readonly valueLabel?: string;
}

export interface StackedBarChart {
  readonly title: string;
  readonly rows: readonly StackedBarRow[];
  readonly colors: readonly string[];
  /** Segment tooltips, one per segment (optional). */
  readonly segmentTooltips?: (row: StackedBarRow, index: number) => string;
  /** The axis unit, written under the axis. */
  readonly axisLabel: string;
  /** Draw every row to 100% of its own total (bands) instead of a common scale. */
  readonly normalise?: boolean;
  /** Divides values for the axis ticks (e.g. yuan to 亿元); 1 when absent. */
  readonly axisDivisor?: Dec;
  readonly width?: number;
  readonly labelWidth?: number;
  readonly rowClass?: string;
  readonly segmentClass?: string;
}

export function stackedBarChart(chart: StackedBarChart): string {
  const width = chart.width ?? 900;
  const labelWidth = chart.labelWidth ?? 96;
  const valueWidth = chart.rows.some((row) => row.valueLabel) ? 96 : 12;
  const rowHeight = 18;
  const top = 22;
  const left = labelWidth;
  const right = width - valueWidth;
  const height = top + chart.rows.length * rowHeight + 34;
  const divisor = chart.axisDivisor ?? ONE;
  const totals = chart.rows.map((row) => row.segments.reduce((sum, value) => sum.plus(value), ZERO));
  const maxTotal = totals.reduce((max, total) => (total.greaterThan(max) ? total : max), ZERO);
  const scale = chart.normalise ? { min: ZERO, max: ONE, step: decimal('0.2') } : niceScale(ZERO, maxTotal.div(divisor));
  const out: string[] = [svgOpen(width, height, chart.title, 'stacked-bars')];
  for (const tick of ticksOf(scale)) {
    const x = coord(project(tick, scale, left, right));
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + chart.rows.length * rowHeight}" stroke="#ddd"/>`);
    const tickText = chart.normalise ? `${tick.times(decimal('100')).toFixed(0)}%` : formatTick(tick, scale.step);
    out.push(`<text x="${x}" y="${top - 8}" text-anchor="middle" fill="#555">${escapeHtml(tickText)}</text>`);
  }
  chart.rows.forEach((row, rowIndex) => {
    const y = top + rowIndex * rowHeight;
    const total = totals[rowIndex]!;
    out.push(`<g class="${chart.rowClass ?? 'bar'}" data-key="${escapeHtml(row.key)}"${row.marked ? ' data-marked="true"' : ''}>`);
    out.push(`<title>${escapeHtml(row.tooltip)}</title>`);
    const labelText = row.marked ? `★ ${row.label}` : row.label;
    out.push(
      `<text x="${left - 6}" y="${y + 13}" text-anchor="end"${row.marked ? ' fill="#b00020" font-weight="bold"' : ' fill="#222"'}>${escapeHtml(labelText)}</text>`,
    );
    let offset = ZERO;
    row.segments.forEach((value, index) => {
      const scaled = chart.normalise ? (total.isZero() ? ZERO : value.div(total)) : value.div(divisor);
      const x0 = project(offset, scale, left, right);
      const x1 = project(offset.plus(scaled), scale, left, right);
      offset = offset.plus(scaled);
      const tooltip = chart.segmentTooltips ? `<title>${escapeHtml(chart.segmentTooltips(row, index))}</title>` : '';
      out.push(
        `<rect class="${chart.segmentClass ?? 'segment'}" x="${coord(x0)}" y="${y + 3}" width="${coord(x1.minus(x0))}" height="${rowHeight - 6}" fill="${chart.colors[index % chart.colors.length]}"${row.marked ? ' stroke="#b00020" stroke-width="0.8"' : ''}>${tooltip}</rect>`,
      );
    });
    if (row.valueLabel) out.push(`<text x="${coord(project(offset, scale, left, right).plus(px(4)))}" y="${y + 13}" fill="#333">${escapeHtml(row.valueLabel)}</text>`);
    out.push('</g>');
  });
  out.push(`<text x="${(left + right) / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${escapeHtml(chart.axisLabel)}</text>`);
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------
// Scatter (allocation per poor person against incidence).

export interface ScatterPoint {
  readonly key: string;
  readonly x: Dec;
  readonly y: Dec;
  readonly color: string;
  readonly category: string;
  readonly tooltip: string;
}

export interface ScatterChart {
  readonly title: string;
  readonly points: readonly ScatterPoint[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
  /** The largest x and y the axes must reach (when the points drawn are a sample): else those of the points. */
  readonly maxX?: Dec;
  readonly maxY?: Dec;
}

export function scatterChart(chart: ScatterChart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 440;
  const left = 64;
  const right = width - 16;
  const top = 14;
  const bottom = height - 40;
  const maxX = chart.maxX ?? chart.points.reduce((max, point) => (point.x.greaterThan(max) ? point.x : max), ZERO);
  const maxY = chart.maxY ?? chart.points.reduce((max, point) => (point.y.greaterThan(max) ? point.y : max), ZERO);
  const xScale = niceScale(ZERO, maxX);
  const yScale = niceScale(ZERO, maxY);
  const out: string[] = [svgOpen(width, height, chart.title, 'scatter')];
  for (const tick of ticksOf(xScale)) {
    const x = coord(project(tick, xScale, left, right));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${bottom + 14}" text-anchor="middle" fill="#555">${escapeHtml(formatTick(tick, xScale.step))}</text>`);
  }
  for (const tick of ticksOf(yScale)) {
    const y = coord(project(tick, yScale, bottom, top));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${y}" dy="4" text-anchor="end" fill="#555">${escapeHtml(formatTick(tick, yScale.step))}</text>`);
  }
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#888"/>`);
  for (const point of chart.points) {
    out.push(
      `<circle class="point" data-key="${escapeHtml(point.key)}" data-category="${escapeHtml(point.category)}" cx="${coord(project(point.x, xScale, left, right))}" cy="${coord(project(point.y, yScale, bottom, top))}" r="3" fill="${point.color}" fill-opacity="0.8" stroke="#fff" stroke-width="0.4"><title>${escapeHtml(point.tooltip)}</title></circle>`,
    );
  }
  out.push(`<text x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle" fill="#333">${escapeHtml(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeHtml(chart.yLabel)}</text>`);
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------
// Histogram (distribution of county amounts).

export interface HistogramBin {
  readonly from: Dec;
  readonly to: Dec;
  readonly count: number;
  readonly tooltip: string;
}

export interface HistogramChart {
  readonly title: string;
  readonly bins: readonly HistogramBin[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
}

export function histogramChart(chart: HistogramChart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 280;
  const left = 52;
  const right = width - 16;
  const top = 12;
  const bottom = height - 40;
  const first = chart.bins[0];
  const last = chart.bins[chart.bins.length - 1];
  const out: string[] = [svgOpen(width, height, chart.title, 'histogram')];
  if (!first || !last) {
    out.push('</svg>');
    return out.join('');
  }
  const maxCount = chart.bins.reduce((max, bin) => Math.max(max, bin.count), 0);
  const yScale = niceScale(ZERO, px(maxCount));
  const xScale: NiceScale = { min: first.from, max: last.to, step: first.to.minus(first.from) };
  const integerStep = yScale.step.lessThan(ONE) ? { ...yScale, step: ONE } : yScale;
  for (const tick of ticksOf(integerStep)) {
    const y = coord(project(tick, yScale, bottom, top));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${y}" dy="4" text-anchor="end" fill="#555">${escapeHtml(formatTick(tick, ONE))}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(chart.bins.length / 8));
  chart.bins.forEach((bin, index) => {
    const x0 = project(bin.from, xScale, left, right);
    const x1 = project(bin.to, xScale, left, right);
    const y = project(px(bin.count), yScale, bottom, top);
    out.push(
      `<rect class="bin" data-count="${bin.count}" x="${coord(x0.plus(decimal('0.5')))}" y="${coord(y)}" width="${coord(x1.minus(x0).minus(ONE))}" height="${coord(px(bottom).minus(y))}" fill="#4a7ebb"><title>${escapeHtml(bin.tooltip)}</title></rect>`,
    );
    if (index % labelEvery === 0) out.push(`<text x="${coord(x0)}" y="${bottom + 14}" text-anchor="middle" fill="#555">${escapeHtml(formatTick(bin.from, xScale.step))}</text>`);
  });
  out.push(`<text x="${coord(project(last.to, xScale, left, right))}" y="${bottom + 14}" text-anchor="middle" fill="#555">${escapeHtml(formatTick(last.to, xScale.step))}</text>`);
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#888"/>`);
  out.push(`<text x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle" fill="#333">${escapeHtml(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeHtml(chart.yLabel)}</text>`);
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------
// Line chart (metric curves of a sweep).

export interface CurveSeries {
  readonly label: string;
  readonly color: string;
  /** x in chart order; x may be a category position when values are not numbers. */
  readonly points: readonly { readonly x: Dec; readonly y: Dec; readonly tooltip: string; readonly key: string }[];
}

export interface LineChart {
  readonly title: string;
  readonly series: readonly CurveSeries[];
  readonly xLabel: string;
  /** Category names for x = 0, 1, 2... when the varied values are not numbers. */
  readonly xCategories?: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

export function lineChart(chart: LineChart): string {
  const width = chart.width ?? 350;
  const height = chart.height ?? 210;
  const left = 56;
  const right = width - 12;
  const top = 12;
  const bottom = height - 36;
  const all = chart.series.flatMap((series) => series.points);
  const minX = all.reduce((min, point) => (point.x.lessThan(min) ? point.x : min), all[0]?.x ?? ZERO);
  const maxX = all.reduce((max, point) => (point.x.greaterThan(max) ? point.x : max), all[0]?.x ?? ONE);
  const minY = all.reduce((min, point) => (point.y.lessThan(min) ? point.y : min), all[0]?.y ?? ZERO);
  const maxY = all.reduce((max, point) => (point.y.greaterThan(max) ? point.y : max), all[0]?.y ?? ONE);
  const xScale: NiceScale = maxX.greaterThan(minX) ? { min: minX, max: maxX, step: maxX.minus(minX) } : { min: minX.minus(ONE), max: minX.plus(ONE), step: ONE };
  const yScale = niceScale(minY.lessThan(ZERO) ? minY : ZERO, maxY, 4);
  const out: string[] = [svgOpen(width, height, chart.title, 'curve')];
  for (const tick of ticksOf(yScale)) {
    const y = coord(project(tick, yScale, bottom, top));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${left - 5}" y="${y}" dy="4" text-anchor="end" fill="#555">${escapeHtml(formatTick(tick, yScale.step))}</text>`);
  }
  const xTicks = new Map<string, Dec>();
  for (const point of all) xTicks.set(point.x.toFixed(), point.x);
  const xTickList = [...xTicks.values()].sort((a, b) => a.comparedTo(b));
  const labelEvery = Math.max(1, Math.ceil(xTickList.length / 7));
  xTickList.forEach((tick, index) => {
    if (index % labelEvery !== 0 && index !== xTickList.length - 1) return;
    const text = chart.xCategories ? (chart.xCategories[Number(tick.toFixed(0))] ?? tick.toFixed()) : tick.toFixed();
    out.push(`<text x="${coord(project(tick, xScale, left, right))}" y="${bottom + 14}" text-anchor="middle" fill="#555">${escapeHtml(text)}</text>`);
  });
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#888"/>`);
  for (const series of chart.series) {
    const points = series.points.map((point) => `${coord(project(point.x, xScale, left, right))},${coord(project(point.y, yScale, bottom, top))}`);
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${series.color}" stroke-width="1.5" points="${points.join(' ')}"><title>${escapeHtml(series.label)}</title></polyline>`);
    series.points.forEach((point, index) => {
      const [x, y] = points[index]!.split(',');
      out.push(`<circle class="curve-point" data-key="${escapeHtml(point.key)}" cx="${x}" cy="${y}" r="2.6" fill="${series.color}"><title>${escapeHtml(point.tooltip)}</title></circle>`);
    });
  }
  out.push(`<text x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle" fill="#333">${escapeHtml(chart.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** Colours for categories (contiguous areas, scenarios), distinguishable on screen and in print. */
export const CATEGORY_COLORS: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf',
  '#bcbd22', '#393b79', '#ad494a', '#637939', '#8c6d31', '#7b4173', '#3182bd', '#e6550d',
];
