/**
 * A comparison as files (compare.json, counties.csv, provinces.csv,
 * bands.csv, metrics.csv, policy_diff.csv), as the --json document, and as
 * the human summary. Pure functions of the comparison. The file names and
 * leading columns are a contract: `povalloc report` reads them.
 */
import { BANDS, COMPARE_SCHEMA_VERSION, type Band, type Comparison, type CountyChange, type ProvinceChange } from '../core/compare.js';
import { distinctNames } from '../core/canonical-json.js';
import { METRICS } from '../core/metrics.js';
import { formatYuan, groupThousands, type Fen } from '../core/money.js';
import type { FileContent, OutputFile } from '../io/run-folder.js';
import { csvPieces, renderCsv, yesNo, type CsvTable } from './csv.js';
import { prettyJsonRowPieces } from './json-pieces.js';
import { displayWidth, type Painter } from './summary.js';

type Row = Record<string, string | number | boolean>;

function amountCells(prefixFirst: boolean, comparison: Comparison, change: { base: ReadonlyMap<string, Fen>; scenario: ReadonlyMap<string, Fen> }): Row {
  const cells: Row = {};
  const keys = prefixFirst ? comparison.funds : comparison.amountColumns;
  for (const key of keys) {
    cells[`base_${key}`] = formatYuan(change.base.get(key) ?? 0n);
    cells[`scenario_${key}`] = formatYuan(change.scenario.get(key) ?? 0n);
    if (!prefixFirst) cells[`change_${key}`] = formatYuan((change.scenario.get(key) ?? 0n) - (change.base.get(key) ?? 0n));
  }
  return cells;
}

/**
 * The columns of counties.csv (and of compare.json's `counties` rows) and
 * each county's cells in their order: what an object built as countyRow's
 * order of names reads (a name written twice keeps its first place and its
 * last value). A row is an array, with no object per county: a village
 * table has a row per village and scenario.
 */
export function countyRowCells(comparison: Comparison): { columns: readonly string[]; cells: (change: CountyChange) => string[] } {
  const { funds, amountColumns } = comparison;
  const names = [
    'county_code',
    'county_name',
    'province_code',
    'scenario',
    ...funds.flatMap((key) => [`base_${key}`, `scenario_${key}`]),
    'base_total',
    'scenario_total',
    'change',
    'change_percent',
    'band',
    'province_name',
    'region',
    'contiguous_area',
    'priority_province',
    'poor_population',
    ...amountColumns.flatMap((key) => [`base_${key}`, `scenario_${key}`, `change_${key}`]),
  ];
  const { names: columns, pick } = distinctNames(names);
  const cells = (change: CountyChange): string[] => {
    const { county, base, scenario } = change;
    const row = [county.code, county.name, county.provinceCode, change.scenarioName];
    for (const key of funds) row.push(formatYuan(base.get(key) ?? 0n), formatYuan(scenario.get(key) ?? 0n));
    row.push(
      formatYuan(base.get('total') ?? 0n),
      formatYuan(scenario.get('total') ?? 0n),
      formatYuan(change.change),
      change.changePercent,
      change.band,
      county.provinceName,
      county.region,
      county.contiguousArea,
      yesNo(county.priorityProvince),
      county.poorPopulation.toString(),
    );
    for (const key of amountColumns) {
      const baseAmount = base.get(key) ?? 0n;
      const scenarioAmount = scenario.get(key) ?? 0n;
      row.push(formatYuan(baseAmount), formatYuan(scenarioAmount), formatYuan(scenarioAmount - baseAmount));
    }
    return pick === undefined ? row : pick.map((at) => row[at]!);
  };
  return { columns, cells };
}

/** Each county's cells (see countyRowCells), made when asked for. */
function* eachCountyCells(comparison: Comparison, cells: (change: CountyChange) => string[]): Generator<string[]> {
  for (const change of comparison.counties) yield cells(change);
}

export function provinceRows(comparison: Comparison): Row[] {
  return comparison.provinces.map((change: ProvinceChange) => ({
    province_code: change.provinceCode,
    province_name: change.provinceName,
    scenario: change.scenarioName,
    ...amountCells(true, comparison, change),
    base_total: formatYuan(change.base.get('total') ?? 0n),
    scenario_total: formatYuan(change.scenario.get('total') ?? 0n),
    change: formatYuan(change.change),
    change_percent: change.changePercent,
    region: change.region,
    counties: change.counties,
    poor_population: change.poorPopulation.toString(),
    ...amountCells(false, comparison, change),
  }));
}

