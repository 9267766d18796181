/**
 * HTML reports of `compare` and `sweep` output folders: winners and losers
 * in bands, the outcome metrics per scenario, and the metric curves over a
 * sweep's grid. Pure: the folder's contents in, one HTML string out.
 */
import { decimal, groupThousands, type Dec } from '../core/money.js';
import { InputError, type Problem } from '../core/problems.js';
import type { Reference } from '../core/reference.js';
import type { CompareFolderFiles, CsvFile, SweepFolderFiles } from '../io/report-folder.js';
import { htmlPage, legendHtml, tableHtml } from './html-page.js';
import { areaName, provinceName } from './labels.js';
import { message, messageOr, type Lang } from './messages.js';
import { genericTableHtml } from './report-html.js';
import { amountColumnsOf } from './report-model.js';
import { CATEGORY_COLORS, escapeHtml, lineChart, stackedBarChart, wholeDecimal, type CurveSeries, type StackedBarRow } from './svg-charts.js';
import { objectField, textField, textListField } from './json-fields.js';
import { BANDS } from '../core/compare.js';
import { METRICS } from '../core/metrics.js';

// The band and metric names are the engine's: one list each (src/core/compare.ts, src/core/metrics.ts).
export { BANDS, METRICS };
export const BAND_COLORS = ['#b2182b', '#ef8a62', '#d9d9d9', '#67a9cf', '#2166ac'];
/** The band dimensions in the order the report shows them (src/core/compare.ts has the same names). */
export const DIMENSIONS = ['overall', 'region', 'priority', 'contiguous_area', 'province'] as const;

const WHOLE = /^\d+$/;
const DECIMAL_VALUE = /^-?\d+(\.\d+)?$/;




function metricLabel(lang: Lang, metric: string): string {
  return messageOr(lang, `metric.${metric}`, metric);
}

function metricValueText(value: string): string {
  return /^-?\d{4,}/.test(value) ? groupThousands(value) : value;
}

function dimensionOrder(dimension: string): number {
  const index = (DIMENSIONS as readonly string[]).indexOf(dimension);
  return index < 0 ? DIMENSIONS.length : index;
}

/** A band group as a person reads it: province codes to names, regions and yes/no translated. */
function groupLabel(lang: Lang, dimension: string, group: string, reference: Reference): string {
  if (dimension === 'overall') return message(lang, 'dimension.overall');
  if (dimension === 'province') {
    const province = reference.provinces.get(group) ?? [...reference.provinces.values()].find((candidate) => candidate.nameZh === group || candidate.nameShort === group);
    return province ? provinceName(lang, province.code, province.nameZh, reference) : group;
  }
  if (dimension === 'region') return messageOr(lang, `region.${group}`, group);
  if (dimension === 'priority') return group === 'true' || group === 'false' ? `${message(lang, 'col.priority_province')}: ${message(lang, `value.${group}`)}` : group;
  if (dimension === 'contiguous_area') return group === '' || group === 'none' ? message(lang, 'compare.no_area') : areaName(lang, group, reference);
  return group;
}

function checkCells(csv: CsvFile, problems: Problem[], checks: readonly { column: string; pattern: RegExp; expected: string; allowEmpty?: boolean }[]): void {
  csv.rows.forEach((row, index) => {
    for (const check of checks) {
      const value = row[check.column] ?? '';
      if (value === '' && check.allowEmpty) continue;
      if (!check.pattern.test(value)) problems.push({ file: csv.file, line: csv.lines[index] ?? 0, column: check.column, message: `${JSON.stringify(value)} is not ${check.expected}` });
    }
  });
}

function scenarioOrder(compare: Readonly<Record<string, unknown>>, present: readonly string[]): string[] {
  const base = textField(compare['base']);
  const listed = [base, ...textListField(compare['scenarios'])].filter((name) => name !== '');
  return [...new Set([...listed.filter((name) => present.includes(name)), ...present])];
}

interface BandChartRow extends StackedBarRow {
  readonly counties: readonly string[];
  readonly poor: readonly string[];
  readonly group: string;
  readonly scenario: string;
}

export interface CompareReportInput {
  readonly folder: CompareFolderFiles;
  readonly reference: Reference;
  readonly lang: Lang;
  readonly folderLabel: string;
}

