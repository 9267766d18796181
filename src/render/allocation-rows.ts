/**
 * The rows of allocations.csv, from a snapshot of what they show: plain data
 * (strings, small tables with indices into them, typed arrays), so that a
 * worker thread can format and join the rows of a village table while the
 * main thread writes the audit log. Both threads go through `allocationRows`:
 * the same cells, whichever formats them.
 */
import type { AllocationResult } from '../core/allocate.js';
import { TABLE_KEY_COUNTY, TABLE_POVERTY_COUNTY, tableColumnsOf, type County } from '../core/counties.js';
import { fitsInt64, formatDecimal, formatFraction, formatQuotient, formatSafeIntegerQuotient, formatYuan, POWERS_OF_TEN_UP_TO_10, safeIntegerQuotientUnits, wholeQuotient, ZERO, type Dec, type Fen } from '../core/money.js';
import { bindingOfBits, COUNTY_ELIGIBLE, COUNTY_PRIORITY_PROVINCE, runColumnsOf, sharedAmountStore, type CountyState } from '../core/state.js';
import { csvCell, csvHeaderText, yesNo } from './csv.js';

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

/**
 * The whole number a text of ASCII digits stands for, when it has no leading
 * zero and at most 15 digits (exact in a double: a code or a count of
 * persons, never money); else undefined. Read digit by digit: a million
 * 12-digit codes in 45 ms against 111 ms for a regular expression's test and
 * Number().
 */
