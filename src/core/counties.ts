/**
 * counties.csv (CONTRACT section 2) into typed counties, with every problem
 * collected. Codes stay strings. Rural population may be given directly, or
 * derived from the incidence as poor / incidence (kept exact, not rounded to
 * whole persons), or both (then they must agree to the precision given).
 */
import { mapHeader, type ColumnSpec, type HeaderMap } from './columns.js';
import {
  parseDecimal,
  parseMoney,
  parseRatioOrPercent,
  parseWholeNumber,
  parseYear,
  parseYesNo,
  codeLengthMismatch,
  isUnitCode,
  type CodeLength,
  type Parsed,
  type ParsedRatio,
} from './grammar.js';
import { compareDecimalTexts, decimal, formatScaled, PackedSums, scaledFromDecimal, scaledFromDigits, unitsText, ZERO, ZERO_SCALED, type Dec, type Fen, type LimbAccumulator, type Scaled } from './money.js';
import type { Problem } from './problems.js';
import { normaliseAreaName, type Province, type Reference } from './reference.js';
import { visitCsvParts, type CsvText, type Table, type TableRow, type TableVisitor } from './table.js';

export const ASSESSMENT_GRADES = ['excellent', 'good', 'fair', 'poor', 'failed'] as const;
export type AssessmentGrade = (typeof ASSESSMENT_GRADES)[number];
const ASSESSMENT_ZH: Record<string, AssessmentGrade> = { 好: 'excellent', 较好: 'good', 一般: 'fair', 较差: 'poor', 未完成: 'failed' };

export const COUNTY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'county_code', aliases: ['县代码'] },
  { name: 'county_name', aliases: ['县名'] },
  { name: 'province_code', aliases: ['省代码'] },
  { name: 'poor_population', aliases: ['贫困人口'] },
  { name: 'rural_population', aliases: ['农村人口'] },
  { name: 'incidence', aliases: ['贫困发生率'] },
  { name: 'prefecture', aliases: ['地市'] },
  { name: 'poverty_county', aliases: ['贫困县'] },
  { name: 'key_county', aliases: ['重点县'] },
  { name: 'contiguous_area', aliases: ['连片特困地区'] },
  { name: 'rural_income_per_capita', aliases: ['农民人均收入'] },
  { name: 'fiscal_revenue_per_capita', aliases: ['人均财政收入'] },
  { name: 'old_revolutionary_base', aliases: ['革命老区'] },
  { name: 'ethnic_minority_area', aliases: ['民族地区'] },
  { name: 'border_area', aliases: ['边境地区'] },
  { name: 'assessment', aliases: ['考核结果'] },
  { name: 'exit_year', aliases: ['摘帽年份'] },
  { name: 'relocation_population', aliases: ['易地搬迁人口'] },
  { name: 'remitted_central', aliases: ['上解中央'] },
  { name: 'remitted_provincial', aliases: ['上解省级'] },
  { name: 'remitted_prefecture', aliases: ['上解地市'] },
];

/** Columns whose values are decimal figures a factor may read. */
const POSITIVE_DECIMAL_COLUMNS = new Set(['rural_income_per_capita', 'fiscal_revenue_per_capita']);
/** Figures read by their own rules above, never as generic factor columns. */
const BUILT_IN_FIGURES = new Set(['poor_population', 'rural_population', 'relocation_population']);
const MONEY_COLUMNS = ['remitted_central', 'remitted_provincial', 'remitted_prefecture'] as const;
export type RemittedColumn = (typeof MONEY_COLUMNS)[number];

export interface County {
  readonly code: string;
  readonly name: string;
  readonly province: Province;
  readonly prefecture: string;
  readonly poorPopulation: Dec;
  readonly ruralPopulation: Dec;
  /** True when rural population was derived from the incidence column. */
  readonly ruralPopulationDerived: boolean;
  readonly povertyCounty: boolean;
  readonly keyCounty: boolean;
  /** Canonical Chinese name of the contiguous area, or ''. */
  readonly contiguousArea: string;
  readonly oldRevolutionaryBase: boolean;
  readonly ethnicMinorityArea: boolean;
  readonly borderArea: boolean;
  readonly assessment: AssessmentGrade | undefined;
  readonly exitYear: string;
  readonly relocationPopulation: Dec | undefined;
  /** Remitted revenue per level, in fen; absent when the column is absent. */
  readonly remitted: Partial<Record<RemittedColumn, Fen>>;
  /** Every numeric column a factor may read, by canonical name. */
  readonly figures: ReadonlyMap<string, Dec>;
  /** Line in counties.csv. */
  readonly line: number;
}

export interface CountyTable {
  /** Sorted by code. */
  readonly counties: readonly County[];
  readonly columns: ReadonlySet<string>;
  readonly skippedBlankRows: number;
  readonly warnings: readonly Problem[];
}

/** Slots of the built-in figures (every store starts with them). */
const POOR_SLOT = 0;
const RURAL_SLOT = 1;
const RELOCATION_SLOT = 2;
const BUILT_IN_SLOTS = ['poor_population', 'rural_population', 'relocation_population'];

// What a figure's entry in `FigureStore.places` says besides a number of decimal places.
/** No such figure for this county. */
const ABSENT = 255;
/** Held as text (too many digits for the integer column). */
const AS_TEXT = 254;
/** Held as a decimal (derived from the incidence). */
const AS_DECIMAL = 253;
/** Zero, from an empty cell that means 0. */
const AS_ZERO = 252;
/** Digits that always fit the unsigned 32-bit integer column. */
const MAX_PACKED_DIGITS = 9;

/** The integer form of a figure packed as WHOLE with PLACES decimal places (or ABSENT, AS_ZERO: 0). */
function packedScaled(whole: number, places: number): Scaled {
  return places === ABSENT || places === AS_ZERO ? ZERO_SCALED : scaledFromDigits(whole, places);
}

/** Adds a figure packed as WHOLE with PLACES decimal places (ABSENT, AS_ZERO: nothing) to an exact sum. */
function addPacked(sum: LimbAccumulator, whole: number, places: number): void {
  if (places !== ABSENT && places !== AS_ZERO) sum.addDigits(whole, places);
}

/**
 * The figures of all the counties of one table, column by column, so that a
 * million counties do not each hold a map, strings and decimal objects that
 * the garbage collector must copy. A checked figure text is held as its
 * digits read as a whole number (at most 9 digits, in a Uint32Array: exact,
 * no fractions involved) and its count of decimal places, so `6300.17` is
 * 630017 and 2; longer ones keep their text. A figure becomes a decimal only
 * when first asked for, from its text (never from a JavaScript number), and
 * is then kept. Counties are numbered in the order they were added.
 */
class FigureStore {
  readonly indexOf: ReadonlyMap<string, number>;
  private count = 0;
  private capacity = 1024;
  private digits: Uint32Array[];
  private places: Uint8Array[];
  /** Figures held otherwise (AS_TEXT, AS_DECIMAL), at county * columns + column. */
  private readonly others = new Map<number, string | Dec>();
  // The figures of the county being read, until `add`: every slot is set for every row.
  private readonly staged: (string | Dec | undefined)[];

  constructor(readonly names: readonly string[]) {
    this.indexOf = new Map(names.map((name, index) => [name, index]));
    this.digits = names.map(() => new Uint32Array(this.capacity));
    this.places = names.map(() => new Uint8Array(this.capacity));
    this.staged = names.map(() => undefined);
  }

  /** Sets a figure of the county being read: a checked decimal text, a decimal, or undefined (none). */
  stage(column: number, figure: string | Dec | undefined): void {
    this.staged[column] = figure;
  }

  /** Adds the county being read, with the figures staged for it; its number. */
  add(): number {
    const county = this.count++;
    if (county === this.capacity) this.grow();
    const columns = this.names.length;
    for (let column = 0; column < columns; column++) {
      const figure = this.staged[column];
      if (typeof figure === 'string') {
        this.pack(column, county, figure);
      } else if (figure === undefined) {
        this.places[column]![county] = ABSENT;
      } else if (figure === ZERO) {
        this.places[column]![county] = AS_ZERO;
      } else {
        this.places[column]![county] = AS_DECIMAL;
        this.others.set(county * columns + column, figure);
      }
    }
    return county;
  }