export function renderCompareReportHtml(input: CompareReportInput): string {
  const { folder, lang, reference } = input;
  const problems: Problem[] = [];
  checkCells(folder.bands, problems, [
    { column: 'band', pattern: new RegExp(`^(${BANDS.join('|')})$`), expected: `one of ${BANDS.join(', ')}` },
    { column: 'counties', pattern: WHOLE, expected: 'a whole number' },
    { column: 'poor_population', pattern: /^\d+(\.\d+)?$/, expected: 'a non-negative number' },
  ]);
  checkCells(folder.metrics, problems, [{ column: 'value', pattern: DECIMAL_VALUE, expected: 'a number', allowEmpty: true }]);
  if (problems.length > 0) throw new InputError(problems);

  const compare = folder.compare;
  const base = textField(compare['base']);
  const scenarios = scenarioOrder(compare, [...new Set([...folder.bands.rows, ...folder.metrics.rows].map((row) => row['scenario'] ?? ''))]);
  const sections: string[] = [];

  // Identity: base, scenarios and any other plain fields of compare.json.
  const identityRows: [string, string][] = [
    [message(lang, 'compare.base'), base],
    [message(lang, 'compare.scenarios'), textListField(compare['scenarios']).join(', ')],
  ];
  for (const [key, value] of Object.entries(compare)) {
    if (['base', 'scenarios', 'kind'].includes(key)) continue;
    const shown = textField(value);
    if (shown !== '') identityRows.push([key, shown]);
  }
  sections.push(
    `<section id="identity"><h2>${escapeHtml(message(lang, 'report.section.identity'))}</h2><table class="identity">${identityRows
      .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
      .join('')}</table></section>`,
  );

  if (folder.policyDiff) {
    sections.push(
      `<section id="policy-diff"><h2>${escapeHtml(message(lang, 'report.section.policy_diff'))}</h2>${tableHtml({
        columns: [{ label: message(lang, 'compare.scenario') }, { label: message(lang, 'compare.path') }, { label: message(lang, 'compare.base_value') }, { label: message(lang, 'compare.scenario_value') }],
        rows: folder.policyDiff.rows.map((row) => ({
          cells: [{ text: row['scenario'] ?? '' }, { html: `<code>${escapeHtml(row['path'] ?? '')}</code>`, text: row['path'] ?? '' }, { text: row['base_value'] ?? '' }, { text: row['scenario_value'] ?? '' }],
        })),
      })}</section>`,
    );
  }

  // Winners and losers: one chart per dimension, a row per group and scenario, split by band.
  const dimensions = [...new Set(folder.bands.rows.map((row) => row['dimension'] ?? ''))].sort((a, b) => dimensionOrder(a) - dimensionOrder(b));
  const bandCharts: string[] = [];
  for (const dimension of dimensions) {
    const rowsOfDimension = folder.bands.rows.filter((row) => row['dimension'] === dimension);
    const groups = [...new Set(rowsOfDimension.map((row) => row['group'] ?? ''))];
    const chartRows: BandChartRow[] = [];
    for (const group of groups) {
      for (const scenario of scenarios) {
        const cells = rowsOfDimension.filter((row) => row['group'] === group && row['scenario'] === scenario);
        if (cells.length === 0) continue;
        const counties = BANDS.map((band) => cells.find((row) => row['band'] === band)?.['counties'] ?? '0');
        const poor = BANDS.map((band) => cells.find((row) => row['band'] === band)?.['poor_population'] ?? '0');
        const label = groupLabel(lang, dimension, group, reference);
        chartRows.push({
          key: `${dimension}|${group}|${scenario}`,
          label: scenarios.length > 2 || dimension === 'overall' ? `${label} · ${scenario}` : label,
          segments: counties.map((count) => decimal(count)),
          tooltip: `${label} · ${scenario}`,
          poor,
          counties,
          group: label,
          scenario,
        });
      }
    }
    const chart = stackedBarChart({
      title: messageOr(lang, `dimension.${dimension}`, dimension),
      rows: chartRows,
      colors: BAND_COLORS,
      normalise: true,
      axisLabel: message(lang, 'chart.share_counties'),
      labelWidth: 230,
      rowClass: 'band-row',
      segmentClass: 'band',
      segmentTooltips: (row, index) => {
        const full = chartRows.find((candidate) => candidate.key === row.key)!;
        return message(lang, 'chart.band_tooltip', {
          group: `${full.group} · ${full.scenario}`,
          band: message(lang, `band.${BANDS[index]!}`),
          counties: full.counties[index]!,
          poor: groupThousands(full.poor[index]!),
        });
      },
    });
    bandCharts.push(`<h3>${escapeHtml(messageOr(lang, `dimension.${dimension}`, dimension))}</h3>${chart}`);
  }
  const overall = folder.bands.rows.filter((row) => row['dimension'] === 'overall');
  const overallTable = tableHtml({
    columns: [{ label: message(lang, 'compare.scenario') }, ...BANDS.map((band) => ({ label: message(lang, `band.${band}`), numeric: true }))],
    rows: scenarios
      .filter((scenario) => overall.some((row) => row['scenario'] === scenario))
      .map((scenario) => ({
        cells: [
          { text: scenario },
          ...BANDS.map((band) => {
            const row = overall.find((candidate) => candidate['scenario'] === scenario && candidate['band'] === band);
            return { text: row ? `${row['counties']} (${groupThousands(row['poor_population'] ?? '')})` : '0', sort: row?.['counties'] ?? '0' };
          }),
        ],
      })),
  });
  sections.push(
    `<section id="bands"><h2>${escapeHtml(message(lang, 'report.section.bands'))}</h2>${legendHtml(BANDS.map((band, index) => ({ label: message(lang, `band.${band}`), color: BAND_COLORS[index]! })))}<p class="note">${escapeHtml(`${message(lang, 'compare.counties')} (${message(lang, 'compare.poor_population')})`)}</p>${overallTable}${bandCharts.join('\n')}</section>`,
  );

  // Metrics: a table, and one small chart per metric across the scenarios.
  const metrics = orderedMetrics(folder.metrics.rows.map((row) => row['metric'] ?? ''));
  const valueOf = (scenario: string, metric: string): string | undefined => {
    const value = folder.metrics.rows.find((row) => row['scenario'] === scenario && row['metric'] === metric)?.['value'];
    return value === undefined || value === '' ? undefined : value;
  };
  const metricTable = tableHtml({
    columns: [{ label: message(lang, 'compare.metric') }, ...scenarios.map((scenario) => ({ label: scenario, numeric: true }))],
    rows: metrics.map((metric) => ({ cells: [{ text: metricLabel(lang, metric), title: metric }, ...scenarios.map((scenario) => ({ text: metricValueText(valueOf(scenario, metric) ?? '—') }))] })),
  });
  const metricCharts = metrics.map((metric) => {
    const rows = scenarios
      .filter((scenario) => valueOf(scenario, metric) !== undefined)
      .map((scenario) => {
        const value = valueOf(scenario, metric)!;
        const dec = decimal(value);
        return { key: `${metric}|${scenario}`, label: scenario, segments: [dec.isNegative() ? decimal('0') : dec], tooltip: `${metricLabel(lang, metric)} · ${scenario}: ${value}`, valueLabel: metricValueText(value) };
      });
    const chart = stackedBarChart({ title: metricLabel(lang, metric), rows, colors: ['#4a7ebb'], axisLabel: '', width: 360, labelWidth: 90, rowClass: 'metric-bar' });
    return `<figure><figcaption>${escapeHtml(metricLabel(lang, metric))}</figcaption>${chart}</figure>`;
  });
  sections.push(
    `<section id="metrics"><h2>${escapeHtml(message(lang, 'report.section.metrics'))}</h2>${metricTable}<h3>${escapeHtml(message(lang, 'report.section.metric_curves'))}</h3><div class="grid">${metricCharts.join('')}</div></section>`,
  );

  if (folder.provinces) {
    sections.push(
      `<section id="compare-provinces"><h2>${escapeHtml(message(lang, 'report.section.compare_provinces'))}</h2>${genericTableHtml(lang, 'compare-provinces-table', folder.provinces.columns, folder.provinces.rows, amountColumnsOf(folder.provinces), reference)}</section>`,
    );
  }
  if (folder.counties) {
    sections.push(
      `<section id="compare-counties"><h2>${escapeHtml(message(lang, 'report.section.compare_counties'))}</h2>${genericTableHtml(lang, 'compare-counties-table', folder.counties.columns, folder.counties.rows, amountColumnsOf(folder.counties), reference, true)}</section>`,
    );
  }

  const title = message(lang, 'report.title.compare');
  const header = `<header><h1>${escapeHtml(title)}</h1><p class="subtitle">${escapeHtml([base, ...scenarios.filter((name) => name !== base)].join(' · '))}</p><p class="note">${escapeHtml(message(lang, 'report.generated_by', { folder: input.folderLabel }))}</p></header>`;
  return htmlPage(lang, title, [header, ...sections].join('\n'));
}

