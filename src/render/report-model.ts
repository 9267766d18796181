/**
 * The figures a run report shows, computed from the run folder's files (read
 * by column name). Pure: the folder's text in, exact figures out. Amounts
 * stay whole fen in bigint; per-person figures are decimals.
 *
 * Amount columns are found, not listed: every column whose values are all
 * yuan with two decimals and whose name is not a count, ratio or score. So
 * the columns later rules add (relocation, refund_central, ...) are summed
 * per fund and paying level without changes here; `<fund>_<level>` names
 * give the level.
 */
import { compareDecimalTexts, decimal, fenToYuanDecimal, fitsInt64, isYuanCell, yuanToFen, ZERO, type Dec, type Fen } from '../core/money.js';
import { InputError, type Problem } from '../core/problems.js';
import { AmountStore, CountyAmounts } from '../core/state.js';
import type { CsvFile } from '../io/report-folder.js';
import { objectField } from './json-fields.js';

const DECIMAL_CELL = /^\d+(\.\d+)?$/;

/** Columns that hold no money even when their values look like it. */
const NOT_AMOUNT = /(^|_)(code|name|population|incidence|multiplier|score|share|ratio|rate|weight|count|counties|year|per_poor|per_poor_person|households|point|percent|pct)($|_)/;

export const PAYING_LEVELS = ['central', 'provincial', 'prefecture', 'county'] as const;

/**
 * The money columns of a table, in their order, `total` last when present.
 * Worked out once for each table read (a table is not changed once read):
 * a report's figures and its workbook both ask, and each asking reads every
 * cell of the table's other columns (about half a second for a million
 * villages).
 */
export function amountColumnsOf(csv: CsvFile): string[] {
  let columns = amountColumnsFound.get(csv);
  if (columns === undefined) {
    columns = findAmountColumns(csv);
    amountColumnsFound.set(csv, columns);
  }
  return [...columns];
}

const amountColumnsFound = new WeakMap<CsvFile, readonly string[]>();

function findAmountColumns(csv: CsvFile): string[] {
  const columns = csv.columns.filter((column) => {
    if (column === 'total') return true;
    if (NOT_AMOUNT.test(column)) return false;
    let seen = 0;
    for (const row of csv.rows) {
      const value = row[column] ?? '';
      if (value === '') continue;
      if (!isYuanCell(value)) return false;
      seen++;
    }
    return seen > 0;
  });
  return [...columns.filter((column) => column !== 'total'), ...columns.filter((column) => column === 'total')];
}

/** `refund_central` -> {fund: 'refund', level: 'central'}; `relocation` -> {fund: 'relocation', level: ''}. */
export function fundAndLevel(column: string): { fund: string; level: string } {
  for (const level of PAYING_LEVELS) {
    if (column.endsWith(`_${level}`)) return { fund: column.slice(0, -(level.length + 1)), level };
  }
  return { fund: column, level: '' };
}

export interface CountyFigures {
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly provinceName: string;
  readonly prefecture: string;
  readonly area: string;
  readonly keyCounty: boolean;
  readonly eligible: boolean;
  readonly priority: boolean;
  readonly poorPopulation: Dec;
  readonly incidence: Dec;
  /** Special fund, central plus provincial. */
  readonly special: Fen;
  readonly total: Fen;
  /** Special fund per poor person in yuan; undefined without poor people. */
  readonly perPoor: Dec | undefined;
  /** Whether the poor population is above 0 (then perPoor is defined): without building a decimal. */
  readonly hasPoor: boolean;
  /** Every amount column's value (fen), for the county table. */
  readonly amounts: ReadonlyMap<string, Fen>;
  readonly row: Readonly<Record<string, string>>;
}

export interface ProvinceFigures {
  readonly code: string;
  readonly name: string;
  readonly priority: boolean;
  readonly central: Fen;
  readonly provincial: Fen;
  readonly total: Fen;
}

export interface FundTotal {
  readonly fund: string;
  /** Paying level, '' when the column does not say. */
  readonly level: string;
  /** The budget line from summary.json, when the fund is a budgeted pot. */
  readonly budget: Fen | undefined;
  /** Sum over the counties of the amount column (or summary.json's allocated when the column is absent). */
  readonly toCounties: Fen;
  readonly unallocated: Fen | undefined;
}

export interface RunFigures {
  readonly counties: readonly CountyFigures[];
  readonly provinces: readonly ProvinceFigures[];
  /** Amount columns of allocations.csv, `total` last. */
  readonly amountColumns: readonly string[];
  readonly fundTotals: readonly FundTotal[];
  readonly grandTotal: Fen;
  readonly unallocatedTotal: Fen | undefined;
}

function isTrue(value: string | undefined): boolean {
  return value === 'true';
}