  private pack(column: number, county: number, text: string): void {
    let whole = 0;
    let digitCount = 0;
    let places = 0;
    let point = false;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === 46) {
        point = true;
        continue;
      }
      // Leading zeros do not count: 0.05 is 5 with 2 places.
      if (whole !== 0 || code !== 48) digitCount++;
      whole = whole * 10 + (code - 48);
      if (point) places++;
    }
    if (digitCount > MAX_PACKED_DIGITS) {
      this.places[column]![county] = AS_TEXT;
      this.others.set(county * this.names.length + column, text);
      return;
    }
    this.digits[column]![county] = whole;
    this.places[column]![county] = places;
  }

  private grow(): void {
    this.capacity *= 2;
    this.digits = this.digits.map((old) => {
      const grown = new Uint32Array(this.capacity);
      grown.set(old);
      return grown;
    });
    this.places = this.places.map((old) => {
      const grown = new Uint8Array(this.capacity);
      grown.set(old);
      return grown;
    });
  }

  has(column: number, county: number): boolean {
    return this.places[column]![county] !== ABSENT;
  }

  /** A figure as exact decimal text (digits, and `.` and places if any); undefined when absent. */
  text(column: number, county: number): string | undefined {
    const places = this.places[column]![county]!;
    if (places === ABSENT) return undefined;
    if (places === AS_ZERO) return '0';
    if (places === AS_TEXT) return this.others.get(county * this.names.length + column) as string;
    if (places === AS_DECIMAL) return (this.others.get(county * this.names.length + column) as Dec).toFixed();
    const digits = this.digits[column]![county]!.toString();
    return places === 0 ? digits : unitsText(digits, places);
  }

  /** Adds a figure (none: 0) to an exact sum; a packed figure by its digits, without a decimal. */
  addTo(sum: LimbAccumulator, column: number, county: number): void {
    const places = this.places[column]![county]!;
    if (places === AS_TEXT || places === AS_DECIMAL) sum.add(this.value(column, county)!);
    else addPacked(sum, this.digits[column]![county]!, places);
  }

  /**
   * addTo of the figure of each county numbered in COUNTIES (and, with
   * WEIGHT, addProductTo of figure x weight figure into its products), the
   * packed figures summed many at a time (PackedSums): the same sums.
   */
  addColumnTo(sum: LimbAccumulator, column: number, counties: readonly ReadCounty[], weight?: { readonly column: number; readonly products: LimbAccumulator }): void {
    const packed = new PackedSums(sum);
    const products = weight === undefined ? undefined : new PackedSums(weight.products);
    this.addCountiesTo(packed, sum, column, counties, products, weight);
    packed.finish();
    products?.finish();
  }

  /**
   * The loop of addColumnTo, a function of its own: V8 compiled it alone while it ran (on-stack replacement),
   * without the code after it, and each later column entered that code and left it again there.
   */
  private addCountiesTo(
    packed: PackedSums,
    sum: LimbAccumulator,
    column: number,
    counties: readonly ReadCounty[],
    products: PackedSums | undefined,
    weight: { readonly column: number; readonly products: LimbAccumulator } | undefined,
  ): void {
    const places = this.places[column]!;
    const digits = this.digits[column]!;
    const weightPlaces = weight === undefined ? undefined : this.places[weight.column]!;
    const weightDigits = weight === undefined ? undefined : this.digits[weight.column]!;
    for (let at = 0; at < counties.length; at++) {
      const county = counties[at]!.storeNumber;
      const figurePlaces = places[county]!;
      if (figurePlaces < AS_ZERO) packed.add(digits[county]!, figurePlaces);
      else if (figurePlaces === AS_TEXT || figurePlaces === AS_DECIMAL) sum.add(this.value(column, county)!);
      if (weight === undefined) continue;
      const otherPlaces = weightPlaces![county]!;
      if (figurePlaces < AS_ZERO && otherPlaces < AS_ZERO) products!.addProduct(digits[county]!, figurePlaces, weightDigits![county]!, otherPlaces);
      else this.addProductTo(weight.products, weight.column, column, county);
    }
  }

  /** Adds figure x weight figure (either absent: nothing) to an exact sum, packed figures by their digits. */
  addProductTo(sum: LimbAccumulator, column: number, weightColumn: number, county: number): void {
    const places = this.places[column]![county]!;
    const weightPlaces = this.places[weightColumn]![county]!;
    if (places === ABSENT || places === AS_ZERO || weightPlaces === ABSENT || weightPlaces === AS_ZERO) return;
    if (places >= AS_ZERO || weightPlaces >= AS_ZERO) sum.addProduct(this.value(column, county)!, this.value(weightColumn, county)!);
    else sum.addDigitsProduct(this.digits[column]![county]!, places, this.digits[weightColumn]![county]!, weightPlaces);
  }

  /**
   * formatScaled(scaled(column, county), places) for a figure packed with at
   * most `places` decimal places (the usual population or income): its digits
   * with the point put in and zeros after, as toFixed writes them; undefined
   * for any other figure (then format its integer form).
   */
  fixedText(column: number, county: number, places: number): string | undefined {
    const own = this.places[column]![county]!;
    if (own === ABSENT || own === AS_ZERO) return formatScaled(ZERO_SCALED, places);
    if (own > places) return undefined;
    const whole = this.digits[column]![county]!;
    if (whole === 0) return formatScaled(ZERO_SCALED, places);
    const digits = whole.toString();
    return places === 0 ? digits : unitsText(own === places ? digits : digits + '0'.repeat(places - own), places);
  }

  /** Copies the figure in `column` of `county` into slot `at` of a packed column; false when it is held as text or a decimal. */
  copyPacked(column: number | undefined, county: number, into: PackedColumn, at: number): boolean {
    if (column === undefined) {
      into.places[at] = ABSENT;
      return true;
    }
    const places = this.places[column]![county]!;
    if (places === AS_TEXT || places === AS_DECIMAL) return false;
    into.places[at] = places;
    into.digits[at] = this.digits[column]![county]!;
    return true;
  }

  /** copyPacked of each of COUNTIES (of this store) into INTO at its place in the list; false at the first figure not packed. */
  copyPackedColumn(column: number | undefined, counties: readonly ReadCounty[], into: PackedColumn): boolean {
    if (column === undefined) {
      into.places.fill(ABSENT);
      return true;
    }
    const places = this.places[column]!;
    const digits = this.digits[column]!;
    for (let at = 0; at < counties.length; at++) {
      const county = counties[at]!.storeNumber;
      const figurePlaces = places[county]!;
      if (figurePlaces === AS_TEXT || figurePlaces === AS_DECIMAL) return false;
      into.places[at] = figurePlaces;
      into.digits[at] = digits[county]!;
    }
    return true;
  }

  /** A packed figure's digits and places into INTO ([whole, places]); false when the figure is not packed as digits. */
  packed(column: number, county: number, into: Float64Array): boolean {
    const places = this.places[column]![county]!;
    if (places >= AS_ZERO) return false;
    into[0] = this.digits[column]![county]!;
    into[1] = places;
    return true;
  }

  /** A column's packed figures: the digits, and the places (0: `digits` is the figure; see the constants above for the rest). */
  packedColumn(name: string): { readonly digits: Uint32Array; readonly places: Uint8Array } | undefined {
    const column = this.indexOf.get(name);
    return column === undefined ? undefined : { digits: this.digits[column]!, places: this.places[column]! };
  }

  /** A packed figure without decimal places, as a number (its digits as the table has them, leading zeros aside); else undefined. */
  whole(column: number, county: number): number | undefined {
    return this.places[column]![county] === 0 ? this.digits[column]![county]! : undefined;
  }

  /** A figure in exact integer form (the value of `value`), 0 when absent; packed figures need no decimal. */
  scaled(column: number, county: number): Scaled {
    const places = this.places[column]![county]!;
    if (places === AS_TEXT || places === AS_DECIMAL) return scaledFromDecimal(this.value(column, county)!);
    return packedScaled(this.digits[column]![county]!, places);
  }

  /**
   * A figure as a decimal, built from its text each time it is asked for;
   * undefined when absent. Not kept: the engine reads each figure once or
   * twice, and a million villages' figures kept as decimal objects (about
   * 1 kB each village) would be a gigabyte for the garbage collector to trace.
   */
  value(column: number, county: number): Dec | undefined {
    const places = this.places[column]![county]!;
    if (places === ABSENT) return undefined;
    if (places === AS_ZERO) return ZERO;
    if (places === AS_DECIMAL) return this.others.get(county * this.names.length + column) as Dec;
    return decimal(this.text(column, county)!);
  }
}