function orderedMetrics(names: readonly string[]): string[] {
  const present = [...new Set(names.filter((name) => name !== ''))];
  return [...METRICS.filter((metric) => present.includes(metric)), ...present.filter((name) => !(METRICS as readonly string[]).includes(name))];
}

export interface SweepReportInput {
  readonly folder: SweepFolderFiles;
  readonly reference: Reference;
  readonly lang: Lang;
  readonly folderLabel: string;
}

interface Vary {
  readonly path: string;
  readonly values: readonly string[];
}

/** The varied paths (from sweep.json, else the columns that are neither point nor a metric) and the metric columns. */
export function sweepLayout(folder: SweepFolderFiles): { vary: Vary[]; metrics: string[] } {
  const columns = folder.points.columns;
  const declared = Array.isArray(folder.sweep['vary'])
    ? (folder.sweep['vary'] as unknown[]).map((entry) => ({ path: textField(objectField(entry)?.['path']), values: textListField(objectField(entry)?.['values']) })).filter((entry) => entry.path !== '' && columns.includes(entry.path))
    : [];
  const declaredMetrics = textListField(folder.sweep['metrics']).filter((metric) => columns.includes(metric));
  const vary = declared.length > 0 ? declared : columns.filter((column) => column !== 'point' && !(METRICS as readonly string[]).includes(column)).map((path) => ({ path, values: [] }));
  const varied = new Set(vary.map((entry) => entry.path));
  const metrics = declaredMetrics.length > 0 ? declaredMetrics : orderedMetrics(columns.filter((column) => column !== 'point' && !varied.has(column)));
  return { vary, metrics };
}

