/**
 * The HTML report of a run folder: identity, totals per fund and paying
 * level, the charts, the compliance checks and the county table. Pure: the
 * folder's contents (already read), the integrity verdict and the reference
 * tables in, one self-contained HTML string out.
 */
import { decimal, decimalFromBigInt, fenToYuanDecimal, formatWanYuan, formatYuan, groupThousands, type Dec, type Fen } from '../core/money.js';
import type { Reference } from '../core/reference.js';
import type { RunFolderFiles } from '../io/report-folder.js';
import type { Integrity } from '../io/run-integrity.js';
import { htmlPage, legendHtml, searchBox, tableHtml, type TableRow } from './html-page.js';
import { areaName, checkMessage, columnLabel, fundName, levelName, provinceName, provinceShortName, ruleName, valueLabel } from './labels.js';
import { message, type Lang } from './messages.js';
import { binAmounts, buildRunFigures, largestIncidence, largestPerPoor, type CountyFigures, type RunFigures } from './report-model.js';
import { CATEGORY_COLORS, escapeHtml, histogramChart, scatterChart, stackedBarChart } from './svg-charts.js';
import { objectField, textField } from './json-fields.js';

export const CENTRAL_COLOR = '#1f4e79';
export const PROVINCIAL_COLOR = '#7fb1e0';
const KEY_OUTSIDE_AREA_COLOR = '#222222';
const OTHER_COUNTY_COLOR = '#a6a6a6';

const FEN_PER_YI = 10_000_000_000n;

export function yuanText(fen: Fen): string {
  return groupThousands(formatYuan(fen));
}

export function wanText(fen: Fen): string {
  return groupThousands(formatWanYuan(fen));
}

function yiText(fen: Fen): string {
  return groupThousands(decimalFromBigInt(fen).div(decimalFromBigInt(FEN_PER_YI)).toFixed(2));
}

function decimalText(value: Dec, places: number): string {
  return groupThousands(value.toFixed(places));
}



export interface RunReportInput {
  readonly folder: RunFolderFiles;
  readonly integrity: Integrity;
  readonly reference: Reference;
  readonly lang: Lang;
  /** The folder as the user named it, for the page's footer line. */
  readonly folderLabel: string;
}

// ---------------------------------------------------------------------------

