/**
 * The rows of allocations.csv, from a snapshot of what they show: plain data
 * (strings, small tables with indices into them, typed arrays), so that a
 * worker thread can format and join the rows of a village table while the
 * main thread writes the audit log. Both threads go through `allocationRows`:
 * the same cells, whichever formats them.
 */
import type { AllocationResult } from '../core/allocate.js';
import type { County } from '../core/counties.js';
import { fitsInt64, formatDecimal, formatFraction, formatQuotient, formatSafeIntegerQuotient, formatYuan, ZERO, type Dec, type Fen } from '../core/money.js';
import { sharedAmountStore, type CountyState } from '../core/state.js';
import { csvCell, yesNo } from './csv.js';

/** One amount column of every row: fen slots, presence flags, and amounts too wide for a slot by row. */
export interface AmountColumnData {
  readonly fen: BigInt64Array;
  readonly present: Uint8Array;
  readonly wide: ReadonlyMap<number, Fen> | undefined;
}

/** What the rows of allocations.csv show, row by row in county-code order (see `snapshotAllocationRows`). */
export interface AllocationRowsData {
  readonly count: number;
  /** County codes as numbers when every code is digits without a leading zero (fewer strings to copy to a worker), else undefined. */
  readonly codeNumbers: Float64Array | undefined;
  /** County codes as text, when `codeNumbers` is undefined. */
  readonly codes: readonly string[];
  /** Index into `texts` per row: name, prefecture, contiguous area, focus multiplier, binding (0 is ''). */
  readonly name: Uint32Array;
  readonly prefecture: Uint32Array;
  readonly area: Uint32Array;
  readonly focus: Uint32Array;
  readonly binding: Uint32Array;
  readonly texts: readonly string[];
  /** Index into `provinces`, per row. */
  readonly province: Uint16Array;
  readonly provinces: readonly { readonly code: string; readonly name: string; readonly region: string }[];
  /** Bits per row: 1 eligible, 2 poverty county, 4 key county, 8 priority province. */
  readonly flags: Uint8Array;
  /** The stage-2 score of each row with ten decimals, or '' (no score), each followed by a line feed: one string to copy to a worker rather than a million. */
  readonly scores: string;
  /**
   * Poor and rural population as whole numbers (NaN: see `populationTexts`);
   * a row whose figures are not both whole has them as exact texts in
   * `populationTexts`, or, without texts, its three cells formatted already
   * in `populationCells`.
   */
  readonly poor: Float64Array;
  readonly rural: Float64Array;
  readonly populationTexts: ReadonlyMap<number, readonly [string, string]>;
  readonly populationCells: ReadonlyMap<number, readonly [string, string, string]>;
  /** Amount columns before `total`, in output order (undefined: no row has a value), then `total`. */
  readonly amountNames: readonly string[];
  readonly amounts: readonly (AmountColumnData | undefined)[];
  readonly total: AmountColumnData | undefined;
}

const SCORES_PER_PART = 4_096;

/** A typed array of `count` elements in shared memory: a worker thread given it reads it where it is, without a copy. */
function shared<T>(Type: { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number }, count: number): T {
  return new Type(new SharedArrayBuffer(count * Type.BYTES_PER_ELEMENT));
}

/** Digits of a whole number a double holds exactly, without a leading zero. */
const WHOLE_NUMBER = /^(0|[1-9]\d{0,14})$/;

const POPULATION_TEXT = /^\d+(\.\d+)?$/;

/** An exact decimal text (digits, optional `.` and fraction) as an integer over a power of ten. */
function scaledText(text: string): { scaled: bigint; places: number } {
  const point = text.indexOf('.');
  return point < 0 ? { scaled: BigInt(text), places: 0 } : { scaled: BigInt(text.slice(0, point) + text.slice(point + 1)), places: text.length - point - 1 };
}

/** Whole persons as digits; a derived (fractional) figure with two decimals. */
export function formatPopulation(value: Dec): string {
  return value.isInteger() ? value.toFixed(0) : formatDecimal(value, 2);
}

