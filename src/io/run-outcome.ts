/**
 * Reads the outcome of an existing run folder (allocations.csv,
 * provinces.csv, summary.json and, when present, inputs/policy.json) for
 * `compare RUN_A RUN_B`. The tables are checked against each other: county
 * amounts must add up to the province rows and to the fund totals of
 * summary.json, so a hand-edited table is refused rather than compared.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatYuan, yuanToFen, type Fen } from '../core/money.js';
import { outcomeFlags, PackedCountyOutcome, type CountyOutcome, type FundLevelOutcome, type Outcome } from '../core/outcome.js';
import { FUND_LEVEL_COLUMNS } from '../core/allocate.js';
import { appendAll, InputError, type Problem } from '../core/problems.js';
import { AmountStore } from '../core/state.js';
import { parseCsvTable, visitCsvParts, type Table } from '../core/table.js';
import { bytesAre, bytesCellText, bytesDigits, bytesTable, bytesYuanToFen, eachBytesRow } from '../core/table-bytes.js';
import { MAX_WRITTEN_TABLE_BYTES, readInputFile, readInputFileInParts, type InputFileInParts } from './read-inputs.js';

export interface RunOutcome {
  readonly outcome: Outcome;
  /** inputs/policy.json, when the run folder has it. */
  readonly policyDocument: unknown;
  readonly policyPath: string | undefined;
}


function readText(path: string, problems: Problem[]): string | undefined {
  // A run folder's tables are povalloc's own: a run's allocations.csv is wider than its counties.csv.
  const { file, problem } = readInputFile(path, 'utf8', () => Buffer.alloc(0), MAX_WRITTEN_TABLE_BYTES);
  if (!file) problems.push({ ...problem!, file: path });
  return file?.text;
}

function readTable(dir: string, name: string, problems: Problem[]): Table | undefined {
  const path = join(dir, name);
  const text = readText(path, problems);
  if (text === undefined) return undefined;
  const { table, problems: tableProblems } = parseCsvTable(path, text);
  appendAll(problems, tableProblems);
  return tableProblems.length === 0 ? table : undefined;
}

function cell(table: Table, row: Table['rows'][number], column: string): string {
  const index = table.header.indexOf(column);
  return index < 0 ? '' : (row.cells[index] ?? '');
}

/** A whole number's digits as a number when it is a small integer (no object), else as a bigint. */
function wholeOrBig(digits: string): number | bigint {
  return digits.length <= 9 ? Number(digits) : BigInt(digits);
}

/**
 * A county (or village) of a run's allocations.csv: its texts (province,
 * region, area and binding held once for the table) and the rest packed (see
 * PackedCountyOutcome). Two runs of a million villages held about 100 MB
 * more as object literals with a view and a bigint each.
 */
class RunCounty extends PackedCountyOutcome {
  constructor(
    readonly code: string,
    readonly name: string,
    readonly provinceCode: string,
    readonly provinceName: string,
    readonly region: string,
    readonly contiguousArea: string,
    bits: number,
    poor: number | bigint,
    binding: string,
    store: AmountStore,
    index: number,
  ) {
    super(bits, poor, binding, store, index);
  }
}

const REQUIRED_COLUMNS = ['county_code', 'county_name', 'province_code', 'province_name', 'region', 'eligible', 'contiguous_area', 'priority_province', 'poor_population', 'binding', 'total'];

/** From this size on, a run's allocations.csv is first read from its bytes (readAllocationsFromBytes): a smaller one takes little time either way. */
export const BYTES_READ_FROM = 1 << 20;

/** At most this many distinct texts of a table (names, provinces, areas, ...) are kept once each (see readAllocations). */
const DISTINCT_TEXTS_KEPT = 65_536;

/** allocations.csv as read row by row: the counties, or the problems that keep them from being read. */
export interface ReadAllocations {
  /** Problems of the file as CSV (then nothing else is known). */
  readonly tableProblems: readonly Problem[];
  /** Required columns missing from the header. */
  readonly headerProblems: readonly Problem[];
  /** Cells that are not what their column holds, row by row. */
  readonly rowProblems: readonly Problem[];
  readonly counties: CountyOutcome[];
  /** Between `binding` and `total`, the columns whose every cell is an amount in yuan. */
  readonly amountColumns: string[];
}