/** What the rows of allocations.csv share: the amount columns, and the special fund of each row (fen; wider ones aside). */
interface CountyTable {
  readonly store: AmountStore;
  readonly specialFen: BigInt64Array;
  readonly special: Fen[];
}

/** A decimal cell's text is 0 (`0`, `0.00`, ...). */
const ZERO_TEXT = /^0+(\.0*)?$/;

/**
 * A row of allocations.csv as the report reads it: its cells (checked when
 * the figures were built) and its place in the table's columns. A million
 * villages' report holds this and the row, not an object with three
 * decimals, two bigints and an amounts view each: every figure is read from
 * the cells or the columns when asked for, and comes out the same each time.
 */
class CountyRow implements CountyFigures {
  constructor(
    private readonly table: CountyTable,
    private readonly index: number,
    readonly row: Readonly<Record<string, string>>,
  ) {}

  get code(): string {
    return this.row['county_code'] ?? '';
  }
  get name(): string {
    return this.row['county_name'] ?? '';
  }
  get provinceCode(): string {
    return this.row['province_code'] ?? '';
  }
  get provinceName(): string {
    return this.row['province_name'] ?? '';
  }
  get prefecture(): string {
    return this.row['prefecture'] ?? '';
  }
  get area(): string {
    return this.row['contiguous_area'] ?? '';
  }
  get keyCounty(): boolean {
    return isTrue(this.row['key_county']);
  }
  get eligible(): boolean {
    const eligible = this.row['eligible'];
    return eligible === undefined ? this.special > 0n : isTrue(eligible);
  }
  get priority(): boolean {
    return isTrue(this.row['priority_province']);
  }
  get poorPopulation(): Dec {
    return decimal(this.row['poor_population']!);
  }
  get incidence(): Dec {
    return decimal(this.row['incidence']!);
  }
  get special(): Fen {
    return this.table.special[this.index] ?? this.table.specialFen[this.index]!;
  }
  get total(): Fen {
    return this.table.store.get('total', this.index) ?? 0n;
  }
  get hasPoor(): boolean {
    return !ZERO_TEXT.test(this.row['poor_population']!);
  }
  get perPoor(): Dec | undefined {
    const poorPopulation = this.poorPopulation;
    return poorPopulation.isZero() ? undefined : fenToYuanDecimal(this.special).div(poorPopulation);
  }
  get amounts(): CountyAmounts {
    return new CountyAmounts(this.table.store, this.index);
  }
}


/**
 * The largest yuan per poor person among counties with poor people, or 0
 * when none is above 0: the decimal `perPoor` gives for the county whose
 * exact fraction special / poor population is largest. Correctly rounded
 * division keeps the order, so this is the largest of their `perPoor`; a
 * scatter plot's axis reads it for every eligible village, without making a
 * decimal and dividing for each (a CountyRow's figures are its cells).
 */
export function largestPerPoor(counties: readonly CountyFigures[]): Dec {
  let best: CountyFigures | undefined;
  // The best fraction so far as fen x 10^places over the poor population's digits: special / poor = that.
  let bestNumerator = 0n;
  let bestDenominator = 1n;
  for (const county of counties) {
    if (!county.hasPoor) continue;
    const poor = county.row['poor_population']!;
    const point = poor.indexOf('.');
    const denominator = BigInt(point === -1 ? poor : poor.slice(0, point) + poor.slice(point + 1));
    const numerator = point === -1 ? county.special : county.special * 10n ** BigInt(poor.length - point - 1);
    if (numerator * bestDenominator > bestNumerator * denominator) {
      best = county;
      bestNumerator = numerator;
      bestDenominator = denominator;
    }
  }
  return best === undefined ? ZERO : best.perPoor!;
}

/** The largest incidence among the counties, or 0: its cells (non-negative decimals, checked) compared as numbers, one decimal made. */
export function largestIncidence(counties: readonly CountyFigures[]): Dec {
  let best = '0';
  for (const county of counties) {
    const text = county.row['incidence']!;
    if (compareDecimalTexts(text, best) > 0) best = text;
  }
  return best === '0' ? ZERO : decimal(best);
}

function summaryFen(value: unknown): Fen | undefined {
  return typeof value === 'string' ? (yuanToFen(value) ?? undefined) : undefined;
}