export function bandRows(comparison: Comparison): Row[] {
  return comparison.bands.map((count) => ({
    scenario: count.scenarioName,
    dimension: count.dimension,
    group: count.group,
    band: count.band,
    counties: count.counties,
    poor_population: count.poorPopulation.toString(),
  }));
}

export function metricRows(comparison: Comparison): Row[] {
  return comparison.metrics.flatMap((entry) => METRICS.map((metric) => ({ scenario: entry.scenarioName, metric, value: entry.values[metric] ?? '' })));
}

export function policyDiffRows(comparison: Comparison): Row[] {
  return comparison.policyDiffs.flatMap((diff) =>
    (diff.differences ?? []).map((difference) => ({ scenario: diff.scenarioName, path: difference.path, base_value: difference.base, scenario_value: difference.scenario })),
  );
}

function potRows(comparison: Comparison): Row[] {
  return comparison.pots.map((pot) => ({
    scenario: pot.scenarioName,
    fund: pot.fund,
    level: pot.level,
    base_budget: formatYuan(pot.baseBudget),
    scenario_budget: formatYuan(pot.scenarioBudget),
    base_allocated: formatYuan(pot.baseAllocated),
    scenario_allocated: formatYuan(pot.scenarioAllocated),
    base_unallocated: formatYuan(pot.baseUnallocated),
    scenario_unallocated: formatYuan(pot.scenarioUnallocated),
    county_change: formatYuan(pot.countyChange),
    balanced: pot.balanced,
  }));
}

function tableOf(rows: readonly Row[], columns: readonly string[]): CsvTable {
  return { columns, rows: rows.map((row) => columns.map((column) => String(row[column] ?? ''))) };
}

function columnsOf(rows: readonly Row[], fallback: readonly string[]): string[] {
  return rows.length > 0 ? Object.keys(rows[0]!) : [...fallback];
}

/**
 * The --json document (also written as compare.json) as
 * `JSON.stringify(document, null, 2)` writes it, in pieces: the county rows
 * (its last member, `counties`) made and written a few thousand at a time, as
 * a comparison of a village table has a row per village and scenario, too
 * many for one string.
 */
export function compareJsonPieces(comparison: Comparison, rows?: Iterable<readonly string[]>): Generator<string> {
  const { columns, cells } = countyRowCells(comparison);
  return prettyJsonRowPieces(documentWithoutCounties(comparison), 'counties', columns, rows ?? eachCountyCells(comparison, cells));
}

/**
 * counties.csv written elsewhere (a worker thread) from the rows compare.json
 * is made of, handed over part by part as they are made: each row's cells are
 * then made once for both files, and the second core writes the table while
 * this thread writes the document.
 */
export interface RowsAside {
  /** Rows to write next, in order (copied: the caller keeps them). */
  add(rows: readonly (readonly string[])[]): void;
  /** The file's content once every row was added; undefined when it could not be written there (then write it here). */
  finish(): FileContent | undefined;
  /** Gives up (the rows will not all come). */
  cancel(): void;
}

/** Rows handed to a RowsAside at a time. */
const ASIDE_ROWS = 64;

/** ROWS in turn, each part of ASIDE_ROWS (and the last, shorter) also handed to ASIDE once it is read. */
function* teed(rows: Iterable<string[]>, aside: RowsAside): Generator<string[]> {
  let part: string[][] = [];
  for (const row of rows) {
    yield row;
    part.push(row);
    if (part.length === ASIDE_ROWS) {
      aside.add(part);
      part = [];
    }
  }
  if (part.length > 0) aside.add(part);
}