function identitySection(input: RunReportInput, figures: RunFigures): string {
  const { folder, integrity, lang } = input;
  const policy = objectField(folder.summary['policy']) ?? {};
  const manifest = integrity.manifest;
  const rows: [string, string][] = [];
  const policyName = textField(policy['name']);
  const policyTitle = textField(policy['title']);
  rows.push([message(lang, 'identity.policy'), `<strong>${escapeHtml(policyTitle || policyName)}</strong>${policyTitle && policyName ? ` <code>${escapeHtml(policyName)}</code>` : ''}`]);
  rows.push([message(lang, 'identity.year'), escapeHtml(textField(policy['year']))]);
  if (manifest?.version) rows.push([message(lang, 'identity.version'), escapeHtml(manifest.version)]);

  const inputLines: string[] = [];
  if (manifest && manifest.inputs.length > 0) {
    for (const file of manifest.inputs) {
      const details = Object.entries(file.details).map(([key, value]) => `${key}: ${value}`).join(', ');
      inputLines.push(`${escapeHtml(file.name)}${details ? ` <span class="note">(${escapeHtml(details)})</span>` : ''}<br><span class="hash">SHA-256 ${escapeHtml(file.sha256)}</span>`);
    }
  } else {
    for (const [role, entry] of Object.entries(objectField(folder.summary['inputs']) ?? {})) {
      const details = objectField(entry) ?? {};
      const sha = textField(details['sha256']);
      inputLines.push(
        `${escapeHtml(role)}: ${escapeHtml(message(lang, 'identity.input_row', { file: textField(details['file']), rows: textField(details['rows']) }))}${sha ? `<br><span class="hash">SHA-256 ${escapeHtml(sha)}</span>` : ''}`,
      );
    }
  }
  rows.push([message(lang, 'identity.inputs'), inputLines.join('<br>') || escapeHtml(message(lang, 'table.none'))]);

  const head = manifest?.auditHead ?? folder.audit?.head;
  const auditText = head
    ? `<span class="hash">${escapeHtml(head)}</span>${folder.audit ? ` <span class="note">(${escapeHtml(message(lang, 'identity.audit_entries', { count: folder.audit.entries }))})</span>` : ''}`
    : escapeHtml(message(lang, 'identity.no_audit'));
  rows.push([message(lang, 'identity.audit_head'), auditText]);
  rows.push([message(lang, 'identity.verifies'), integrityHtml(lang, integrity)]);

  const eligible = figures.counties.filter((county) => county.eligible).length;
  rows.push([
    message(lang, 'identity.counts'),
    escapeHtml(message(lang, 'identity.counts_value', { counties: figures.counties.length, eligible, provinces: figures.provinces.length })),
  ]);
  const priority = figures.provinces.filter((province) => province.priority).map((province) => provinceName(lang, province.code, province.name, input.reference));
  rows.push([message(lang, 'identity.priority_provinces'), escapeHtml(priority.join(lang === 'zh' ? '、' : ', ') || message(lang, 'table.none'))]);
  if (figures.unallocatedTotal !== undefined) {
    const unallocated = `${yuanText(figures.unallocatedTotal)} (${wanText(figures.unallocatedTotal)} 万元)`;
    rows.push([message(lang, 'identity.unallocated'), figures.unallocatedTotal > 0n ? `<span class="bad">${escapeHtml(unallocated)}</span>` : escapeHtml(unallocated)]);
  }
  const warnings = folder.checks.rows.filter((row) => row['severity'] === 'warning' || row['severity'] === 'error').length;
  rows.push([message(lang, 'identity.warnings'), String(warnings)]);
  return `<section id="identity"><h2>${escapeHtml(message(lang, 'report.section.identity'))}</h2><table class="identity">${rows
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`)
    .join('')}</table></section>`;
}

export function integrityText(lang: Lang, integrity: Integrity): { ok: boolean | undefined; text: string; details: string[] } {
  switch (integrity.status) {
    case 'no_manifest':
      return { ok: undefined, text: message(lang, 'identity.no_manifest'), details: [] };
    case 'unreadable':
      return { ok: false, text: message(lang, 'identity.reason_unreadable'), details: [] };
    case 'no_outputs':
      return { ok: false, text: message(lang, 'identity.reason_no_outputs'), details: [] };
    case 'verified':
      return { ok: true, text: message(lang, 'identity.verified', { count: integrity.checkedFiles }), details: [] };
    case 'differs':
      return {
        ok: false,
        text: message(lang, 'identity.not_verified', { count: integrity.differences.length }),
        details: integrity.differences.map((difference) =>
          message(lang, 'identity.file_differs', {
            file: difference.file,
            reason:
              difference.reason === 'finding'
                ? (difference.detail ?? '')
                : message(lang, difference.reason === 'missing' ? 'identity.reason_missing' : difference.reason === 'outside' ? 'identity.reason_outside' : 'identity.reason_hash'),
          }),
        ),
      };
  }
}

function integrityHtml(lang: Lang, integrity: Integrity): string {
  const { ok, text, details } = integrityText(lang, integrity);
  const cls = ok === true ? 'ok' : ok === false ? 'bad' : 'note';
  return `<span class="${cls}" data-integrity="${integrity.status}">${escapeHtml(text)}</span>${details.map((line) => `<br><code>${escapeHtml(line)}</code>`).join('')}`;
}

function totalsSection(lang: Lang, figures: RunFigures): string {
  const rows: TableRow[] = figures.fundTotals.map((total) => ({
    cells: [
      { text: fundName(lang, total.fund) },
      { text: levelName(lang, total.level) },
      total.budget === undefined ? { text: '—', title: message(lang, 'totals.no_budget') } : { text: yuanText(total.budget) },
      { text: yuanText(total.toCounties) },
      { text: total.unallocated === undefined ? '—' : yuanText(total.unallocated) },
      { text: wanText(total.toCounties) },
    ],
  }));
  const footer: TableRow[] = [
    {
      className: 'total-row',
      cells: [{ text: message(lang, 'totals.all') }, { text: '' }, { text: '' }, { text: yuanText(figures.grandTotal) }, { text: figures.unallocatedTotal === undefined ? '' : yuanText(figures.unallocatedTotal) }, { text: wanText(figures.grandTotal) }],
    },
  ];
  return `<section id="totals"><h2>${escapeHtml(message(lang, 'report.section.totals'))}</h2>${tableHtml({
    className: 'totals',
    columns: [
      { label: message(lang, 'totals.fund') },
      { label: message(lang, 'totals.level') },
      { label: message(lang, 'totals.budget'), numeric: true },
      { label: message(lang, 'totals.allocated'), numeric: true },
      { label: message(lang, 'totals.unallocated'), numeric: true },
      { label: message(lang, 'totals.wan'), numeric: true },
    ],
    rows,
    footer,
  })}</section>`;
}

function provinceChartSection(input: RunReportInput, figures: RunFigures): string {
  const { lang, reference } = input;
  const chart = stackedBarChart({
    title: message(lang, 'report.section.provinces'),
    rows: figures.provinces.map((province) => ({
      key: province.code,
      label: provinceShortName(lang, province.code, province.name, reference),
      marked: province.priority,
      segments: [fenToYuanDecimal(province.central), fenToYuanDecimal(province.provincial)],
      tooltip: message(lang, 'chart.bar_tooltip', { name: provinceName(lang, province.code, province.name, reference), central: yuanText(province.central), provincial: yuanText(province.provincial) }),
      valueLabel: yiText(province.central + province.provincial),
    })),
    colors: [CENTRAL_COLOR, PROVINCIAL_COLOR],
    axisLabel: message(lang, 'chart.yuan_100m'),
    axisDivisor: decimal('100000000'),
    labelWidth: lang === 'zh' ? 70 : 110,
  });
  const legend = legendHtml([
    { label: message(lang, 'chart.central'), color: CENTRAL_COLOR },
    { label: message(lang, 'chart.provincial'), color: PROVINCIAL_COLOR },
    { label: message(lang, 'chart.priority_mark'), color: '#b00020' },
  ]);
  return `<section id="provinces-chart"><h2>${escapeHtml(message(lang, 'report.section.provinces'))}</h2>${legend}${chart}</section>`;
}

interface Category {
  readonly id: string;
  readonly label: string;
  readonly color: string;
}

/** Colour categories: the 14 contiguous areas in reference order, key counties outside them, the rest. */
export function countyCategories(lang: Lang, reference: Reference): { categories: Category[]; categoryOf: (county: CountyFigures) => Category } {
  const categories: Category[] = reference.areas.map((area, index) => ({ id: area.id, label: lang === 'zh' ? area.nameZh : area.nameEn, color: CATEGORY_COLORS[index % CATEGORY_COLORS.length]! }));
  const keyOutside: Category = { id: 'key_county', label: message(lang, 'chart.key_outside_area'), color: KEY_OUTSIDE_AREA_COLOR };
  const other: Category = { id: 'other', label: message(lang, 'chart.other_county'), color: OTHER_COUNTY_COLOR };
  const byName = new Map<string, Category>();
  reference.areas.forEach((area, index) => byName.set(area.nameZh, categories[index]!));
  const unknownAreas = new Map<string, Category>();
  const categoryOf = (county: CountyFigures): Category => {
    if (county.area !== '') {
      const known = byName.get(county.area) ?? byName.get(areaName('zh', county.area, reference));
      if (known) return known;
      let unknown = unknownAreas.get(county.area);
      if (!unknown) {
        unknown = { id: county.area, label: county.area, color: CATEGORY_COLORS[(categories.length + unknownAreas.size) % CATEGORY_COLORS.length]! };
        unknownAreas.set(county.area, unknown);
      }
      return unknown;
    }
    return county.keyCounty ? keyOutside : other;
  };
  return { categories: [...categories, keyOutside, other], categoryOf };
}

/** Counties drawn in the scatter: eligible, with poor people. */
export function scatterCounties(figures: RunFigures): CountyFigures[] {
  return figures.counties.filter((county) => county.eligible && county.hasPoor);
}

/**
 * A large table's units: the report's table shows the first TABLE_ROWS_SHOWN
 * (in code order) and its scatter draws one in every few, at most
 * SCATTER_POINTS_DRAWN. A page with a million villages' rows and points would
 * run to some 400 MB, which no browser opens. Up to these, every one.
 */
export const TABLE_ROWS_SHOWN = 20_000;
export const SCATTER_POINTS_DRAWN = 5_000;

function scatterSection(input: RunReportInput, figures: RunFigures): string {
  const { lang, reference } = input;
  const { categories, categoryOf } = countyCategories(lang, reference);
  const shown = scatterCounties(figures);
  const step = Math.ceil(shown.length / SCATTER_POINTS_DRAWN);
  const drawn = step > 1 ? shown.filter((_, index) => index % step === 0) : shown;
  const used = new Set<string>();
  const points = drawn.map((county) => {
    const category = categoryOf(county);
    used.add(category.id);
    return {
      key: county.code,
      x: county.incidence,
      y: county.perPoor!,
      color: category.color,
      category: category.id,
      tooltip: message(lang, 'chart.point_tooltip', { name: county.name, code: county.code, incidence: county.incidence.toFixed(6), perPoor: decimalText(county.perPoor!, 2) }),
    };
  });
  // A sample's axes still span every unit.
  const bounds = step > 1 ? { maxX: largestIncidence(shown), maxY: largestPerPoor(shown) } : {};
  const chart = scatterChart({ title: message(lang, 'report.section.scatter'), points, xLabel: message(lang, 'chart.incidence'), yLabel: message(lang, 'chart.per_poor'), ...bounds });
  const legend = legendHtml(categories.filter((category) => used.has(category.id)));
  const hidden = figures.counties.length - shown.length;
  const noteText = step > 1 ? message(lang, 'chart.points_sampled', { drawn: drawn.length, eligible: shown.length, step, hidden }) : message(lang, 'chart.points_note', { shown: shown.length, hidden });
  const note = `<p class="note">${escapeHtml(noteText)}</p>`;
  return `<section id="scatter"><h2>${escapeHtml(message(lang, 'report.section.scatter'))}</h2>${legend}${chart}${note}</section>`;
}

function histogramSection(lang: Lang, figures: RunFigures): string {
  const bins = binAmounts(figures.counties.map((county) => county.total));
  const toWan = (fen: Fen): Dec => decimalFromBigInt(fen).div(decimal('1000000'));
  const chart = histogramChart({
    title: message(lang, 'report.section.histogram'),
    bins: bins.map((bin) => ({
      from: toWan(bin.from),
      to: toWan(bin.to),
      count: bin.count,
      tooltip: message(lang, 'chart.bin_tooltip', { from: wanText(bin.from), to: wanText(bin.to), count: bin.count }),
    })),
    xLabel: message(lang, 'chart.amount_wan'),
    yLabel: message(lang, 'chart.counties_axis'),
  });
  return `<section id="histogram"><h2>${escapeHtml(message(lang, 'report.section.histogram'))}</h2>${chart}</section>`;
}

function checksSection(input: RunReportInput): string {
  const { lang, folder, reference } = input;
  const rows = folder.checks.rows;
  if (rows.length === 0) return `<section id="checks"><h2>${escapeHtml(message(lang, 'report.section.checks'))}</h2><p>${escapeHtml(message(lang, 'checks.none'))}</p></section>`;
  const table = tableHtml({
    id: 'checks-table',
    className: 'checks',
    sortable: true,
    columns: ['check', 'severity', 'rule', 'clause', 'code', 'name', 'message'].map((column) => ({ label: columnLabel(lang, column) })),
    rows: rows.map((row) => ({
      className: `sev-${row['severity'] ?? ''}`,
      cells: [
        { text: valueLabel(lang, 'check', row['check'] ?? ''), title: row['check'] ?? '' },
        { text: valueLabel(lang, 'severity', row['severity'] ?? '') },
        { text: ruleName(lang, row['rule'] ?? ''), title: row['rule'] ?? '' },
        { text: row['clause'] ?? '' },
        { text: row['code'] ?? '' },
        { text: row['scope'] === 'province' ? provinceName(lang, row['code'] ?? '', row['name'] ?? '', reference) : (row['name'] ?? '') },
        { text: checkMessage(lang, row), ...(lang === 'zh' && row['message'] ? { title: row['message'] } : {}) },
      ],
    })),
  });
  return `<section id="checks"><h2>${escapeHtml(message(lang, 'report.section.checks'))}</h2>${table}</section>`;
}

function countyTableSection(input: RunReportInput, figures: RunFigures): string {
  const { lang, reference } = input;
  const amountColumns = figures.amountColumns;
  const columns = [
    { label: columnLabel(lang, 'county_code') },
    { label: columnLabel(lang, 'county_name') },
    { label: columnLabel(lang, 'province_name') },
    { label: columnLabel(lang, 'prefecture') },
    { label: columnLabel(lang, 'contiguous_area') },
    { label: columnLabel(lang, 'key_county') },
    { label: columnLabel(lang, 'poor_population'), numeric: true },
    { label: columnLabel(lang, 'incidence'), numeric: true },
    ...amountColumns.map((column) => ({ label: columnLabel(lang, column), numeric: true })),
    { label: message(lang, 'table.per_poor'), numeric: true },
  ];
  const capped = figures.counties.length > TABLE_ROWS_SHOWN;
  const rows: TableRow[] = (capped ? figures.counties.slice(0, TABLE_ROWS_SHOWN) : figures.counties).map((county) => {
    const province = provinceName(lang, county.provinceCode, county.provinceName, reference);
    const area = areaName(lang, county.area, reference);
    const searchText = [county.code, county.name, county.provinceName, province, county.prefecture, county.area, area].join(' ').toLowerCase();
    return {
      key: county.code,
      search: searchText,
      cells: [
        { text: county.code },
        { text: county.name },
        { text: province },
        { text: county.prefecture },
        { text: area },
        { text: valueLabel(lang, 'key_county', county.row['key_county'] ?? '') },
        { text: groupThousands(county.row['poor_population'] ?? ''), sort: county.row['poor_population'] ?? '' },
        { text: county.row['incidence'] ?? '', sort: county.row['incidence'] ?? '' },
        ...amountColumns.map((column) => {
          const fen = county.amounts.get(column) ?? 0n;
          return { text: yuanText(fen), sort: formatYuan(fen) };
        }),
        county.perPoor === undefined ? { text: '', sort: '' } : { text: decimalText(county.perPoor, 2), sort: county.perPoor.toFixed(2) },
      ],
    };
  });
  const note = capped ? `<p class="note">${escapeHtml(message(lang, 'table.rows_capped', { shown: groupThousands(String(rows.length)), total: groupThousands(String(figures.counties.length)) }))}</p>` : '';
  return `<section id="counties"><h2>${escapeHtml(message(lang, 'report.section.counties'))}</h2>${note}${searchBox('county-table', message(lang, 'table.search'), rows.length, message(lang, 'table.shown'), message(lang, 'table.sort_hint'))}${tableHtml({ id: 'county-table', sortable: true, columns, rows })}</section>`;
}

/** A table of any CSV file, labels translated where known, money grouped. */
export function genericTableHtml(lang: Lang, id: string, columns: readonly string[], rows: readonly Readonly<Record<string, string>>[], amountColumns: readonly string[], reference?: Reference, searchable = false): string {
  const numericColumns = new Set(columns.filter((column) => rows.length > 0 && rows.every((row) => /^-?\d+(\.\d+)?$/.test(row[column] ?? '') || (row[column] ?? '') === '')));
  const amounts = new Set(amountColumns);
  const table = tableHtml({
    id,
    sortable: true,
    columns: columns.map((column) => ({ label: columnLabel(lang, column), numeric: numericColumns.has(column) })),
    rows: rows.map((row) => ({
      search: searchable ? columns.map((column) => row[column] ?? '').join(' ').toLowerCase() : undefined,
      cells: columns.map((column) => {
        const value = row[column] ?? '';
        if (numericColumns.has(column)) return { text: amounts.has(column) ? groupThousands(value) : value, sort: value };
        return { text: valueLabel(lang, column, value, reference) };
      }),
    })),
  });
  return searchable ? `${searchBox(id, message(lang, 'table.search'), rows.length, message(lang, 'table.shown'), message(lang, 'table.sort_hint'))}${table}` : table;
}

function projectsSection(input: RunReportInput): string {
  const projects = input.folder.projects;
  if (!projects) return '';
  const amountColumns = projects.columns.filter((column) => projects.rows.length > 0 && projects.rows.every((row) => /^-?\d+\.\d{2}$/.test(row[column] ?? '')));
  return `<section id="projects"><h2>${escapeHtml(message(input.lang, 'report.section.projects'))}</h2>${genericTableHtml(input.lang, 'projects-table', projects.columns, projects.rows, amountColumns, input.reference, true)}</section>`;
}

export function renderRunReportHtml(input: RunReportInput): string {
  const { lang, folder } = input;
  const figures = buildRunFigures(folder.allocations, folder.provinces, folder.summary);
  const policy = objectField(folder.summary['policy']) ?? {};
  const title = `${message(lang, 'report.title.run')}: ${textField(policy['title']) || textField(policy['name'])} (${textField(policy['year'])})`;
  const body = [
    `<header><h1>${escapeHtml(message(lang, 'report.title.run'))}</h1><p class="subtitle">${escapeHtml(`${textField(policy['title']) || textField(policy['name'])} · ${textField(policy['year'])}`)}</p><p class="note">${escapeHtml(message(lang, 'report.generated_by', { folder: input.folderLabel }))}</p></header>`,
    identitySection(input, figures),
    totalsSection(lang, figures),
    provinceChartSection(input, figures),
    scatterSection(input, figures),
    histogramSection(lang, figures),
    checksSection(input),
    projectsSection(input),
    countyTableSection(input, figures),
  ].join('\n');
  return htmlPage(lang, title, body);
}