/**
 * A county's figure in exact integer form (0 when absent), read straight from
 * the table's store when the county was read from a table: a stage-2 run over
 * half a million villages then builds no decimal for its ratio factors.
 */
export function figureScaled(county: County, column: string): Scaled {
  const figures = county.figures;
  if (figures instanceof CountyFigures) return figures.scaledOf(column);
  return scaledFromDecimal(figures.get(column) ?? ZERO);
}

/**
 * One figure of each county of a group, as the table's store packs it: the
 * digits as a whole number and the count of decimal places (or ABSENT,
 * AS_ZERO): plain typed arrays, to hand to another thread.
 */
export interface PackedColumn {
  readonly digits: Uint32Array;
  readonly places: Uint8Array;
}

/**
 * The figures in COLUMNS of the counties, one packed column each; undefined
 * when a county's figures are not in a table's store or one of them is not
 * packed (held as text or as a decimal).
 */
export function packedColumns(counties: readonly County[], columns: readonly string[]): PackedColumn[] | undefined {
  const packed = columns.map(() => ({ digits: new Uint32Array(counties.length), places: new Uint8Array(counties.length) }));
  // Counties of one table: each column's place in its store looked up once, not for every county.
  const table = tableFiguresOf(counties);
  if (table !== undefined) {
    for (let at = 0; at < columns.length; at++) if (!table.store.copyPackedColumn(table.store.indexOf.get(columns[at]!), table.counties, packed[at]!)) return undefined;
    return packed;
  }
  for (let index = 0; index < counties.length; index++) {
    const figures = counties[index]!.figures;
    if (!(figures instanceof CountyFigures)) return undefined;
    for (let at = 0; at < columns.length; at++) if (!figures.copyPackedOf(columns[at]!, packed[at]!, index)) return undefined;
  }
  return packed;
}

/**
 * A group's figures read from packed columns (see `packedColumns`): each
 * figure in exact integer form and added to sums as the store reads and adds
 * it (FigureStore.scaled, FigureStore.addTo), so the numbers computed from
 * them are the same.
 */
export class PackedGroupFigures {
  private readonly byName: ReadonlyMap<string, PackedColumn>;
  constructor(
    readonly count: number,
    columns: readonly string[],
    packed: readonly PackedColumn[],
  ) {
    this.byName = new Map(columns.map((column, at) => [column, packed[at]!]));
  }

  scaled(index: number, column: string): Scaled {
    const packed = this.byName.get(column);
    return packed === undefined ? ZERO_SCALED : packedScaled(packed.digits[index]!, packed.places[index]!);
  }

  addTo(sum: LimbAccumulator, index: number, column: string): void {
    const packed = this.byName.get(column);
    if (packed !== undefined) addPacked(sum, packed.digits[index]!, packed.places[index]!);
  }
}

/**
 * A county's figure as its digits and decimal places ([whole, places], the
 * value whole x 10^-places) written into INTO, when the table packed it so:
 * the figure's integer form without a bigint. False otherwise (use figureScaled).
 */
export function packedFigure(county: County, column: string, into: Float64Array): boolean {
  const figures = county.figures;
  return figures instanceof CountyFigures && figures.packedOf(column, into);
}

/**
 * A county's figure in COLUMN as a number, when the table packed it as a
 * whole number (a population: at most nine digits, exact); else undefined
 * (read its decimal).
 */
export function packedWholeFigure(county: County, column: string): number | undefined {
  const figures = county.figures;
  return figures instanceof CountyFigures ? figures.wholeOf(column) : undefined;
}

/** formatScaled(figureScaled(county, column), places): for a figure the table packed, without its integer form. */
export function figureFixedText(county: County, column: string, places: number): string {
  const figures = county.figures;
  if (figures instanceof CountyFigures) return figures.fixedTextOf(column, places);
  return formatScaled(figureScaled(county, column), places);
}

/** The counties of one table, and the store that table keeps their figures in (see tableFiguresOf). */
export interface TableFigures {
  readonly counties: readonly ReadCounty[];
  readonly store: FigureStore;
}

/**
 * The counties with their table's figure store, when all were read from one
 * table (each county looked at once, however many columns are then added);
 * undefined otherwise.
 */
export function tableFiguresOf(counties: readonly County[]): TableFigures | undefined {
  const first = counties[0];
  if (!(first instanceof ReadCounty)) return undefined;
  const store = first.figureStore;
  return allInStore(counties, store) ? { counties: counties as readonly ReadCounty[], store } : undefined;
}

/**
 * Whether every county was read into STORE. A loop of its own: in tableFiguresOf, V8 compiled it on its own while
 * it ran (on-stack replacement) without what follows it, and each later call entered that code and left it again
 * (31 deoptimisations at a million villages).
 */
function allInStore(counties: readonly County[], store: FigureStore): boolean {
  for (const county of counties) if (!(county instanceof ReadCounty) || county.figureStore !== store) return false;
  return true;
}

/**
 * addFigure of every county of TABLE (and, with WEIGHT, addFigureProduct into
 * its products): the column looked up once, and each figure added straight
 * from the store, without a view of each county's figures.
 */
export function addTableFigures(table: TableFigures, column: string, sum: LimbAccumulator, weight?: { readonly column: string; readonly products: LimbAccumulator }): void {
  const { counties, store } = table;
  const index = store.indexOf.get(column);
  if (weight === undefined) {
    if (index !== undefined) store.addColumnTo(sum, index, counties);
    return;
  }
  // sum: the weights; products: figure x weight (either absent: nothing).
  const weightIndex = store.indexOf.get(weight.column);
  if (weightIndex === undefined) return;
  if (index === undefined) store.addColumnTo(sum, weightIndex, counties);
  else store.addColumnTo(sum, weightIndex, counties, { column: index, products: weight.products });
}

/** Adds a county's figure (0 when absent) to an exact sum: straight from the table's store when it can. */
export function addFigure(sum: LimbAccumulator, county: County, column: string): void {
  const figures = county.figures;
  if (figures instanceof CountyFigures) figures.addTo(sum, column);
  else sum.add(figures.get(column) ?? ZERO);
}

/** Adds a county's figure times another of its figures (0 when absent) to an exact sum, as addFigure does. */
export function addFigureProduct(sum: LimbAccumulator, county: County, column: string, weightColumn: string): void {
  const figures = county.figures;
  if (figures instanceof CountyFigures) figures.addProductTo(sum, column, weightColumn);
  else sum.addProduct(figures.get(column) ?? ZERO, figures.get(weightColumn) ?? ZERO);
}

/** One county's figures by column, read as a ReadonlyMap (in the order read: built-in figures first). */
class CountyFigures implements ReadonlyMap<string, Dec> {
  constructor(
    private readonly store: FigureStore,
    private readonly county: number,
  ) {}

  /**
   * The figure as exact decimal text (digits, optional `.` and fraction; the
   * same value as the cell, not always the same characters: `0100` is
   * `100`), without building a decimal: for code that computes without
   * decimal.js.
   */
  textOf(column: string): string | undefined {
    const index = this.store.indexOf.get(column);
    return index === undefined ? undefined : this.store.text(index, this.county);
  }

  get(column: string): Dec | undefined {
    const index = this.store.indexOf.get(column);
    return index === undefined ? undefined : this.store.value(index, this.county);
  }