/** At most a row per line: the amounts' columns are made that long. (A line feed is one byte in UTF-8, and no other character's.) */
function linesOf(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let lines = 1;
  for (let at = buffer.indexOf(0x0a); at >= 0; at = buffer.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

/**
 * Texts that repeat (provinces, regions, areas, bindings, and village names:
 * a million villages have about 1,900) kept once each, up to a bound, so that
 * a table of unique names does not make a map as large as itself; and, for
 * one column, the same without the map when the text is the last row's (a
 * table in code order repeats its province, region and area row after row).
 */
function textKeeper(): { once: (value: string) => string; onceInColumn: () => (value: string) => string } {
  const texts = new Map<string, string>();
  const once = (value: string): string => {
    const known = texts.get(value);
    if (known !== undefined) return known;
    if (texts.size < DISTINCT_TEXTS_KEPT) texts.set(value, value);
    return value;
  };
  const onceInColumn = (): ((value: string) => string) => {
    let last: string | undefined;
    let kept = '';
    return (value) => {
      if (value !== last) {
        last = value;
        kept = once(value);
      }
      return kept;
    };
  };
  return { once, onceInColumn };
}

/**
 * Reads allocations.csv one row at a time into the counties' outcomes: a
 * village table's million rows are not held as cells first. The amounts go
 * into flat columns (a small view per county), and the texts that repeat
 * (province, region, area, binding) are kept once each. A column between
 * `binding` and `total` is an amount column when every cell of it is an
 * amount in yuan (an empty column is a rule that did not run).
 */
export function readAllocations(path: string, file: InputFileInParts): ReadAllocations {
  const store = new AmountStore(linesOf(file.bytes));
  const { once, onceInColumn } = textKeeper();
  const headerProblems: Problem[] = [];
  const rowProblems: Problem[] = [];
  const counties: CountyOutcome[] = [];
  let candidates: string[] = [];
  const notAmounts = new Set<string>();
  // The text a part at a time: two runs' allocations.csv of a million villages are some 500 MB as strings.
  const visited = visitCsvParts(path, file.parts, () => {
    // A fresh reading (csv-parse's, when the fast tokenizer declines part way): begun again.
    let at = new Map<string, number>();
    let readable = false;
    // Each column's index, found once from the header (-1: not there, whose cells are empty), not by name for each cell.
    let candidateAt: number[] = [];
    let candidateSetters: (((index: number, amount: Fen) => void) | undefined)[] = [];
    let totalSetter: ((index: number, amount: Fen) => void) | undefined;
    const [provinceCodeOnce, provinceNameOnce, regionOnce, areaOnce, bindingOnce] = [onceInColumn(), onceInColumn(), onceInColumn(), onceInColumn(), onceInColumn()];
    let codeAt = -1;
    let nameAt = -1;
    let provinceCodeAt = -1;
    let provinceNameAt = -1;
    let regionAt = -1;
    let areaAt = -1;
    let priorityAt = -1;
    let eligibleAt = -1;
    let poorAt = -1;
    let bindingAt = -1;
    let totalAt = -1;
    counties.length = 0;
    rowProblems.length = 0;
    headerProblems.length = 0;
    notAmounts.clear();
    return {
      header(header, headerLine) {
        // A name twice: its first column, as header.indexOf finds it.
        at = new Map();
        header.forEach((column, index) => at.has(column) || at.set(column, index));
        for (const column of REQUIRED_COLUMNS) {
          if (!header.includes(column)) headerProblems.push({ file: path, line: headerLine, column, message: 'column is missing: is this a povalloc run folder?' });
        }
        readable = headerProblems.length === 0;
        const start = header.indexOf('binding');
        const end = header.indexOf('total');
        candidates = start < 0 || end < 0 || end <= start ? [] : header.slice(start + 1, end);
        const columnAt = (column: string): number => at.get(column) ?? -1;
        candidateAt = candidates.map(columnAt);
        candidateSetters = candidates.map(() => undefined);
        totalSetter = undefined;
        codeAt = columnAt('county_code');
        nameAt = columnAt('county_name');
        provinceCodeAt = columnAt('province_code');
        provinceNameAt = columnAt('province_name');
        regionAt = columnAt('region');
        areaAt = columnAt('contiguous_area');
        priorityAt = columnAt('priority_province');
        eligibleAt = columnAt('eligible');
        poorAt = columnAt('poor_population');
        bindingAt = columnAt('binding');
        totalAt = columnAt('total');
      },
      row({ line, cells }) {
        if (!readable) return;
        const cell = (at: number): string => cells[at] ?? '';
        const index = counties.length;
        for (let candidate = 0; candidate < candidates.length; candidate++) {
          const value = yuanToFen(cell(candidateAt[candidate]!));
          if (value === null) notAmounts.add(candidates[candidate]!);
          // Each column is made when its first amount is set, as store.set makes it: the store's columns keep that order.
          else (candidateSetters[candidate] ??= store.setterOf(candidates[candidate]!))(index, value);
        }
        const total = yuanToFen(cell(totalAt));
        if (total === null) rowProblems.push({ file: path, line, column: 'total', message: `${JSON.stringify(cell(totalAt))} is not an amount in yuan` });
        else (totalSetter ??= store.setterOf('total'))(index, total);
        const poorText = cell(poorAt);
        if (!/^\d+$/.test(poorText)) rowProblems.push({ file: path, line, column: 'poor_population', message: `${JSON.stringify(poorText)} is not a whole number` });
        counties.push(
          new RunCounty(
            cell(codeAt),
            once(cell(nameAt)),
            provinceCodeOnce(cell(provinceCodeAt)),
            provinceNameOnce(cell(provinceNameAt)),
            regionOnce(cell(regionAt)),
            areaOnce(cell(areaAt)),
            outcomeFlags(cell(priorityAt) === 'true', cell(eligibleAt) === 'true'),
            /^\d+$/.test(poorText) ? wholeOrBig(poorText) : 0,
            bindingOnce(cell(bindingAt)),
            store,
            index,
          ),
        );
      },
    };
  });
  const amountColumns = candidates.filter((column) => !notAmounts.has(column));
  for (const column of notAmounts) store.deleteColumn(column);
  return { tableProblems: visited.problems, headerProblems, rowProblems, counties, amountColumns };
}

/**
 * readAllocations of a run's allocations.csv read from its bytes, when it is
 * as povalloc writes one (see table-bytes.ts) and every cell read is as
 * allocations.csv has it (nothing around a text, whole numbers, amounts in
 * yuan or empty): only the cells used become text or numbers, the 26 cells
 * of a million rows are not made into strings first (two runs of a million
 * villages took `compare` about 5 s to read, and as long again to collect
 * the garbage). The same counties, texts and columns as readAllocations;
 * undefined when the file is otherwise, which readAllocations then reads.
 */
export function readAllocationsFromBytes(bytes: Uint8Array): ReadAllocations | undefined {
  const table = bytesTable(bytes);
  if (table === undefined) return undefined;
  const { header } = table;
  if (REQUIRED_COLUMNS.some((column) => !header.includes(column))) return undefined;
  // A name twice: its first column, as header.indexOf finds it.
  const columnAt = (column: string): number => header.indexOf(column);
  const start = header.indexOf('binding');
  const end = header.indexOf('total');
  const candidates = end <= start ? [] : header.slice(start + 1, end);
  const candidateAt = candidates.map(columnAt);
  const candidateSetters: (((index: number, amount: Fen) => void) | undefined)[] = candidates.map(() => undefined);
  // Which candidates had an empty cell (then not an amount column), kept as flags rather than added to a set on every row.
  const empty = new Uint8Array(candidates.length);
  const store = new AmountStore(linesOf(bytes));
  let totalSetter: ((index: number, amount: Fen) => void) | undefined;
  const { once, onceInColumn } = textKeeper();
  const [codeAt, nameAt, provinceCodeAt, provinceNameAt, regionAt, areaAt, priorityAt, eligibleAt, poorAt, bindingAt, totalAt] = [
    'county_code',
    'county_name',
    'province_code',
    'province_name',
    'region',
    'contiguous_area',
    'priority_province',
    'eligible',
    'poor_population',
    'binding',
    'total',
  ].map(columnAt) as [number, number, number, number, number, number, number, number, number, number, number];
  // A column's text read again only when its bytes differ from the row before's (a table in code order repeats its
  // province, region and area row after row).
  const repeatedText = (at: number, keep: (value: string) => string): ((starts: Int32Array, ends: Int32Array) => string | undefined) => {
    let lastStart = -1;
    let lastEnd = -1;
    let kept = '';
    return (starts, ends) => {
      const cellStart = starts[at]!;
      const cellEnd = ends[at]!;
      if (lastStart < 0 || !sameBytes(bytes, cellStart, lastStart, cellEnd - cellStart, lastEnd - lastStart)) {
        const text = bytesCellText(table, cellStart, cellEnd);
        if (text === undefined) return undefined;
        kept = keep(text);
      }
      lastStart = cellStart;
      lastEnd = cellEnd;
      return kept;
    };
  };
  const provinceCodeOf = repeatedText(provinceCodeAt, onceInColumn());
  const provinceNameOf = repeatedText(provinceNameAt, onceInColumn());
  const regionOf = repeatedText(regionAt, onceInColumn());
  const areaOf = repeatedText(areaAt, onceInColumn());
  const bindingOf = repeatedText(bindingAt, onceInColumn());
  /** `cell(at) === 'true'` of the text: undefined when the cell may have something around it (read as text then). */
  const isTrue = (starts: Int32Array, ends: Int32Array, at: number): boolean | undefined => {
    const cellStart = starts[at]!;
    const cellEnd = ends[at]!;
    if (bytesAre(bytes, cellStart, cellEnd, 'true')) return true;
    if (cellStart === cellEnd) return false;
    const first = bytes[cellStart]!;
    const last = bytes[cellEnd - 1]!;
    return first <= 0x20 || first >= 0x80 || last <= 0x20 || last >= 0x80 ? undefined : false;
  };
  const counties: CountyOutcome[] = [];
  const read = eachBytesRow(table, (_line, starts, ends) => {
    const index = counties.length;
    for (let candidate = 0; candidate < candidates.length; candidate++) {
      const at = candidateAt[candidate]!;
      if (starts[at] === ends[at]) {
        empty[candidate] = 1;
        continue;
      }
      const value = bytesYuanToFen(table, starts[at]!, ends[at]!);
      if (value === null) return false;
      (candidateSetters[candidate] ??= store.setterOf(candidates[candidate]!))(index, value);
    }
    const total = bytesYuanToFen(table, starts[totalAt]!, ends[totalAt]!);
    if (total === null) return false;
    (totalSetter ??= store.setterOf('total'))(index, total);
    const poorStart = starts[poorAt]!;
    const poorEnd = ends[poorAt]!;
    // Exact as a number for up to 9 digits (wholeOrBig's bound); a longer population is made a bigint from its text.
    const poor = bytesDigits(bytes, poorStart, poorEnd);
    if (poor < 0) return false;
    const code = bytesCellText(table, starts[codeAt]!, ends[codeAt]!);
    const name = bytesCellText(table, starts[nameAt]!, ends[nameAt]!);
    const provinceCode = provinceCodeOf(starts, ends);
    const provinceName = provinceNameOf(starts, ends);
    const region = regionOf(starts, ends);
    const area = areaOf(starts, ends);
    const binding = bindingOf(starts, ends);
    const priority = isTrue(starts, ends, priorityAt);
    const eligible = isTrue(starts, ends, eligibleAt);
    if (code === undefined || name === undefined || provinceCode === undefined || provinceName === undefined || region === undefined || area === undefined || binding === undefined || priority === undefined || eligible === undefined) return false;
    const poorDigits = poorEnd - poorStart;
    counties.push(
      new RunCounty(code, once(name), provinceCode, provinceName, region, area, outcomeFlags(priority, eligible), poorDigits <= 9 ? poor : BigInt(table.buffer.toString('latin1', poorStart, poorEnd)), binding, store, index),
    );
    return true;
  });
  if (!read) return undefined;
  const amountColumns = candidates.filter((_, candidate) => empty[candidate] === 0);
  // The same columns readAllocations deletes (in which order does not matter).
  for (let candidate = 0; candidate < candidates.length; candidate++) if (empty[candidate] === 1) store.deleteColumn(candidates[candidate]!);
  return { tableProblems: [], headerProblems: [], rowProblems: [], counties, amountColumns };
}

/** Whether the LENGTH bytes at A are the OTHER_LENGTH bytes at B. */
function sameBytes(bytes: Uint8Array, a: number, b: number, length: number, otherLength: number): boolean {
  if (length !== otherLength) return false;
  for (let offset = 0; offset < length; offset++) if (bytes[a + offset] !== bytes[b + offset]) return false;
  return true;
}

export function readRunOutcome(dir: string): RunOutcome {
  const problems: Problem[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError([{ file: dir, line: 0, message: 'is not a run folder (no such folder)' }]);
  }
  const allocationsPath = join(dir, 'allocations.csv');
  const allocationsRead = readInputFileInParts(allocationsPath, 'utf8', () => Buffer.alloc(0), MAX_WRITTEN_TABLE_BYTES);
  if (!allocationsRead.file) problems.push({ ...allocationsRead.problem!, file: allocationsPath });
  const file = allocationsRead.file;
  // A large table as povalloc writes it read from its bytes (the same counties), any other as text.
  const fromBytes = file !== undefined && file.bytes.length >= BYTES_READ_FROM ? readAllocationsFromBytes(file.bytes) : undefined;
  const allocations = fromBytes ?? (file === undefined ? undefined : readAllocations(allocationsPath, file));
  if (allocations) appendAll(problems, allocations.tableProblems);
  const provinces = readTable(dir, 'provinces.csv', problems);
  let summary: { funds?: Record<string, Record<string, { budget?: string; allocated?: string; unallocated?: string }>>; unallocated?: { total?: string } } | undefined;
  const summaryPath = join(dir, 'summary.json');
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  } catch (error) {
    problems.push({ file: summaryPath, line: 0, message: `cannot be read: ${(error as Error).message}` });
  }
  if (!allocations || !provinces || !summary || problems.length > 0) throw new InputError(problems);

  appendAll(problems, allocations.headerProblems);
  if (problems.length > 0) throw new InputError(problems);
  const { amountColumns, counties } = allocations;
  appendAll(problems, allocations.rowProblems);
  counties.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const funds: FundLevelOutcome[] = [];
  const summaryFunds = summary.funds ?? {};
  for (const fund of Object.keys(summaryFunds).sort()) {
    for (const level of ['central', 'provincial'] as const) {
      const account = summaryFunds[fund]?.[level];
      if (!account) continue;
      const budget = yuanToFen(account.budget ?? '');
      const allocated = yuanToFen(account.allocated ?? '');
      const unallocated = yuanToFen(account.unallocated ?? '');
      if (budget === null || allocated === null || unallocated === null) {
        problems.push({ file: summaryPath, line: 0, column: `funds.${fund}.${level}`, message: 'budget, allocated and unallocated must be amounts in yuan' });
        continue;
      }
      funds.push({ fund, level, budget, allocated, unallocated });
    }
  }
  const unallocated = yuanToFen(summary.unallocated?.total ?? '');
  if (unallocated === null) problems.push({ file: summaryPath, line: 0, column: 'unallocated.total', message: 'is not an amount in yuan' });
  if (problems.length > 0) throw new InputError(problems);

  checkConsistency(dir, counties, amountColumns, funds, provinces, problems);
  if (problems.length > 0) throw new InputError(problems);

  const policyPath = join(dir, 'inputs', 'policy.json');
  let policyDocument: unknown;
  if (existsSync(policyPath)) {
    try {
      policyDocument = JSON.parse(readFileSync(policyPath, 'utf8'));
    } catch (error) {
      throw new InputError([{ file: policyPath, line: 0, message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  return {
    outcome: { counties, amountColumns, funds, unallocated: unallocated! },
    policyDocument,
    policyPath: policyDocument === undefined ? undefined : policyPath,
  };
}

/** The tables of one run must agree: counties add up to provinces.csv and to summary.json's funds. */
function checkConsistency(dir: string, counties: readonly CountyOutcome[], amountColumns: readonly string[], funds: readonly FundLevelOutcome[], provinces: Table, problems: Problem[]): void {
  for (const account of funds) {
    const column = FUND_LEVEL_COLUMNS.find((entry) => entry.fund === account.fund && entry.level === account.level)?.column;
    if (column === undefined || !amountColumns.includes(column)) continue;
    const sum = counties.reduce((total, county) => total + (county.amounts.get(column) ?? 0n), 0n);
    if (sum !== account.allocated) {
      problems.push({
        file: join(dir, 'allocations.csv'),
        line: 0,
        column,
        message: `adds up to ${formatYuan(sum)}, but summary.json says ${formatYuan(account.allocated)} of ${account.fund} ${account.level} was allocated`,
      });
    }
  }
  const provincesPath = join(dir, 'provinces.csv');
  const totals = new Map<string, Fen>();
  for (const county of counties) totals.set(county.provinceCode, (totals.get(county.provinceCode) ?? 0n) + (county.amounts.get('total') ?? 0n));
  for (const row of provinces.rows) {
    const code = cell(provinces, row, 'province_code');
    const total = yuanToFen(cell(provinces, row, 'total'));
    if (total === null || total !== (totals.get(code) ?? 0n)) {
      problems.push({
        file: provincesPath,
        line: row.line,
        column: 'total',
        message: `province ${code}: ${cell(provinces, row, 'total')} does not equal the sum of its counties in allocations.csv (${formatYuan(totals.get(code) ?? 0n)})`,
      });
    }
  }
}