function documentWithoutCounties(comparison: Comparison): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  for (const entry of comparison.metrics) metrics[entry.scenarioName] = entry.values;
  const policyDiff: Record<string, unknown> = {};
  for (const diff of comparison.policyDiffs) {
    policyDiff[diff.scenarioName] =
      diff.differences === undefined ? null : diff.differences.map((difference) => ({ path: difference.path, base_value: difference.base, scenario_value: difference.scenario }));
  }
  const sources: Record<string, string> = { [comparison.base.name]: comparison.base.source };
  for (const scenario of comparison.scenarios) sources[scenario.name] = scenario.source;
  return {
    schema_version: COMPARE_SCHEMA_VERSION,
    kind: 'compare',
    base: comparison.base.name,
    scenarios: comparison.scenarios.map((scenario) => scenario.name),
    sources,
    bands: {
      definition: 'percent change of a county total: lose_over_5 < -5%; -5% <= lose_up_to_5 < -0.1%; -0.1% <= no_change <= 0.1%; 0.1% < gain_up_to_5 <= 5%; gain_over_5 > 5%; base 0 -> no_change if still 0, else gain_over_5',
      names: [...BANDS],
    },
    metrics,
    policy_diff: policyDiff,
    pots: potRows(comparison),
    band_counts: bandRows(comparison),
    provinces: provinceRows(comparison),
  };
}

const COUNTY_FALLBACK = ['county_code', 'county_name', 'province_code', 'scenario', 'base_special_poverty', 'scenario_special_poverty', 'base_total', 'scenario_total', 'change', 'change_percent'];
const PROVINCE_FALLBACK = ['province_code', 'province_name', 'scenario', 'base_special_poverty', 'scenario_special_poverty', 'base_total', 'scenario_total', 'change', 'change_percent'];

/**
 * The comparison's files. compare.json and counties.csv have a row per county
 * and scenario (hundreds of MB for a village table): they are made as pieces
 * of bytes, the rows a few thousand at a time, and handed to PLACE, which
 * writes them where they go and gives what the folder is to hold (by default,
 * the pieces themselves); compare.json's pieces go to PLACE_TEXT as text
 * instead, when it is given (to be encoded where they are written).
 */
export function compareFiles(
  comparison: Comparison,
  place: (name: string, pieces: Iterable<Buffer>) => FileContent = (_, pieces) => [...pieces],
  countiesAside?: (columns: readonly string[]) => RowsAside | undefined,
  placeText?: (name: string, texts: Iterable<string>) => FileContent,
): OutputFile[] {
  const provinces = provinceRows(comparison);
  const { columns, cells } = countyRowCells(comparison);
  const countyColumns = comparison.counties.length === 0 ? [...COUNTY_FALLBACK] : columns;
  const countyCells = (): Generator<string[]> => eachCountyCells(comparison, cells);
  // counties.csv elsewhere, from compare.json's rows as they are made (see RowsAside), when whoever places the files can.
  const aside = comparison.counties.length === 0 ? undefined : countiesAside?.(countyColumns);
  const jsonTexts = function* (): Generator<string> {
    yield* compareJsonPieces(comparison, aside === undefined ? undefined : teed(countyCells(), aside));
    yield '\n';
  };
  const jsonBytes = function* (): Generator<Buffer> {
    for (const piece of jsonTexts()) yield Buffer.from(piece, 'utf8');
  };
  let json: FileContent;
  let counties: FileContent | undefined;
  try {
    json = placeText !== undefined ? placeText('compare.json', jsonTexts()) : place('compare.json', jsonBytes());
    counties = aside?.finish();
  } catch (error) {
    aside?.cancel();
    throw error;
  }
  return [
    { name: 'compare.json', content: json },
    { name: 'counties.csv', content: counties ?? place('counties.csv', csvPieces({ columns: countyColumns, rows: { [Symbol.iterator]: countyCells } })) },
    { name: 'provinces.csv', content: renderCsv(tableOf(provinces, columnsOf(provinces, PROVINCE_FALLBACK))) },
    { name: 'bands.csv', content: renderCsv(tableOf(bandRows(comparison), ['scenario', 'dimension', 'group', 'band', 'counties', 'poor_population'])) },
    { name: 'metrics.csv', content: renderCsv(tableOf(metricRows(comparison), ['scenario', 'metric', 'value'])) },
    { name: 'policy_diff.csv', content: renderCsv(tableOf(policyDiffRows(comparison), ['scenario', 'path', 'base_value', 'scenario_value'])) },
  ];
}

const BAND_LABELS: Record<Band, string> = {
  lose_over_5: 'lose >5%',
  lose_up_to_5: 'lose ≤5%',
  no_change: 'no change',
  gain_up_to_5: 'gain ≤5%',
  gain_over_5: 'gain >5%',
};

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