  /** Adds the figure (0 when absent) to an exact sum, as `sum.add(get(column) ?? ZERO)` would. */
  addTo(sum: LimbAccumulator, column: string): void {
    const index = this.store.indexOf.get(column);
    if (index !== undefined) this.store.addTo(sum, index, this.county);
  }

  /** Adds figure x weight figure (0 when either is absent), as `sum.addProduct` of their decimals would. */
  addProductTo(sum: LimbAccumulator, column: string, weightColumn: string): void {
    const index = this.store.indexOf.get(column);
    const weightIndex = this.store.indexOf.get(weightColumn);
    if (index !== undefined && weightIndex !== undefined) this.store.addProductTo(sum, index, weightIndex, this.county);
  }

  /** Copies the figure into slot `at` of a packed column (see FigureStore.copyPacked). */
  copyPackedOf(column: string, into: PackedColumn, at: number): boolean {
    return this.store.copyPacked(this.store.indexOf.get(column), this.county, into, at);
  }

  /** See FigureStore.packed; false when the table has no such column. */
  packedOf(column: string, into: Float64Array): boolean {
    const index = this.store.indexOf.get(column);
    return index !== undefined && this.store.packed(index, this.county, into);
  }

  /** The figure as fixed-point text with `places` decimals (`formatScaled(scaledOf(column), places)`), straight from the store when it can. */
  fixedTextOf(column: string, places: number): string {
    const index = this.store.indexOf.get(column);
    if (index === undefined) return formatScaled(ZERO_SCALED, places);
    return this.store.fixedText(index, this.county, places) ?? formatScaled(this.store.scaled(index, this.county), places);
  }

  /** The figure as a number when it is a whole number packed in the store (the usual population), else undefined. */
  wholeOf(column: string): number | undefined {
    const index = this.store.indexOf.get(column);
    return index === undefined ? undefined : this.store.whole(index, this.county);
  }

  /** The figure in exact integer form; 0 when absent (as `get(column) ?? ZERO`). */
  scaledOf(column: string): Scaled {
    const index = this.store.indexOf.get(column);
    return index === undefined ? ZERO_SCALED : this.store.scaled(index, this.county);
  }

  has(column: string): boolean {
    const index = this.store.indexOf.get(column);
    return index !== undefined && this.store.has(index, this.county);
  }

  get size(): number {
    let count = 0;
    for (let index = 0; index < this.store.names.length; index++) if (this.store.has(index, this.county)) count++;
    return count;
  }

  private toMap(): Map<string, Dec> {
    const map = new Map<string, Dec>();
    for (let index = 0; index < this.store.names.length; index++) {
      const value = this.store.value(index, this.county);
      if (value !== undefined) map.set(this.store.names[index]!, value);
    }
    return map;
  }

  forEach(callback: (value: Dec, key: string, map: ReadonlyMap<string, Dec>) => void, thisArg?: unknown): void {
    this.toMap().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): MapIterator<[string, Dec]> {
    return this.toMap().entries();
  }

  keys(): MapIterator<string> {
    return this.toMap().keys();
  }

  values(): MapIterator<Dec> {
    return this.toMap().values();
  }

  [Symbol.iterator](): MapIterator<[string, Dec]> {
    return this.toMap().entries();
  }
}

/** Bits of ReadCounty.flags: the yes/no columns, then the assessment grade (0 none, 1 + its place in ASSESSMENT_GRADES). */
const POVERTY_COUNTY = 1;
const KEY_COUNTY = 2;
export const TABLE_POVERTY_COUNTY = POVERTY_COUNTY;
export const TABLE_KEY_COUNTY = KEY_COUNTY;
const OLD_REVOLUTIONARY_BASE = 4;
const ETHNIC_MINORITY_AREA = 8;
const BORDER_AREA = 16;
const RURAL_POPULATION_DERIVED = 32;
const GRADE_SHIFT = 6;

/**
 * What the counties of one table have besides their codes and figures (the
 * figures are in `figures`), column by column: flags, line numbers, and
 * numbers standing for the texts that repeat (name, province, prefecture,
 * contiguous area, exit year), each text kept once. A village table holds a
 * million counties; each is then an object of three fields (ReadCounty).
 * County numbers are the figure store's.
 */
class CountyStore {
  private capacity = 0;
  private flags = new Uint16Array(0);
  private lines = new Uint32Array(0);
  /** Each county's name, province, prefecture, contiguous area and exit year, as numbers in `texts` / `provinces`. */
  private nameIds = new Uint32Array(0);
  private provinceIds = new Uint16Array(0);
  private prefectureIds = new Uint32Array(0);
  private areaIds = new Uint32Array(0);
  private exitYearIds = new Uint32Array(0);
  private readonly provinces: Province[] = [];
  private readonly provinceIdOf = new Map<Province, number>();
  private readonly texts: string[] = [];
  private readonly textIdOf = new Map<string, number>();
  /** Remitted revenue of the counties that have it (a table with remitted_* columns); the others share none. */
  private readonly remittedOf = new Map<number, Partial<Record<RemittedColumn, Fen>>>();

  constructor(readonly figures: FigureStore) {}

  /** Adds the county being read, with the figures staged for it in `figures`; its number. */
  add(
    name: string,
    province: Province,
    prefecture: string,
    flags: number,
    contiguousArea: string,
    exitYear: string,
    remitted: Partial<Record<RemittedColumn, Fen>>,
    line: number,
  ): number {
    const county = this.figures.add();
    if (county >= this.capacity) this.grow(county + 1);
    let provinceId = this.provinceIdOf.get(province);
    if (provinceId === undefined) {
      provinceId = this.provinces.push(province) - 1;
      this.provinceIdOf.set(province, provinceId);
    }
    this.nameIds[county] = this.textId(name);
    this.provinceIds[county] = provinceId;
    this.prefectureIds[county] = this.textId(prefecture);
    this.areaIds[county] = this.textId(contiguousArea);
    this.exitYearIds[county] = this.textId(exitYear);
    this.flags[county] = flags;
    this.lines[county] = line;
    if (remitted !== NO_REMITTED) this.remittedOf.set(county, remitted);
    return county;
  }

  name(county: number): string {
    return this.texts[this.nameIds[county]!]!;
  }
  province(county: number): Province {
    return this.provinces[this.provinceIds[county]!]!;
  }
  prefecture(county: number): string {
    return this.texts[this.prefectureIds[county]!]!;
  }
  contiguousArea(county: number): string {
    return this.texts[this.areaIds[county]!]!;
  }
  exitYear(county: number): string {
    return this.texts[this.exitYearIds[county]!]!;
  }
  flagsOf(county: number): number {
    return this.flags[county]!;
  }
  line(county: number): number {
    return this.lines[county]!;
  }
  remitted(county: number): Partial<Record<RemittedColumn, Fen>> {
    return this.remittedOf.get(county) ?? NO_REMITTED;
  }

  /** The store's columns, for the counties numbered NUMBERS (see tableColumnsOf). */
  columns(numbers: Uint32Array): TableColumns {
    const figures = this.figures;
    return {
      numbers,
      nameIds: this.nameIds,
      prefectureIds: this.prefectureIds,
      areaIds: this.areaIds,
      texts: this.texts,
      provinceIds: this.provinceIds,
      provinces: this.provinces,
      flags: this.flags,
      figureColumn: (column) => figures.packedColumn(column),
    };
  }

  private textId(text: string): number {
    let id = this.textIdOf.get(text);
    if (id === undefined) {
      id = this.texts.push(compactText(text)) - 1;
      this.textIdOf.set(text, id);
    }
    return id;
  }

  private grow(needed: number): void {
    this.capacity = Math.max(1024, this.capacity * 2, needed);
    const grown = <T extends Uint16Array | Uint32Array>(old: T, make: (length: number) => T): T => {
      const array = make(this.capacity);
      array.set(old);
      return array;
    };
    this.flags = grown(this.flags, (length) => new Uint16Array(length));
    this.lines = grown(this.lines, (length) => new Uint32Array(length));
    this.nameIds = grown(this.nameIds, (length) => new Uint32Array(length));
    this.provinceIds = grown(this.provinceIds, (length) => new Uint16Array(length));
    this.prefectureIds = grown(this.prefectureIds, (length) => new Uint32Array(length));
    this.areaIds = grown(this.areaIds, (length) => new Uint32Array(length));
    this.exitYearIds = grown(this.exitYearIds, (length) => new Uint32Array(length));
  }
}