export function formatIncidence(value: Dec): string {
  return formatDecimal(value, 6);
}

/** formatPopulation of the decimal an exact text stands for, in integers. */
export function formatPopulationText(text: string): string {
  if (text.indexOf('.') < 0) return text.length > 1 && text.charCodeAt(0) === 48 ? BigInt(text).toString() : text;
  const { scaled, places } = scaledText(text);
  const unit = 10n ** BigInt(places);
  return scaled % unit === 0n ? (scaled / unit).toString() : formatFraction(scaled, unit, 2);
}

/** formatIncidence(poor / rural) for the decimals two exact texts stand for, in integers: the quotient rounded to 50 digits as decimal.js divides. */
export function formatIncidenceTexts(poor: string, rural: string): string {
  // Whole numbers of persons (the usual case) divide as doubles unless the quotient lies near a rounding boundary.
  if (poor.length <= 15 && rural.length <= 15 && poor.indexOf('.') < 0 && rural.indexOf('.') < 0) {
    const p = Number(poor);
    const r = Number(rural);
    if (r === 0) return formatIncidence(ZERO);
    return formatSafeIntegerQuotient(p, r, 6);
  }
  const p = scaledText(poor);
  const r = scaledText(rural);
  if (r.scaled === 0n) return formatIncidence(ZERO);
  return formatQuotient(p.scaled * 10n ** BigInt(r.places), r.scaled * 10n ** BigInt(p.places), 6);
}

/** A county's poor and rural population as exact text, when its figures can give them without building decimals. */
function populationTextsOf(county: County): { poor: string; rural: string } | undefined {
  const figures = county.figures as { textOf?: (column: string) => string | undefined };
  if (typeof figures.textOf !== 'function') return undefined;
  const poor = figures.textOf('poor_population');
  const rural = figures.textOf('rural_population');
  if (poor === undefined || rural === undefined || !POPULATION_TEXT.test(poor) || !POPULATION_TEXT.test(rural)) return undefined;
  return { poor, rural };
}

/** The poor population, rural population and incidence cells of a county, from its decimals. */
function populationCellsOf(county: County): [string, string, string] {
  const poor = county.poorPopulation;
  const rural = county.ruralPopulation;
  return [formatPopulation(poor), formatPopulation(rural), formatIncidence(rural.isZero() ? ZERO : poor.div(rural))];
}

/**
 * A column of the result's amounts, read from its store as it is when the
 * counties' amounts live in one (then undefined when no county has a value
 * in it), else county by county.
 */
function amountColumnData(counties: readonly CountyState[], name: string): AmountColumnData | undefined {
  const store = sharedAmountStore(counties);
  if (store !== undefined) return store.columnData(name);
  const fen = new BigInt64Array(counties.length);
  const present = new Uint8Array(counties.length);
  const wide = new Map<number, Fen>();
  counties.forEach((countyState, index) => {
    const amount = countyState.amounts.get(name);
    if (amount === undefined) return;
    present[index] = 1;
    if (fitsInt64(amount)) fen[index] = amount;
    else wide.set(index, amount);
  });
  return { fen, present, wide: wide.size > 0 ? wide : undefined };
}