export function wholeNumberOf(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > 15 || (length > 1 && text.charCodeAt(0) === 48)) return undefined;
  let value = 0;
  for (let index = 0; index < length; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

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

/** Each county's code as a number, when every one is digits without a leading zero (a village table's are); else undefined. */
function codeNumbersOf(counties: readonly County[]): Float64Array | undefined {
  const numbers = shared(Float64Array, counties.length);
  for (let index = 0; index < counties.length; index++) {
    const number = wholeNumberOf(counties[index]!.code);
    if (number === undefined) return undefined;
    numbers[index] = number;
  }
  return numbers;
}

/** The populations of the county at INDEX, when the table did not pack both as whole numbers: as numbers, texts or cells (see AllocationRowsData). */
function populationOf(
  county: County,
  index: number,
  into: Pick<AllocationRowsData, 'poor' | 'rural'> & { populationTexts: Map<number, readonly [string, string]>; populationCells: Map<number, readonly [string, string, string]> },
): void {
  const population = populationTextsOf(county);
  into.poor[index] = NaN;
  into.rural[index] = NaN;
  if (!population) {
    into.populationCells.set(index, populationCellsOf(county));
    return;
  }
  const poorNumber = wholeNumberOf(population.poor);
  const ruralNumber = poorNumber === undefined ? undefined : wholeNumberOf(population.rural);
  if (poorNumber !== undefined && ruralNumber !== undefined) {
    into.poor[index] = poorNumber;
    into.rural[index] = ruralNumber;
  } else into.populationTexts.set(index, [population.poor, population.rural]);
}

/** What allocations.csv shows of each county, gathered once (see AllocationRowsData), read column by column from the run and its table. */
export function snapshotAllocationRows(result: AllocationResult, amountNames: readonly string[]): AllocationRowsData {
  const counties = result.counties;
  const count = counties.length;
  const run = runColumnsOf(counties);
  const table = tableColumnsOf(run.counties);
  // The table's texts after the empty text (number 0 here), then the focus multipliers' and bindings' texts.
  const texts: string[] = ['', ...table.texts];
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
  const codeNumbers = codeNumbersOf(run.counties);
  const codes = codeNumbers ? [] : run.counties.map((county) => county.code);
  const name = shared(Uint32Array, count);
  const prefecture = shared(Uint32Array, count);
  const area = shared(Uint32Array, count);
  const province = shared(Uint16Array, count);
  const flags = shared(Uint8Array, count);
  const focus = shared(Uint32Array, count);
  const binding = shared(Uint32Array, count);
  const poor = shared(Float64Array, count);
  const rural = shared(Float64Array, count);
  // The texts of every province, focus multiplier and binding worked out before the rows, so that the loop over a
  // million rows has no branch taken only now and then: each first taking would throw its optimised code away.
  const provinces = table.provinces.map(({ code, nameZh, region }) => ({ code, name: nameZh, region }));
  const focusText = Int32Array.from(run.focusMultipliers, (multiplier) => (multiplier === undefined ? 0 : indexOf(multiplier.toFixed())));
  const bindingText = Int32Array.from({ length: 256 }, (_, bits) => indexOf(bindingOfBits(bits) ?? ''));
  const { numbers, nameIds, prefectureIds, areaIds, provinceIds, flags: tableFlags } = table;
  const { bits: runBits, focusIds } = run;
  const poorColumn = table.figureColumn('poor_population');
  const ruralColumn = table.figureColumn('rural_population');
  const populationTexts = new Map<number, readonly [string, string]>();
  const populationCells = new Map<number, readonly [string, string, string]>();
  // Scores gathered a few thousand at a time into one text (see AllocationRowsData.scores).
  const scoreParts: string[] = [];
  const scoreBatch: string[] = [];
  for (let start = 0; start < count; start += SCORES_PER_PART) {
    const end = Math.min(count, start + SCORES_PER_PART);
    scoreBatch.length = end - start;
    for (let index = start; index < end; index++) {
      const number = numbers[index]!;
      name[index] = nameIds[number]! + 1;
      prefecture[index] = prefectureIds[number]! + 1;
      area[index] = areaIds[number]! + 1;
      province[index] = provinceIds[number]!;
      const bits = runBits[index]!;
      const countyFlags = tableFlags[number]!;
      flags[index] =
        (bits & COUNTY_ELIGIBLE ? 1 : 0) | (countyFlags & TABLE_POVERTY_COUNTY ? 2 : 0) | (countyFlags & TABLE_KEY_COUNTY ? 4 : 0) | (bits & COUNTY_PRIORITY_PROVINCE ? 8 : 0);
      focus[index] = focusText[focusIds[index]!]!;
      binding[index] = bindingText[bits]!;
      scoreBatch[index - start] = run.scoreText(index, 10) ?? '';
      // Whole populations packed in the table's store are read as numbers, without a text in between.
      if (poorColumn !== undefined && ruralColumn !== undefined && poorColumn.places[number] === 0 && ruralColumn.places[number] === 0) {
        poor[index] = poorColumn.digits[number]!;
        rural[index] = ruralColumn.digits[number]!;
      } else populationOf(run.counties[index]!, index, { poor, rural, populationTexts, populationCells });
    }
    scoreParts.push(`${scoreBatch.join('\n')}\n`);
  }
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

/** Bytes of allocations.csv gathered before they are handed on (see writeAllocationCsv). */
const PIECE_BYTES = 1 << 20;

/**
 * A CSV file's bytes written into one buffer and handed on whenever it is
 * full (and at the end), as a view of the buffer: whoever takes a piece
 * uses it (hashes it, writes it to disk) or copies it before the next is
 * written over it.
 */
class CsvBytes {
  private buffer: Buffer;
  private at = 0;

  constructor(
    private readonly pieceBytes: number,
    private readonly emit: (piece: Buffer) => void,
  ) {
    this.buffer = Buffer.allocUnsafe(pieceBytes);
  }

  /** Room for N more bytes: what is written so far is handed on when they would not fit. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    this.flush();
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(bytes, this.pieceBytes));
  }

  /** Hands on what is written, if anything. */
  flush(): void {
    if (this.at > 0) this.emit(this.buffer.subarray(0, this.at));
    this.at = 0;
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  /** The line end, CRLF. */
  lineEnd(): void {
    this.room(2);
    this.buffer[this.at++] = 13;
    this.buffer[this.at++] = 10;
  }

  /** Bytes made before (a cell's UTF-8, see `encoded`). */
  bytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.room(length);
    const buffer = this.buffer;
    let at = this.at;
    // A few bytes (most cells) are quicker copied one by one than by a call to set.
    if (length <= 16) for (let index = 0; index < length; index++) buffer[at++] = bytes[index]!;
    else {
      buffer.set(bytes, at);
      at += length;
    }
    this.at = at;
  }

  /** TEXT's characters FROM to TO (exclusive) as UTF-8: byte for character while they are ASCII (numbers always are). */
  text(text: string, from = 0, to = text.length): void {
    this.room(to - from);
    const buffer = this.buffer;
    const start = this.at;
    let at = start;
    for (let index = from; index < to; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        this.at = start;
        this.bytes(Buffer.from(from === 0 && to === text.length ? text : text.slice(from, to), 'utf8'));
        return;
      }
      buffer[at++] = code;
    }
    this.at = at;
  }

  /** The digits of a whole number 0 <= n < 2^53 (a population, a code of digits: not money), as String(n) writes them. */
  whole(n: number): void {
    if (n <= INT32_MAX) {
      this.digits(n, digitCount(n));
      return;
    }
    // A village's 12-digit code: two parts below 2^31, each written in integer arithmetic.
    const high = wholeQuotient(n, 1e8);
    const low = n - high * 1e8;
    this.whole(high);
    this.digits(low, 8);
  }

  /**
   * A whole number 0 <= units < 2^53 of 10^-PLACES (1 to 9 places) as fixed-point digits: the text money.ts's
   * wholeUnitsText makes of it (an incidence, an amount's fen), without making it.
   */
  fixed(units: number, places: number): void {
    const scale = POWERS_OF_TEN_UP_TO_10[places]!;
    const whole = wholeQuotient(units, scale);
    const fraction = units - whole * scale;
    this.whole(whole);
    this.byte(46);
    this.digits(fraction, places);
  }

  /** The last COUNT digits of a whole number 0 <= n <= 2^31 - 1, zeros in front if it has fewer. */
  private digits(n: number, count: number): void {
    this.room(count);
    const buffer = this.buffer;
    let rest = n | 0;
    for (let place = this.at + count - 1; place >= this.at; place--) {
      const next = (rest / 10) | 0;
      buffer[place] = 48 + rest - next * 10;
      rest = next;
    }
    this.at += count;
  }
}

/** How many digits a whole number 0 <= n <= 2^31 - 1 has. */
function digitCount(n: number): number {
  if (n < 100_000) return n < 10 ? 1 : n < 100 ? 2 : n < 1_000 ? 3 : n < 10_000 ? 4 : 5;
  return n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
}

const INT32_MAX = 0x7fffffff;
/** The largest fen that is a safe integer as a number. */
const SAFE_FEN = BigInt(Number.MAX_SAFE_INTEGER);

/** A cell's text as UTF-8 bytes. */
function encoded(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/**
 * allocations.csv for the rows `allocationRows` gives, as csv.ts writes them
 * (renderCsv: a BOM and the header, then each row's `csvCell`s joined by
 * commas, every line ended by CRLF), written straight into bytes for a
 * village table, and handed to EMIT a megabyte at a time as a view of a
 * buffer that is written over next (see CsvBytes): no string per line or per
 * cell. A text the rows share (a name, a prefecture, a province, a binding)
 * is made safe, quoted and encoded once, not in every row where it appears;
 * and a number formatted here (a code of digits, a population, an incidence,
 * an amount) is written as it is in a number column, where csvCell leaves
 * every plain number unchanged. COLUMNS and NUMBER_COLUMNS are the table's
 * (tables.ts allocationsColumns); the test holds the bytes equal to the rows'
 * written one cell at a time.
 */
export function writeAllocationCsv(data: AllocationRowsData, columns: readonly string[], numberColumns: readonly string[], emit: (piece: Buffer) => void, pieceBytes = PIECE_BYTES): void {
  const width = FIXED_COLUMNS + data.amountNames.length + 1;
  if (columns.length !== width) throw new RangeError(`allocations.csv has ${columns.length} columns, its rows ${width}`);
  const numeric = new Set(numberColumns);
  const isNumber = columns.map((column) => numeric.has(column));
  const { texts, provinces, flags, scores } = data;
  const out = new CsvBytes(pieceBytes, emit);
  out.bytes(encoded(csvHeaderText(columns)));
  out.lineEnd();
  // A text column's cells by index into `texts`, each made and encoded once, when first met.
  const textCells = (column: number): ((text: number) => Uint8Array) => {
    const cells: (Uint8Array | undefined)[] = [];
    const number = isNumber[column];
    return (text) => (cells[text] ??= encoded(csvCell(texts[text]!, number)));
  };
  const nameCell = textCells(1);
  const prefectureCell = textCells(5);
  const areaCell = textCells(9);
  const focusCell = textCells(14);
  const bindingCell = textCells(16);
  // Province code, name and region, with the commas after each: the same three cells for every row of a province.
  const provinceCells = provinces.map((province) => encoded(`${csvCell(province.code, isNumber[2])},${csvCell(province.name, isNumber[3])},${csvCell(province.region, isNumber[4])},`));
  const flag = (column: number, value: boolean): string => csvCell(yesNo(value), isNumber[column]);
  // The eligible, poverty-county and key-county cells side by side with their commas, once for each of their eight combinations.
  const threeFlags = Array.from({ length: 8 }, (_, bits) => encoded(`${flag(6, (bits & 1) !== 0)},${flag(7, (bits & 2) !== 0)},${flag(8, (bits & 4) !== 0)},`));
  const priorityCell = [encoded(`${flag(10, false)},`), encoded(`${flag(10, true)},`)] as const;
  const amountIsNumber = data.amounts.map((_, at) => isNumber[FIXED_COLUMNS + at] === true);
  const totalIsNumber = isNumber[width - 1] === true;
  /** A number formatted here: as it is in a number column, else as csvCell writes it. */
  const number = (text: string, inNumberColumn: boolean | undefined): void => out.text(inNumberColumn ? text : csvCell(text, false));
  /** A whole number written as String writes it: its digits alone are the cell in any column (no formula, nothing to quote). */
  const whole = (value: number, inNumberColumn: boolean | undefined): void => {
    if (Number.isSafeInteger(value) && value >= 0) out.whole(value);
    else number(String(value), inNumberColumn);
  };
  /**
   * An amount as formatYuan writes it: in a number column, its fen's digits written from a number when they fit a
   * safe integer (converted exactly, only to write them: no arithmetic on money is done in a double), else its text.
   */
  const yuan = (fen: Fen, inNumberColumn: boolean | undefined): void => {
    if (inNumberColumn && fen >= 0n && fen <= SAFE_FEN) out.fixed(Number(fen), 2);
    else number(formatYuan(fen), inNumberColumn);
  };
  let scoreAt = 0;
  for (let index = 0; index < data.count; index++) {
    const scoreEnd = scores.indexOf('\n', scoreAt);
    const bits = flags[index]!;
    if (data.codeNumbers) whole(data.codeNumbers[index]!, isNumber[0]);
    else out.text(csvCell(data.codes[index]!, isNumber[0]));
    out.byte(44);
    out.bytes(nameCell(data.name[index]!));
    out.byte(44);
    out.bytes(provinceCells[data.province[index]!]!);
    out.bytes(prefectureCell(data.prefecture[index]!));
    out.byte(44);
    out.bytes(threeFlags[bits & 7]!);
    out.bytes(areaCell(data.area[index]!));
    out.byte(44);
    out.bytes(priorityCell[(bits >> 3) & 1]!);
    const poor = data.poor[index]!;
    if (!Number.isNaN(poor)) {
      const rural = data.rural[index]!;
      whole(poor, isNumber[11]);
      out.byte(44);
      whole(rural, isNumber[12]);
      out.byte(44);
      // The incidence's digits written as they are worked out (in a number column, a plain number's cell is itself).
      const units = rural === 0 || !isNumber[13] ? -1 : safeIntegerQuotientUnits(poor, rural, 6);
      if (units >= 0) out.fixed(units, 6);
      else number(rural === 0 ? formatIncidence(ZERO) : formatSafeIntegerQuotient(poor, rural, 6), isNumber[13]);
    } else {
      // Figures that are not both whole (rare): their cells as allocationRows makes them, written one by one.
      const cells = populationCells(data, index);
      out.text(csvCell(cells[0], isNumber[11]));
      out.byte(44);
      out.text(csvCell(cells[1], isNumber[12]));
      out.byte(44);
      out.text(csvCell(cells[2], isNumber[13]));
    }
    out.byte(44);
    out.bytes(focusCell(data.focus[index]!));
    out.byte(44);
    // The score's characters straight from the scores' text, in a number column.
    if (isNumber[15]) out.text(scores, scoreAt, scoreEnd);
    else out.text(csvCell(scores.slice(scoreAt, scoreEnd), false));
    scoreAt = scoreEnd + 1;
    out.byte(44);
    out.bytes(bindingCell(data.binding[index]!));
    for (let column = 0; column < data.amounts.length; column++) {
      out.byte(44);
      const amount = amountAt(data.amounts[column], index);
      if (amount !== undefined) yuan(amount, amountIsNumber[column]);
    }
    out.byte(44);
    yuan(amountAt(data.total, index) ?? 0n, totalIsNumber);
    out.lineEnd();
  }
  out.flush();
}

/** Columns before the amounts: code, name, province code, name and region, prefecture, the flags and area, populations, incidence, focus, score, binding. */
const FIXED_COLUMNS = 17;