/**
 * The columns of the table that every one of a list of counties was read
 * from, for a reader of every county (allocations.csv's snapshot), which then
 * calls no getter of each: `numbers[at]` is the number in the table of the
 * county at AT in the list, and the other arrays are indexed by that number.
 * Not to be changed.
 */
export interface TableColumns {
  readonly numbers: Uint32Array;
  /** Numbers in `texts` of each county's name, prefecture and contiguous area. */
  readonly nameIds: Uint32Array;
  readonly prefectureIds: Uint32Array;
  readonly areaIds: Uint32Array;
  readonly texts: readonly string[];
  /** Numbers in `provinces` of each county's province. */
  readonly provinceIds: Uint16Array;
  readonly provinces: readonly Province[];
  /** Each county's flags: TABLE_POVERTY_COUNTY, TABLE_KEY_COUNTY among others. */
  readonly flags: Uint16Array;
  /** A figure column as packed: `digits` is the figure where `places` is 0 (a whole number below 2^32); undefined when the table has no such column. */
  figureColumn(column: string): { readonly digits: Uint32Array; readonly places: Uint8Array } | undefined;
}

/**
 * The columns of the one table all of COUNTIES were read from; when they were
 * not, columns gathered from the counties' getters, numbered in list order,
 * with no figure column (their figures are read from each county).
 */
export function tableColumnsOf(counties: readonly County[]): TableColumns {
  const first = counties[0];
  const store = first instanceof ReadCounty ? first.countyStore : undefined;
  const numbers = new Uint32Array(counties.length);
  for (let at = 0; at < counties.length && store !== undefined; at++) {
    const county = counties[at];
    if (!(county instanceof ReadCounty) || county.countyStore !== store) return gatheredTableColumns(counties);
    numbers[at] = county.storeNumber;
  }
  return store === undefined ? gatheredTableColumns(counties) : store.columns(numbers);
}

/** TableColumns of any counties, read through their getters. */
function gatheredTableColumns(counties: readonly County[]): TableColumns {
  const count = counties.length;
  const texts: string[] = [];
  const textIds = new Map<string, number>();
  const textId = (text: string): number => {
    let id = textIds.get(text);
    if (id === undefined) {
      id = texts.push(text) - 1;
      textIds.set(text, id);
    }
    return id;
  };
  const provinces: Province[] = [];
  const provinceIds = new Map<Province, number>();
  const columns = {
    numbers: Uint32Array.from({ length: count }, (_, at) => at),
    nameIds: new Uint32Array(count),
    prefectureIds: new Uint32Array(count),
    areaIds: new Uint32Array(count),
    texts,
    provinceIds: new Uint16Array(count),
    provinces,
    flags: new Uint16Array(count),
    figureColumn: () => undefined,
  };
  counties.forEach((county, at) => {
    columns.nameIds[at] = textId(county.name);
    columns.prefectureIds[at] = textId(county.prefecture);
    columns.areaIds[at] = textId(county.contiguousArea);
    let province = provinceIds.get(county.province);
    if (province === undefined) {
      province = provinces.push(county.province) - 1;
      provinceIds.set(county.province, province);
    }
    columns.provinceIds[at] = province;
    columns.flags[at] = (county.povertyCounty ? POVERTY_COUNTY : 0) | (county.keyCounty ? KEY_COUNTY : 0);
  });
  return columns;
}

/** The flags of a county as CountyStore keeps them (see the bits above). */
function countyFlags(ruralPopulationDerived: boolean, yesNoFlags: number, assessment: AssessmentGrade | undefined): number {
  return yesNoFlags | (ruralPopulationDerived ? RURAL_POPULATION_DERIVED : 0) | ((assessment === undefined ? 0 : ASSESSMENT_GRADES.indexOf(assessment) + 1) << GRADE_SHIFT);
}

/**
 * A county as read: its code, and its number in the table's CountyStore,
 * which holds the rest (its figures in a FigureStore). Its name is kept there
 * as a text met before: a village table of a million rows has a few thousand
 * names, each then held once.
 */
class ReadCounty implements County {
  constructor(
    readonly code: string,
    private readonly store: CountyStore,
    private readonly storeIndex: number,
  ) {}

  get name(): string {
    return this.store.name(this.storeIndex);
  }
  get province(): Province {
    return this.store.province(this.storeIndex);
  }
  get prefecture(): string {
    return this.store.prefecture(this.storeIndex);
  }
  get contiguousArea(): string {
    return this.store.contiguousArea(this.storeIndex);
  }
  get exitYear(): string {
    return this.store.exitYear(this.storeIndex);
  }
  get remitted(): Partial<Record<RemittedColumn, Fen>> {
    return this.store.remitted(this.storeIndex);
  }
  get line(): number {
    return this.store.line(this.storeIndex);
  }
  private get flags(): number {
    return this.store.flagsOf(this.storeIndex);
  }

  get povertyCounty(): boolean {
    return (this.flags & POVERTY_COUNTY) !== 0;
  }
  get keyCounty(): boolean {
    return (this.flags & KEY_COUNTY) !== 0;
  }
  get oldRevolutionaryBase(): boolean {
    return (this.flags & OLD_REVOLUTIONARY_BASE) !== 0;
  }
  get ethnicMinorityArea(): boolean {
    return (this.flags & ETHNIC_MINORITY_AREA) !== 0;
  }
  get borderArea(): boolean {
    return (this.flags & BORDER_AREA) !== 0;
  }
  get ruralPopulationDerived(): boolean {
    return (this.flags & RURAL_POPULATION_DERIVED) !== 0;
  }
  get assessment(): AssessmentGrade | undefined {
    const grade = this.flags >> GRADE_SHIFT;
    return grade === 0 ? undefined : ASSESSMENT_GRADES[grade - 1];
  }

  /** The store of the table the county was read from. */
  get countyStore(): CountyStore {
    return this.store;
  }
  /** The store of the table's figures, and this county's number in it (for sums over many counties). */
  get figureStore(): FigureStore {
    return this.store.figures;
  }
  get storeNumber(): number {
    return this.storeIndex;
  }

  /** A view of this county's figures (cheap: nothing is copied). */
  get figures(): CountyFigures {
    return new CountyFigures(this.store.figures, this.storeIndex);
  }

  get poorPopulation(): Dec {
    return this.store.figures.value(POOR_SLOT, this.storeIndex)!;
  }

  get ruralPopulation(): Dec {
    return this.store.figures.value(RURAL_SLOT, this.storeIndex)!;
  }

  get relocationPopulation(): Dec | undefined {
    return this.store.figures.value(RELOCATION_SLOT, this.storeIndex);
  }
}

/** A whole number as parseWholeNumber accepts it: 1 to 15 ASCII digits. */
function isWholeNumberText(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 15) return false;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** A decimal as parseDecimal accepts it: digits, optionally `.` and digits, at most 24 digits in all. */
function isDecimalText(text: string): boolean {
  const length = text.length;
  let digits = 0;
  let point = -1;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      digits++;
    } else if (code === 46 && point === -1 && index > 0 && index < length - 1) {
      point = index;
    } else {
      return false;
    }
  }
  return digits >= 1 && digits <= 24;
}

/** True when a checked number text (digits, maybe a point) is zero. */
function isZeroText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 48 && code !== 46) return false;
  }
  return true;
}

/**
 * A unit code (6 or 12 checked ASCII digits) as a one-byte string. Cells are
 * cut from the decoded file, and a file with any Chinese in it is held as a
 * two-byte string, so are its cells: a million codes would take twice the
 * memory and make every string built from them (audit lines, keys) two-byte.
 */
function compactCode(code: string): string {
  const at = (index: number): number => code.charCodeAt(index);
  return code.length === 6
    ? String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5))
    : String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11));
}