/** What allocations.csv shows of each county, gathered once (see AllocationRowsData). */
export function snapshotAllocationRows(result: AllocationResult, amountNames: readonly string[]): AllocationRowsData {
  const counties = result.counties;
  const count = counties.length;
  const texts: string[] = [''];
  const textIndex = new Map<string, number>([['', 0]]);
  const indexOf = (text: string): number => {
    let index = textIndex.get(text);
    if (index === undefined) {
      index = texts.length;
      texts.push(text);
      textIndex.set(text, index);
    }
    return index;
  };
  const provinces: { code: string; name: string; region: string }[] = [];
  const provinceIndex = new Map<string, number>();
  const focusTexts = new Map<Dec, number>();
  const numericCodes = counties.every((countyState) => WHOLE_NUMBER.test(countyState.county.code));
  const codeNumbers = numericCodes ? shared(Float64Array, count) : undefined;
  const codes = numericCodes ? [] : new Array<string>(count);
  const name = shared(Uint32Array, count);
  const prefecture = shared(Uint32Array, count);
  const province = shared(Uint16Array, count);
  const flags = shared(Uint8Array, count);
  const area = shared(Uint32Array, count);
  const focus = shared(Uint32Array, count);
  const binding = shared(Uint32Array, count);
  // Scores gathered a few thousand at a time into one text (see AllocationRowsData.scores).
  const scoreParts: string[] = [];
  let scoreBatch: string[] = [];
  const poor = shared(Float64Array, count);
  const rural = shared(Float64Array, count);
  const populationTexts = new Map<number, readonly [string, string]>();
  const populationCells = new Map<number, readonly [string, string, string]>();
  for (let index = 0; index < count; index++) {
    const countyState = counties[index]!;
    const county = countyState.county;
    if (codeNumbers) codeNumbers[index] = Number(county.code);
    else codes[index] = county.code;
    name[index] = indexOf(county.name);
    prefecture[index] = indexOf(county.prefecture);
    let at = provinceIndex.get(county.province.code);
    if (at === undefined) {
      at = provinces.length;
      provinces.push({ code: county.province.code, name: county.province.nameZh, region: county.province.region });
      provinceIndex.set(county.province.code, at);
    }
    province[index] = at;
    flags[index] = (countyState.eligible ? 1 : 0) | (county.povertyCounty ? 2 : 0) | (county.keyCounty ? 4 : 0) | (countyState.priorityProvince ? 8 : 0);
    area[index] = indexOf(county.contiguousArea);
    const multiplier = countyState.focusMultiplier;
    if (multiplier) {
      let text = focusTexts.get(multiplier);
      if (text === undefined) {
        text = indexOf(multiplier.toFixed());
        focusTexts.set(multiplier, text);
      }
      focus[index] = text;
    }
    binding[index] = indexOf(countyState.binding ?? '');
    scoreBatch.push(countyState.scoreText(10) ?? '');
    if (scoreBatch.length === SCORES_PER_PART) {
      scoreParts.push(`${scoreBatch.join('\n')}\n`);
      scoreBatch = [];
    }
    // Whole populations packed in the table's store are read as numbers, without a text in between.
    const figures = county.figures as { wholeOf?: (column: string) => number | undefined };
    const poorWhole = figures.wholeOf?.('poor_population');
    const ruralWhole = poorWhole === undefined ? undefined : figures.wholeOf!('rural_population');
    if (poorWhole !== undefined && ruralWhole !== undefined) {
      poor[index] = poorWhole;
      rural[index] = ruralWhole;
      continue;
    }
    const population = populationTextsOf(county);
    poor[index] = NaN;
    rural[index] = NaN;
    if (!population) populationCells.set(index, populationCellsOf(county));
    else if (WHOLE_NUMBER.test(population.poor) && WHOLE_NUMBER.test(population.rural)) {
      poor[index] = Number(population.poor);
      rural[index] = Number(population.rural);
    } else populationTexts.set(index, [population.poor, population.rural]);
  }
  if (scoreBatch.length > 0) scoreParts.push(`${scoreBatch.join('\n')}\n`);
  return {
    count,
    codeNumbers,
    codes,
    name,
    prefecture,
    area,
    focus,
    binding,
    texts,
    province,
    provinces,
    flags,
    scores: scoreParts.join(''),
    poor,
    rural,
    populationTexts,
    populationCells,
    amountNames,
    amounts: amountNames.map((column) => amountColumnData(counties, column)),
    total: amountColumnData(counties, 'total'),
  };
}

function amountAt(column: AmountColumnData | undefined, index: number): Fen | undefined {
  if (column === undefined || column.present[index] === 0) return undefined;
  return column.wide?.get(index) ?? column.fen[index]!;
}