export function renderSweepReportHtml(input: SweepReportInput): string {
  const { folder, lang, reference } = input;
  const { vary, metrics } = sweepLayout(folder);
  const problems: Problem[] = [];
  checkCells(
    folder.points,
    problems,
    metrics.map((metric) => ({ column: metric, pattern: DECIMAL_VALUE, expected: 'a number', allowEmpty: true })),
  );
  if (problems.length > 0) throw new InputError(problems);
  const rows = folder.points.rows;
  const sections: string[] = [];

  const pointsCount = textField(folder.sweep['points']) || String(rows.length);
  sections.push(
    `<section id="identity"><h2>${escapeHtml(message(lang, 'report.section.vary'))}</h2>${tableHtml({
      columns: [{ label: message(lang, 'compare.path') }, { label: message(lang, 'sweep.values') }],
      rows: vary.map((entry) => ({ cells: [{ html: `<code>${escapeHtml(entry.path)}</code>`, text: entry.path }, { text: (entry.values.length > 0 ? entry.values : [...new Set(rows.map((row) => row[entry.path] ?? ''))]).join(', ') }] })),
    })}<p class="note">${escapeHtml(`${message(lang, 'sweep.points')}: ${pointsCount}`)}</p></section>`,
  );

  // Metric curves: x is the first varied path; one line per combination of the others.
  const xPath = vary[0]?.path ?? 'point';
  const xValues = rows.map((row) => row[xPath] ?? '');
  const numericX = xValues.every((value) => DECIMAL_VALUE.test(value));
  const categories = numericX ? [] : [...new Set([...(vary[0]?.values ?? []), ...xValues])];
  const xOf = (value: string): Dec => (numericX ? decimal(value) : wholeDecimal(categories.indexOf(value)));
  const others = vary.slice(1).map((entry) => entry.path);
  const seriesKey = (row: Readonly<Record<string, string>>): string => others.map((path) => `${path}=${row[path] ?? ''}`).join(', ');
  const seriesKeys = [...new Set(rows.map(seriesKey))];
  const charts = metrics.map((metric) => {
    const series: CurveSeries[] = seriesKeys.map((key, index) => ({
      label: key || metricLabel(lang, metric),
      color: CATEGORY_COLORS[index % CATEGORY_COLORS.length]!,
      points: rows
        .filter((row) => seriesKey(row) === key && (row[metric] ?? '') !== '')
        .map((row) => ({ x: xOf(row[xPath] ?? ''), y: decimal(row[metric]!), key: row['point'] ?? '', tooltip: `${xPath}=${row[xPath] ?? ''}${key ? `, ${key}` : ''}: ${row[metric]}` }))
        .sort((a, b) => a.x.comparedTo(b.x)),
    }));
    const chart = lineChart({ title: metricLabel(lang, metric), series, xLabel: xPath, ...(numericX ? {} : { xCategories: categories }) });
    return `<figure data-metric="${escapeHtml(metric)}"><figcaption>${escapeHtml(metricLabel(lang, metric))}</figcaption>${chart}</figure>`;
  });
  const legend = seriesKeys.length > 1 ? legendHtml(seriesKeys.map((key, index) => ({ label: key, color: CATEGORY_COLORS[index % CATEGORY_COLORS.length]! }))) : '';
  sections.push(`<section id="metric-curves"><h2>${escapeHtml(message(lang, 'report.section.metric_curves'))}</h2>${legend}<div class="grid">${charts.join('')}</div></section>`);

  sections.push(
    `<section id="sweep-points"><h2>${escapeHtml(message(lang, 'report.section.sweep_table'))}</h2>${genericTableHtml(lang, 'sweep-table', folder.points.columns, rows, metrics.filter((metric) => ['unallocated', 'per_poor_min', 'per_poor_median', 'per_poor_max'].includes(metric)), reference)}</section>`,
  );
  const title = message(lang, 'report.title.sweep');
  const header = `<header><h1>${escapeHtml(title)}</h1><p class="subtitle">${escapeHtml(vary.map((entry) => entry.path).join(' × '))}</p><p class="note">${escapeHtml(message(lang, 'report.generated_by', { folder: input.folderLabel }))}</p></header>`;
  return htmlPage(lang, title, [header, ...sections].join('\n'));
}