/** The text as a one-byte string when all of it is Latin-1 (see compactCode); otherwise itself. */
function compactText(text: string): string {
  if (text.length === 0 || text.length > 64) return text;
  const codes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0xff) return text;
    codes.push(code);
  }
  return String.fromCharCode(...codes);
}

/** The yes/no cells spreadsheets hold by far most often, answered without lower-casing. */
function quickYesNo(text: string): boolean | undefined {
  if (text === '1') return true;
  if (text === '0' || text === '') return false;
  return undefined;
}

/** The cell at a column position, or undefined when the column is absent (-1). */
function cellAt(cells: readonly string[], position: number): string | undefined {
  return position === -1 ? undefined : cells[position];
}

const NO_REMITTED: Partial<Record<RemittedColumn, Fen>> = Object.freeze({});
const YES_NO_COLUMNS = ['poverty_county', 'key_county', 'old_revolutionary_base', 'ethnic_minority_area', 'border_area'] as const;
/** The flag bit of each of YES_NO_COLUMNS (see countyFlags). */
const YES_NO_FLAGS = [POVERTY_COUNTY, KEY_COUNTY, OLD_REVOLUTIONARY_BASE, ETHNIC_MINORITY_AREA, BORDER_AREA] as const;

/** The canonical (Chinese) name of the contiguous area a non-empty SPELLING names, or null. */
function canonicalArea(reference: Reference, spelling: string): string | null {
  return reference.areaBySpelling.get(normaliseAreaName(spelling))?.nameZh ?? null;
}

/**
 * Reads county rows one at a time (a TableVisitor): the header first, then
 * each row, then `finish`. Column positions are looked up once, from the
 * header; each row is checked in the same order as always, so problems come
 * out in the same order.
 */
export class CountyReader implements TableVisitor {
  private problems: Problem[] = [];
  private readonly warnings: Problem[] = [];
  private readonly counties: ReadCounty[] = [];
  // Rows whose code reached the duplicate check: code, line, and where in `problems` a
  // duplicate problem goes. Checked in `finish`, where codes in order (the usual case) cost
  // one pass, instead of a map of a million codes probed row by row.
  private readonly checkedCodes: string[] = [];
  private readonly checkedLines = new WholeNumbers();
  private readonly checkedProblemIndexes = new WholeNumbers();
  /** A village table uses 12-digit statistical codes (the first six are the county's); one length per file. */
  private codeLength: CodeLength | undefined;
  private readonly areaNames: string;
  /**
   * Canonical names of contiguous-area spellings: the empty text's ('', no area) and each reference spelling's
   * from the start, others' as they are met (null for one that names no area). Every row looks its text up, and
   * compares what it finds only with undefined and null (no string comparison, whose kind of string V8 learns),
   * so that row() has done both before V8 optimises it: done first by a row read later (the first counties of a
   * file often have no area), they threw away the code V8 had optimised.
   */
  private readonly areaBySpelling = new Map<string, string | null>();
  private readonly factorSet: ReadonlySet<string>;
  /** Provinces by the number their code's two digits make (the code is checked to be digits first). */
  private readonly provinceByPrefix: (Province | undefined)[];
  /** True once `finish` found the codes in ascending order (then the counties need no sorting). */
  private codesAscending = false;
  private headerMap: HeaderMap | undefined;
  /** False when the header has problems: rows are then not read. */
  private readingRows = false;
  private rowCount = 0;
  // Column positions in the row (-1: the column is absent), from the header.
  private codeAt = -1;
  private nameAt = -1;
  private provinceCodeAt = -1;
  private poorAt = -1;
  private ruralAt = -1;
  private incidenceAt = -1;
  private prefectureAt = -1;
  private areaAt = -1;
  private assessmentAt = -1;
  private exitYearAt = -1;
  private relocationAt = -1;
  private yesNoAt: number[] = [];
  private remittedAt: { column: RemittedColumn; at: number }[] = [];
  private hasRemittedColumns = false;
  /** Other figure columns: name, position, whether a factor reads it (required), whether it must be > 0. */
  private figureColumns: { column: string; at: number; slot: number; required: boolean; positive: boolean }[] = [];
  private store = new FigureStore(BUILT_IN_SLOTS);
  /** The counties' other columns, and their figures in `store`. */
  private countyStore = new CountyStore(this.store);
  /** The province of the run of counties being read (see onProvinceRun), and where in `counties` the run began. */
  private runProvince: Province | undefined = undefined;
  private runStart = 0;

  constructor(
    private readonly file: string,
    private readonly reference: Reference,
    private readonly factorColumns: readonly string[],
    /** Told each run of counties read one after another in one province, once it ends (see readCountiesCsv). */
    private readonly onProvinceRun?: ProvinceRunListener,
  ) {
    this.areaNames = reference.areas.map((area) => area.nameZh).join(', ');
    this.areaBySpelling.set('', '');
    for (const area of reference.areas) {
      for (const spelling of [area.id, area.nameZh, area.namePinyin, area.nameEn]) this.areaBySpelling.set(spelling, canonicalArea(reference, spelling));
    }
    this.factorSet = new Set(factorColumns);
    this.provinceByPrefix = Array.from({ length: 100 }, (_, prefix) => reference.provinces.get(String(prefix).padStart(2, '0')));
  }

  header(headerCells: readonly string[], headerLine: number): void {
    const file = this.file;
    const table: Table = { file, header: headerCells, headerLine, rows: [], skippedBlankRows: 0 };
    const { header, problems } = mapHeader(table, COUNTY_COLUMNS);
    this.headerMap = header;
    const has = (column: string): boolean => header.index.has(column);
    for (const required of ['county_code', 'county_name', 'poor_population']) {
      if (!has(required)) problems.push({ file, line: headerLine, column: required, message: `required column ${required} is missing` });
    }
    if (!has('rural_population') && !has('incidence')) {
      problems.push({ file, line: headerLine, column: 'rural_population', message: 'either rural_population or incidence is required' });
    }
    const derivable = new Set(['rural_population']);
    for (const column of this.factorColumns) {
      if (!has(column) && !(derivable.has(column) && has('incidence'))) {
        problems.push({ file, line: headerLine, column, message: `column ${column} is missing: the policy's factors use it` });
      }
    }
    for (const column of header.unknown) {
      if (!this.factorSet.has(column.name)) {
        this.warnings.push({ file, line: headerLine, column: column.name, message: 'unknown column ignored' });
      }
    }
    this.problems.push(...problems);
    if (problems.length > 0) return;
    this.readingRows = true;
    const at = (column: string): number => header.index.get(column) ?? -1;
    this.codeAt = at('county_code');
    this.nameAt = at('county_name');
    this.provinceCodeAt = at('province_code');
    this.poorAt = at('poor_population');
    this.ruralAt = at('rural_population');
    this.incidenceAt = at('incidence');
    this.prefectureAt = at('prefecture');
    this.areaAt = at('contiguous_area');
    this.assessmentAt = at('assessment');
    this.exitYearAt = at('exit_year');
    this.relocationAt = at('relocation_population');
    this.yesNoAt = YES_NO_COLUMNS.map(at);
    this.remittedAt = MONEY_COLUMNS.map((column) => ({ column, at: at(column) })).filter((entry) => entry.at !== -1);
    this.hasRemittedColumns = this.remittedAt.length > 0;
    const names = [...BUILT_IN_SLOTS];
    for (const column of new Set([...POSITIVE_DECIMAL_COLUMNS, ...this.factorColumns])) {
      if (BUILT_IN_FIGURES.has(column) || at(column) === -1) continue;
      this.figureColumns.push({ column, at: at(column), slot: names.length, required: this.factorSet.has(column), positive: POSITIVE_DECIMAL_COLUMNS.has(column) });
      names.push(column);
    }
    this.store = new FigureStore(names);
    this.countyStore = new CountyStore(this.store);
  }

  private refuse(line: number, column: string, value: string, expected: string): void {
    this.problems.push({ file: this.file, line, column, message: `${JSON.stringify(value)} is not ${expected}` });
  }