/** The poor population, rural population and incidence cells of row `index`. */
function populationCells(data: AllocationRowsData, index: number): readonly [string, string, string] {
  const poor = data.poor[index]!;
  const rural = data.rural[index]!;
  if (!Number.isNaN(poor)) return [String(poor), String(rural), rural === 0 ? formatIncidence(ZERO) : formatSafeIntegerQuotient(poor, rural, 6)];
  const texts = data.populationTexts.get(index);
  if (texts) return [formatPopulationText(texts[0]), formatPopulationText(texts[1]), formatIncidenceTexts(texts[0], texts[1])];
  return data.populationCells.get(index)!;
}

/** The cells of each row of allocations.csv, in the order of its columns (see tables.ts allocationsColumns). */
export function* allocationRows(data: AllocationRowsData): Generator<string[]> {
  const { texts, provinces, flags, scores } = data;
  let scoreAt = 0;
  for (let index = 0; index < data.count; index++) {
    const scoreEnd = scores.indexOf('\n', scoreAt);
    const score = scores.slice(scoreAt, scoreEnd);
    scoreAt = scoreEnd + 1;
    const province = provinces[data.province[index]!]!;
    const bits = flags[index]!;
    const [poor, rural, incidence] = populationCells(data, index);
    const row: string[] = [
      data.codeNumbers ? String(data.codeNumbers[index]!) : data.codes[index]!,
      texts[data.name[index]!]!,
      province.code,
      province.name,
      province.region,
      texts[data.prefecture[index]!]!,
      yesNo((bits & 1) !== 0),
      yesNo((bits & 2) !== 0),
      yesNo((bits & 4) !== 0),
      texts[data.area[index]!]!,
      yesNo((bits & 8) !== 0),
      poor,
      rural,
      incidence,
      texts[data.focus[index]!]!,
      score,
      texts[data.binding[index]!]!,
    ];
    for (const column of data.amounts) {
      const amount = amountAt(column, index);
      row.push(amount === undefined ? '' : formatYuan(amount));
    }
    row.push(formatYuan(amountAt(data.total, index) ?? 0n));
    yield row;
  }
}

/**
 * The lines of allocations.csv (without line ends) for the rows `allocationRows`
 * gives, as csv.ts writes them (`csvCell` of each cell, joined by commas), made
 * faster for a village table: a text the rows share (a name, a prefecture, a
 * province, a binding) is made safe and quoted once, not in every row where it
 * appears; and a number formatted here (a code of digits, a population, an
 * incidence, an amount) is written as it is in a number column, where csvCell
 * leaves every plain number unchanged. COLUMNS and NUMBER_COLUMNS are the
 * table's (tables.ts allocationsColumns); the test holds the lines equal to
 * the rows' written one cell at a time.
 */