/** Reads the amounts and figures every chart needs; every malformed cell is a problem. */
export function buildRunFigures(allocations: CsvFile, provinces: CsvFile, summary: Readonly<Record<string, unknown>>): RunFigures {
  const problems: Problem[] = [];
  const fenCell = (csv: CsvFile, index: number, column: string): Fen => {
    const text = csv.rows[index]![column] ?? '';
    const fen = yuanToFen(text);
    if (fen === null) {
      problems.push({ file: csv.file, line: csv.lines[index] ?? 0, column, message: `${JSON.stringify(text)} is not an amount in yuan with two decimals` });
      return 0n;
    }
    return fen;
  };
  /** Checks that a cell is a non-negative decimal (CountyRow reads it as one when asked for). */
  const checkDecimalCell = (csv: CsvFile, index: number, column: string): void => {
    const text = csv.rows[index]![column] ?? '';
    if (!DECIMAL_CELL.test(text)) problems.push({ file: csv.file, line: csv.lines[index] ?? 0, column, message: `${JSON.stringify(text)} is not a non-negative decimal` });
  };

  const amountColumns = amountColumnsOf(allocations);
  // A village table has a million rows: their amounts go into flat columns, and each row's figures are read
  // from its cells and the columns when asked for (see CountyRow).
  const store = new AmountStore(allocations.rows.length);
  const table: CountyTable = { store, special: [], specialFen: new BigInt64Array(allocations.rows.length) };
  const counties = allocations.rows.map((row, index): CountyFigures => {
    for (const column of amountColumns) store.set(column, index, (row[column] ?? '') === '' ? 0n : fenCell(allocations, index, column));
    const special = fenCell(allocations, index, 'special_poverty_central') + fenCell(allocations, index, 'special_poverty_provincial');
    if (fitsInt64(special)) table.specialFen[index] = special;
    else table.special[index] = special;
    checkDecimalCell(allocations, index, 'poor_population');
    checkDecimalCell(allocations, index, 'incidence');
    return new CountyRow(table, index, row);
  });
  const provinceRows = provinces.rows.map((row, index): ProvinceFigures => {
    const central = fenCell(provinces, index, 'special_poverty_central');
    const provincial = fenCell(provinces, index, 'special_poverty_provincial');
    return { code: row['province_code'] ?? '', name: row['province_name'] ?? '', priority: isTrue(row['priority_province']), central, provincial, total: fenCell(provinces, index, 'total') };
  });
  if (problems.length > 0) throw new InputError(problems);

  const funds = objectField(summary['funds']) ?? {};
  const totals = new Map<string, FundTotal>();
  const keyOf = (fund: string, level: string): string => `${fund}\u0000${level}`;
  for (const column of amountColumns) {
    if (column === 'total') continue;
    const { fund, level } = fundAndLevel(column);
    const line = objectField(objectField(funds[fund])?.[level]);
    totals.set(keyOf(fund, level), {
      fund,
      level,
      budget: summaryFen(line?.['budget']),
      toCounties: counties.reduce((sum, county) => sum + (county.amounts.get(column) ?? 0n), 0n),
      unallocated: summaryFen(line?.['unallocated']),
    });
  }
  for (const [fund, levels] of Object.entries(funds)) {
    for (const [level, line] of Object.entries(objectField(levels) ?? {})) {
      if (totals.has(keyOf(fund, level))) continue;
      const entry = objectField(line);
      totals.set(keyOf(fund, level), { fund, level, budget: summaryFen(entry?.['budget']), toCounties: summaryFen(entry?.['allocated']) ?? 0n, unallocated: summaryFen(entry?.['unallocated']) });
    }
  }
  const fundTotals = [...totals.values()].sort((a, b) => {
    if (a.fund !== b.fund) return a.fund === 'special_poverty' ? -1 : b.fund === 'special_poverty' ? 1 : a.fund < b.fund ? -1 : 1;
    const levelIndex = (level: string): number => (level === '' ? -1 : PAYING_LEVELS.indexOf(level as (typeof PAYING_LEVELS)[number]));
    return levelIndex(a.level) - levelIndex(b.level);
  });
  const unallocated = objectField(summary['unallocated']);
  return {
    counties,
    provinces: provinceRows,
    amountColumns,
    fundTotals,
    grandTotal: counties.reduce((sum, county) => sum + county.total, 0n),
    unallocatedTotal: summaryFen(unallocated?.['total']),
  };
}

export interface AmountBin {
  readonly from: Fen;
  readonly to: Fen;
  readonly count: number;
}

/** Equal-width bins from 0 whose width is 1, 2 or 5 x 10^k fen, about `target` of them; every amount lands in one. */
export function binAmounts(amounts: readonly Fen[], target = 20): AmountBin[] {
  if (amounts.length === 0) return [];
  const max = amounts.reduce((highest, amount) => (amount > highest ? amount : highest), 0n);
  const wanted = max / BigInt(target) + 1n;
  let power = 1n;
  let width = 1n;
  for (;;) {
    const candidate = [1n, 2n, 5n].map((factor) => factor * power).find((value) => value >= wanted);
    if (candidate !== undefined) {
      width = candidate;
      break;
    }
    power *= 10n;
  }
  const binCount = Number(max / width) + 1;
  const counts = new Array<number>(binCount).fill(0);
  for (const amount of amounts) {
    const index = amount <= 0n ? 0 : Number(amount / width);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count, index) => ({ from: BigInt(index) * width, to: BigInt(index + 1) * width, count }));
}