function table(headers: readonly string[], rows: readonly string[][], paint: Painter): string[] {
  const widths = headers.map((header, index) => Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[index] ?? ''))));
  const line = (cells: readonly string[]): string => cells.map((cell, index) => pad(cell, widths[index]!, index === 0 ? 'left' : 'right')).join('  ');
  return [paint.bold(line(headers)), ...rows.map(line)];
}

function signedYuan(fen: Fen): string {
  return `${fen > 0n ? '+' : ''}${groupThousands(formatYuan(fen))}`;
}

/** The human summary: per scenario, its policy changes, the metrics, winners and losers, the largest changes. */
export function compareSummary(comparison: Comparison, paint: Painter, outDir: string | undefined): string {
  const out: string[] = [];
  const baseMetrics = comparison.metrics[0]!.values;
  out.push(paint.bold(`povalloc compare: ${comparison.scenarios.length} scenario(s) against ${comparison.base.name} (${comparison.base.source})`));
  for (const scenario of comparison.scenarios) {
    const name = scenario.name;
    out.push('');
    out.push(paint.bold(`Scenario ${name} (${scenario.source})`));
    const diff = comparison.policyDiffs.find((entry) => entry.scenarioName === name)!;
    if (diff.differences === undefined) out.push(paint.yellow('  policy differences: unavailable (a run folder has no inputs/policy.json)'));
    else if (diff.differences.length === 0) out.push('  policy differences: none');
    else for (const difference of diff.differences) out.push(`  ${difference.path}: ${difference.base || '(none)'} -> ${difference.scenario || '(none)'}`);

    const metrics = comparison.metrics.find((entry) => entry.scenarioName === name)!.values;
    out.push('');
    for (const line of table(['metric', comparison.base.name, name], METRICS.map((metric) => [metric, baseMetrics[metric] ?? '-', metrics[metric] ?? '-']), paint)) out.push(`  ${line}`);

    const overall = comparison.bands.filter((count) => count.scenarioName === name && count.dimension === 'overall');
    out.push('');
    out.push('  winners and losers (counties / poor people):');
    for (const line of table(
      ['band', 'counties', 'poor people'],
      overall.map((count) => [BAND_LABELS[count.band], String(count.counties), groupThousands(count.poorPopulation.toString())]),
      paint,
    ))
      out.push(`    ${line}`);

    const changes = comparison.counties.filter((change) => change.scenarioName === name && change.change !== 0n);
    const byChange = [...changes].sort((a, b) => (a.change < b.change ? -1 : a.change > b.change ? 1 : a.county.code < b.county.code ? -1 : 1));
    const describe = (change: CountyChange): string =>
      `    ${change.county.code} ${change.county.name} (${change.county.provinceName}): ${signedYuan(change.change)} yuan${change.changePercent === '' ? '' : ` (${change.changePercent}%)`}`;
    const losers = byChange.filter((change) => change.change < 0n).slice(0, 5);
    const winners = byChange.filter((change) => change.change > 0n).reverse().slice(0, 5);
    if (losers.length > 0) out.push('  largest losses:', ...losers.map(describe));
    if (winners.length > 0) out.push('  largest gains:', ...winners.map(describe));
    if (changes.length === 0) out.push(paint.green('  no county changes.'));

    for (const pot of comparison.pots.filter((entry) => entry.scenarioName === name)) {
      const unallocatedChange = pot.scenarioUnallocated - pot.baseUnallocated;
      const text = pot.balanced
        ? `  ${pot.fund} ${pot.level}: same budget; county changes ${signedYuan(pot.countyChange)}, unallocated ${signedYuan(unallocatedChange)}: they add up to 0.00`
        : `  ${pot.fund} ${pot.level}: budget changed from ${groupThousands(formatYuan(pot.baseBudget))} to ${groupThousands(formatYuan(pot.scenarioBudget))}`;
      out.push(pot.balanced ? paint.dim(text) : paint.yellow(text));
    }
  }
  out.push('');
  if (outDir !== undefined) out.push(`Written to ${outDir}: compare.json, counties.csv, provinces.csv, bands.csv, metrics.csv, policy_diff.csv`);
  else out.push(paint.dim('Add --out DIR for the per-county and per-province tables, or --json for everything as one document.'));
  return `${out.join('\n')}\n`;
}