  /** Checks a cell with a grammar parser: the value, or undefined after reporting the refusal. */
  private parse<T>(line: number, column: string, text: string, parser: (text: string) => Parsed<T>): T | undefined {
    const parsed = parser(text);
    if (parsed.ok) return parsed.value;
    this.refuse(line, column, text, parsed.expected);
    return undefined;
  }

  row(row: TableRow): void {
    this.rowCount++;
    if (!this.readingRows) return;
    const file = this.file;
    const problems = this.problems;
    const line = row.line;
    const cells = row.cells;
    let rowOk = true;

    // county_code and county_name are required columns, so present.
    const code = cells[this.codeAt]!;
    let province: Province | undefined;
    // The code as the county keeps it, once checked: also what the duplicate check holds (one string a row
    // outlives the reading, not two).
    let compact: string | undefined;
    const mismatch = codeLengthMismatch(code, this.codeLength);
    if (code === '') {
      problems.push({ file, line, column: 'county_code', message: 'is empty but required' });
      rowOk = false;
    } else if (!isUnitCode(code)) {
      this.refuse(line, 'county_code', code, 'a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)');
      rowOk = false;
    } else if (mismatch !== undefined) {
      problems.push({ file, line, column: 'county_code', message: mismatch });
      rowOk = false;
    } else {
      this.codeLength ??= { length: code.length, line };
      province = this.provinceByPrefix[(code.charCodeAt(0) - 48) * 10 + code.charCodeAt(1) - 48];
      if (!province) {
        const provinceCode = code.slice(0, 2);
        problems.push({ file, line, column: 'county_code', message: `"${code}" starts with ${provinceCode}, which is not a province code` });
        rowOk = false;
      }
      // A code seen before is a problem (added in `finish`); the row is then not a county,
      // and since there is a problem no county is returned anyway.
      compact = compactCode(code);
      this.checkedCodes.push(compact);
      this.checkedLines.push(line);
      this.checkedProblemIndexes.push(problems.length);
    }
    const name = cells[this.nameAt]!;
    if (name === '') {
      problems.push({ file, line, column: 'county_name', message: 'is empty but required' });
      rowOk = false;
    }
    const provinceCode = cellAt(cells, this.provinceCodeAt);
    if (provinceCode !== undefined && provinceCode !== '' && province && provinceCode !== province.code) {
      problems.push({ file, line, column: 'province_code', message: `"${provinceCode}" does not match the county code ${code} (province ${province.code})` });
      rowOk = false;
    }

    // Populations stay checked text; decimals are built only where a comparison needs them.
    const poorText = cells[this.poorAt]!;
    let poor: string | undefined;
    if (poorText === '') {
      problems.push({ file, line, column: 'poor_population', message: 'is empty but required' });
      rowOk = false;
    } else if (isWholeNumberText(poorText)) {
      poor = poorText;
    } else {
      this.refuse(line, 'poor_population', poorText, (parseWholeNumber(poorText) as { expected: string }).expected);
      rowOk = false;
    }
    const ruralText = cellAt(cells, this.ruralAt);
    const incidenceText = cellAt(cells, this.incidenceAt);
    let rural: string | Dec | undefined;
    let ruralDerived = false;
    if (ruralText !== undefined && ruralText !== '') {
      if (!isWholeNumberText(ruralText)) {
        this.refuse(line, 'rural_population', ruralText, (parseWholeNumber(ruralText) as { expected: string }).expected);
        rowOk = false;
      } else if (isZeroText(ruralText)) {
        this.refuse(line, 'rural_population', ruralText, 'a whole number greater than 0');
        rowOk = false;
      } else {
        rural = ruralText;
      }
    }
    let incidence: ParsedRatio | undefined;
    if (incidenceText !== undefined && incidenceText !== '') {
      incidence = this.parse(line, 'incidence', incidenceText, parseRatioOrPercent);
      if (!incidence) rowOk = false;
    }
    if ((ruralText === undefined || ruralText === '') && (incidenceText === undefined || incidenceText === '')) {
      problems.push({ file, line, column: this.ruralAt !== -1 ? 'rural_population' : 'incidence', message: 'is empty: rural_population or incidence is required' });
      rowOk = false;
    }
    if (poor !== undefined && typeof rural === 'string' && compareDecimalTexts(poor, rural) > 0) {
      problems.push({ file, line, column: 'poor_population', message: `poor_population ${decimal(poor).toFixed()} is greater than rural_population ${decimal(rural).toFixed()}` });
      rowOk = false;
    }
    if (poor !== undefined && incidence) {
      if (rural !== undefined) {
        const poorValue = decimal(poor);
        const ruralValue = decimal(rural as string);
        const actual = poorValue.div(ruralValue);
        if (actual.minus(incidence.value).abs().greaterThan(incidence.halfUnit)) {
          problems.push({
            file,
            line,
            column: 'incidence',
            message: `"${incidenceText}" does not agree with poor_population / rural_population = ${poorValue.toFixed()} / ${ruralValue.toFixed()} = ${actual.toFixed(6)}`,
          });
          rowOk = false;
        }
      } else if (ruralText === undefined || ruralText === '') {
        if (incidence.value.isZero()) {
          problems.push({ file, line, column: 'incidence', message: `"${incidenceText}" is 0, so rural population cannot be derived from it: give rural_population` });
          rowOk = false;
        } else {
          rural = decimal(poor).div(incidence.value);
          ruralDerived = true;
        }
      }
    }

    // The yes/no columns straight into their flag bits (no list of five per row).
    let yesNoFlags = 0;
    for (let index = 0; index < YES_NO_COLUMNS.length; index++) {
      const position = this.yesNoAt[index]!;
      if (position === -1) continue;
      const text = cells[position]!;
      let value = quickYesNo(text);
      if (value === undefined) {
        value = this.parse(line, YES_NO_COLUMNS[index]!, text, parseYesNo);
        if (value === undefined) rowOk = false;
      }
      if (value === true) yesNoFlags |= YES_NO_FLAGS[index]!;
    }

    const areaText = cellAt(cells, this.areaAt) ?? '';
    const knownArea = this.areaBySpelling.get(areaText);
    let contiguousArea = knownArea !== undefined ? knownArea : this.learnAreaSpelling(areaText);
    if (contiguousArea === null) {
      this.refuse(line, 'contiguous_area', areaText, `one of the 14 contiguous areas (${this.areaNames}) or empty`);
      rowOk = false;
      contiguousArea = '';
    }

    let assessment: AssessmentGrade | undefined;
    const assessmentText = cellAt(cells, this.assessmentAt) ?? '';
    if (assessmentText !== '') {
      const lowered = assessmentText.toLowerCase();
      assessment = (ASSESSMENT_GRADES as readonly string[]).includes(lowered) ? (lowered as AssessmentGrade) : ASSESSMENT_ZH[assessmentText];
      if (!assessment) {
        this.refuse(line, 'assessment', assessmentText, 'one of excellent, good, fair, poor, failed (好, 较好, 一般, 较差, 未完成) or empty');
        rowOk = false;
      }
    }
    const exitYearText = cellAt(cells, this.exitYearAt) ?? '';
    let exitYear = '';
    if (exitYearText !== '') {
      const year = this.parse(line, 'exit_year', exitYearText, parseYear);
      if (year === undefined) rowOk = false;
      else exitYear = year;
    }
    const relocationText = cellAt(cells, this.relocationAt);
    let relocation: string | Dec | undefined;
    if (relocationText !== undefined) {
      if (relocationText === '') {
        relocation = ZERO;
      } else if (isWholeNumberText(relocationText)) {
        relocation = relocationText;
      } else {
        this.refuse(line, 'relocation_population', relocationText, (parseWholeNumber(relocationText) as { expected: string }).expected);
        rowOk = false;
      }
    }

    let remitted = NO_REMITTED;
    if (this.hasRemittedColumns) {
      const amounts: Partial<Record<RemittedColumn, Fen>> = {};
      for (const { column, at } of this.remittedAt) {
        const text = cells[at]!;
        if (text === '') {
          amounts[column] = 0n;
          continue;
        }
        const amount = this.parse(line, column, text, parseMoney);
        if (amount === undefined) rowOk = false;
        amounts[column] = amount;
      }
      remitted = amounts;
    }

    // Figures are staged in the store as the row is read; `add` keeps them only for a county.
    const store = this.store;
    store.stage(POOR_SLOT, poor);
    store.stage(RURAL_SLOT, rural);
    store.stage(RELOCATION_SLOT, relocation);
    for (const figure of this.figureColumns) {
      store.stage(figure.slot, undefined);
      const text = cells[figure.at]!;
      if (text === '') {
        if (figure.required) {
          problems.push({ file, line, column: figure.column, message: 'is empty but the policy\'s factors use it' });
          rowOk = false;
        }
        continue;
      }
      if (!isDecimalText(text)) {
        this.refuse(line, figure.column, text, (parseDecimal(text) as { expected: string }).expected);
        rowOk = false;
        continue;
      }
      if (figure.positive && isZeroText(text)) {
        this.refuse(line, figure.column, text, 'a decimal greater than 0');
        rowOk = false;
        continue;
      }
      store.stage(figure.slot, text);
    }

    if (!rowOk || !province || poor === undefined || rural === undefined) return;
    if (province !== this.runProvince && this.onProvinceRun !== undefined) {
      this.endProvinceRun();
      this.runProvince = province;
    }
    this.counties.push(
      new ReadCounty(
        compact!,
        this.countyStore,
        this.countyStore.add(
          name,
          province,
          cellAt(cells, this.prefectureAt) ?? '',
          countyFlags(ruralDerived, yesNoFlags, assessment),
          contiguousArea,
          exitYear,
          remitted,
          line,
        ),
      ),
    );
  }