export function* allocationCsvLines(data: AllocationRowsData, columns: readonly string[], numberColumns: readonly string[]): Generator<string> {
  const width = FIXED_COLUMNS + data.amountNames.length + 1;
  if (columns.length !== width) throw new RangeError(`allocations.csv has ${columns.length} columns, its rows ${width}`);
  const numeric = new Set(numberColumns);
  const isNumber = columns.map((column) => numeric.has(column));
  const { texts, provinces, flags, scores } = data;
  // A text column's cells by index into `texts`, each written once when first met.
  const textCells = (column: number): ((text: number) => string) => {
    const cells: (string | undefined)[] = [];
    const number = isNumber[column];
    return (text) => (cells[text] ??= csvCell(texts[text]!, number));
  };
  const nameCell = textCells(1);
  const prefectureCell = textCells(5);
  const areaCell = textCells(9);
  const focusCell = textCells(14);
  const bindingCell = textCells(16);
  // Province code, name and region, joined: the same three cells for every row of a province.
  const provinceCells = provinces.map((province) => [csvCell(province.code, isNumber[2]), csvCell(province.name, isNumber[3]), csvCell(province.region, isNumber[4])].join(','));
  const flag = (column: number, value: boolean): string => csvCell(yesNo(value), isNumber[column]);
  const flagCells = [6, 7, 8, 10].map((column) => [flag(column, false), flag(column, true)] as const);
  const [eligibleCell, povertyCell, keyCell, priorityCell] = flagCells as [readonly [string, string], readonly [string, string], readonly [string, string], readonly [string, string]];
  // The eligible, poverty-county and key-county cells side by side, joined once for each of their eight combinations:
  // a line is joined from fewer pieces (see below for the amounts).
  const threeFlags = Array.from({ length: 8 }, (_, bits) => [eligibleCell[bits & 1]!, povertyCell[(bits >> 1) & 1]!, keyCell[(bits >> 2) & 1]!].join(','));
  // A run of empty amount cells as one piece: k empty cells between two others are k - 1 commas once joined by commas.
  const emptyRuns = Array.from({ length: data.amounts.length + 1 }, (_, cells) => ','.repeat(Math.max(0, cells - 1)));
  // A number formatted here is plain: in a number column it is written as it is, elsewhere as csvCell writes it.
  const numberCell = (column: number): ((cell: string) => string) => (isNumber[column] ? (cell) => cell : (cell) => csvCell(cell, false));
  const codeCell = numberCell(0);
  const poorCell = numberCell(11);
  const ruralCell = numberCell(12);
  const incidenceCell = numberCell(13);
  const scoreCell = numberCell(15);
  const amountCells = data.amounts.map((_, at) => numberCell(FIXED_COLUMNS + at));
  const totalCell = numberCell(width - 1);
  const fields = new Array<string>(width);
  let scoreAt = 0;
  for (let index = 0; index < data.count; index++) {
    const scoreEnd = scores.indexOf('\n', scoreAt);
    const score = scores.slice(scoreAt, scoreEnd);
    scoreAt = scoreEnd + 1;
    const bits = flags[index]!;
    fields[0] = data.codeNumbers ? codeCell(String(data.codeNumbers[index]!)) : csvCell(data.codes[index]!, isNumber[0]);
    fields[1] = nameCell(data.name[index]!);
    fields[2] = provinceCells[data.province[index]!]!;
    fields[3] = prefectureCell(data.prefecture[index]!);
    fields[4] = threeFlags[bits & 7]!;
    fields[5] = areaCell(data.area[index]!);
    fields[6] = priorityCell[(bits >> 3) & 1]!;
    const poor = data.poor[index]!;
    if (!Number.isNaN(poor)) {
      const rural = data.rural[index]!;
      fields[7] = poorCell(String(poor));
      fields[8] = ruralCell(String(rural));
      fields[9] = incidenceCell(rural === 0 ? formatIncidence(ZERO) : formatSafeIntegerQuotient(poor, rural, 6));
    } else {
      // Figures that are not both whole (rare): their cells as allocationRows makes them, written one by one.
      const cells = populationCells(data, index);
      fields[7] = csvCell(cells[0], isNumber[11]);
      fields[8] = csvCell(cells[1], isNumber[12]);
      fields[9] = csvCell(cells[2], isNumber[13]);
    }
    fields[10] = focusCell(data.focus[index]!);
    fields[11] = scoreCell(score);
    fields[12] = bindingCell(data.binding[index]!);
    let at = 13;
    let empty = 0;
    for (let column = 0; column < data.amounts.length; column++) {
      const amount = amountAt(data.amounts[column], index);
      if (amount === undefined) {
        empty++;
        continue;
      }
      if (empty > 0) fields[at++] = emptyRuns[empty]!;
      empty = 0;
      fields[at++] = amountCells[column]!(formatYuan(amount));
    }
    if (empty > 0) fields[at++] = emptyRuns[empty]!;
    fields[at++] = totalCell(formatYuan(amountAt(data.total, index) ?? 0n));
    fields.length = at;
    yield fields.join(',');
  }
}

/** Columns before the amounts: code, name, province code, name and region, prefecture, the flags and area, populations, incidence, focus, score, binding. */
const FIXED_COLUMNS = 17;