  /** The rows read so far (rows of the table, whatever they hold). */
  get rowsRead(): number {
    return this.rowCount;
  }

  /** The canonical name of a contiguous-area spelling not met before (null if it names none), kept for the rows to come. */
  private learnAreaSpelling(spelling: string): string | null {
    const canonical = canonicalArea(this.reference, spelling);
    this.areaBySpelling.set(spelling, canonical);
    return canonical;
  }

  /**
   * Each code that appears again, on the line it appears again, naming the
   * first line; inserted where the row-by-row check would have put it (right
   * after the row's other county_code problems).
   */
  private insertDuplicateProblems(): void {
    const codes = this.checkedCodes;
    let ascending = true;
    for (let index = 1; ascending && index < codes.length; index++) ascending = codes[index - 1]! < codes[index]!;
    this.codesAscending = ascending;
    if (ascending) return;
    // A stable sort by code keeps each code's rows in file order: the first is the original.
    const order = codes.map((_, index) => index).sort((a, b) => (codes[a]! < codes[b]! ? -1 : codes[a]! > codes[b]! ? 1 : 0));
    const duplicates: number[] = [];
    const firstLine = new Map<number, number>();
    for (let position = 1; position < order.length; position++) {
      const index = order[position]!;
      const previous = order[position - 1]!;
      if (codes[index] !== codes[previous]) continue;
      firstLine.set(index, firstLine.get(previous) ?? this.checkedLines.at(previous));
      duplicates.push(index);
    }
    if (duplicates.length === 0) return;
    duplicates.sort((a, b) => a - b);
    const merged: Problem[] = [];
    let next = 0;
    this.problems.forEach((problem, problemIndex) => {
      while (next < duplicates.length && this.checkedProblemIndexes.at(duplicates[next]!) <= problemIndex) merged.push(this.duplicateProblem(duplicates[next++]!, firstLine));
      merged.push(problem);
    });
    while (next < duplicates.length) merged.push(this.duplicateProblem(duplicates[next++]!, firstLine));
    this.problems = merged;
  }

  private duplicateProblem(index: number, firstLine: ReadonlyMap<number, number>): Problem {
    const code = this.checkedCodes[index]!;
    return { file: this.file, line: this.checkedLines.at(index), column: 'county_code', message: `"${code}" appears twice (also on line ${firstLine.get(index)!})` };
  }

  /** Tells onProvinceRun of the run of counties read since the last (if any). */
  private endProvinceRun(): void {
    const end = this.counties.length;
    if (end > this.runStart) this.onProvinceRun!(this.counties, this.runStart, end);
    this.runStart = end;
  }

  /** The counties, sorted by code, once every row was read; or the problems. */
  finish(skippedBlankRows: number): { result?: CountyTable; problems: Problem[] } {
    if (this.onProvinceRun !== undefined && this.problems.length === 0) this.endProvinceRun();
    this.insertDuplicateProblems();
    const problems = this.problems;
    if (this.readingRows && this.rowCount === 0) problems.push({ file: this.file, line: 0, message: 'the table has a header but no counties' });
    if (problems.length > 0) return { problems };
    const counties = this.counties;
    // Every row's code was checked; when they came in ascending order, the counties are in order.
    const inOrder = this.codesAscending && counties.length === this.checkedCodes.length;
    if (!inOrder) counties.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    return {
      problems: [],
      result: { counties, columns: new Set(this.headerMap!.index.keys()), skippedBlankRows, warnings: this.warnings },
    };
  }
}

/**
 * Whole numbers from 0 to 2^32 - 1 added one by one (a line, a count of
 * problems), in a typed array that doubles when full. A JS array of a
 * million numbers grows by half at a time, each time into a new array in
 * memory fresh from the system: a page fault for every 4 KB first touched,
 * about 11 us each on the machine this was measured on.
 */
class WholeNumbers {
  private values = new Uint32Array(1024);
  private count = 0;

  push(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  at(index: number): number {
    return this.values[index]!;
  }
}

/**
 * Told of the counties read one after another in one province, once a county
 * of another province is read or the table ends without problems: those at
 * START to END - 1 in COUNTIES, the counties read so far in file order (not to
 * be changed; the table's list, when the file is in code order). A province
 * whose rows are not together in the file is told of once for each run.
 */
export type ProvinceRunListener = (counties: readonly County[], start: number, end: number) => void;

/**
 * Reads the county table. `factorColumns` are the columns the policy's factors
 * read: they are required, and read as decimals > 0 unless built in.
 */
export function readCounties(
  table: Table,
  reference: Reference,
  factorColumns: readonly string[],
): { result?: CountyTable; problems: Problem[] } {
  const reader = new CountyReader(table.file, reference, factorColumns);
  reader.header(table.header, table.headerLine);
  for (const row of table.rows) reader.row(row);
  return reader.finish(table.skippedBlankRows);
}

/**
 * Reads counties.csv text straight into counties, row by row, holding no
 * table of cells: the same problems as parseCsvTable then readCounties
 * (`tableProblems` from the first, `problems` from the second). ON_ROWS, if
 * given, is told the rows read so far after each part of the text (a part
 * is some 8 MB, about 140,000 villages; a text not in parts is one); ON_PROVINCE_RUN, of
 * each run of rows of one province as it ends (see ProvinceRunListener).
 */
export function readCountiesCsv(
  file: string,
  text: CsvText,
  reference: Reference,
  factorColumns: readonly string[],
  onRows?: (rows: number) => void,
  onProvinceRun?: ProvinceRunListener,
): { result?: CountyTable; tableProblems: Problem[]; skippedBlankRows?: number; problems: Problem[] } {
  let reader: CountyReader | undefined;
  // Told between parts, not from row(): a call that row() made only every so many rows was first made after V8
  // had optimised row(), and threw that code away.
  const told =
    onRows === undefined
      ? text
      : function* (): Iterable<string> {
          for (const part of typeof text === 'string' ? [text] : text()) {
            yield part;
            onRows(reader!.rowsRead);
          }
        };
  // The text may come in parts (see visitCsvParts): a million villages' table is some 120 MB as one string.
  const visited = visitCsvParts(file, told, () => {
    reader = new CountyReader(file, reference, factorColumns, onProvinceRun);
    return reader;
  });
  if (visited.header === undefined) return { tableProblems: visited.problems, problems: [] };
  const read = reader!.finish(visited.skippedBlankRows);
  return { ...read, tableProblems: visited.problems, skippedBlankRows: visited.skippedBlankRows };
}
