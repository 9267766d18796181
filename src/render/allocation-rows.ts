/**
 * The rows of allocations.csv, from a snapshot of what they show: plain data
 * (strings, small tables with indices into them, typed arrays), so that a
 * worker thread can format and join the rows of a village table while the
 * main thread writes the audit log. Both threads go through `allocationRows`:
 * the same cells, whichever formats them.
 */
import type { AllocationResult } from '../core/allocate.js';
import type { County } from '../core/counties.js';
import { formatDecimal, formatFraction, formatQuotient, formatSafeIntegerQuotient, formatYuan, ZERO, type Dec, type Fen } from '../core/money.js';
import { CountyAmounts, type CountyState } from '../core/state.js';
import { yesNo } from './csv.js';

/** One amount column of every row: fen slots, presence flags, and amounts too wide for a slot by row. */
export interface AmountColumnData {
  readonly fen: BigInt64Array;
  readonly present: Uint8Array;
  readonly wide: ReadonlyMap<number, Fen> | undefined;
}

/** What the rows of allocations.csv show, row by row in county-code order (see `snapshotAllocationRows`). */
export interface AllocationRowsData {
  readonly count: number;
  readonly codes: readonly string[];
  readonly names: readonly string[];
  readonly prefectures: readonly string[];
  /** Index into `provinces`, per row. */
  readonly province: Uint16Array;
  readonly provinces: readonly { readonly code: string; readonly name: string; readonly region: string }[];
  /** Bits per row: 1 eligible, 2 poverty county, 4 key county, 8 priority province. */
  readonly flags: Uint8Array;
  /** Index into `texts` per row: contiguous area, focus multiplier, binding (0 is ''). */
  readonly area: Uint16Array;
  readonly focus: Uint16Array;
  readonly binding: Uint16Array;
  readonly texts: readonly string[];
  /** The stage-2 score with ten decimals, or '' (no score). */
  readonly scores: readonly string[];
  /**
   * Poor and rural population as exact texts, to be formatted with the
   * incidence; a row whose figures have no such texts has its three cells
   * formatted already, in `populationCells`.
   */
  readonly poorTexts: readonly string[];
  readonly ruralTexts: readonly string[];
  readonly populationCells: ReadonlyMap<number, readonly [string, string, string]>;
  /** Amount columns before `total`, in output order, then `total`. */
  readonly amountNames: readonly string[];
  readonly amounts: readonly AmountColumnData[];
  readonly total: AmountColumnData;
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
function populationTexts(county: County): { poor: string; rural: string } | undefined {
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

/** A column of the result's amounts, read from its store as it is when the counties' amounts live in one, else county by county. */
function amountColumnData(counties: readonly CountyState[], name: string): AmountColumnData {
  const first = counties[0]?.amounts;
  if (first instanceof CountyAmounts && counties.every((countyState, index) => countyState.amounts instanceof CountyAmounts && countyState.amounts.store === first.store && countyState.amounts.index === index)) {
    const data = first.store.columnData(name);
    return data ?? { fen: new BigInt64Array(counties.length), present: new Uint8Array(counties.length), wide: undefined };
  }
  const fen = new BigInt64Array(counties.length);
  const present = new Uint8Array(counties.length);
  const wide = new Map<number, Fen>();
  counties.forEach((countyState, index) => {
    const amount = countyState.amounts.get(name);
    if (amount === undefined) return;
    present[index] = 1;
    if (amount >= -(1n << 63n) && amount < 1n << 63n) fen[index] = amount;
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
  const codes = new Array<string>(count);
  const names = new Array<string>(count);
  const prefectures = new Array<string>(count);
  const province = new Uint16Array(count);
  const flags = new Uint8Array(count);
  const area = new Uint16Array(count);
  const focus = new Uint16Array(count);
  const binding = new Uint16Array(count);
  const scores = new Array<string>(count);
  const poorTexts = new Array<string>(count);
  const ruralTexts = new Array<string>(count);
  const populationCells = new Map<number, readonly [string, string, string]>();
  for (let index = 0; index < count; index++) {
    const countyState = counties[index]!;
    const county = countyState.county;
    codes[index] = county.code;
    names[index] = county.name;
    prefectures[index] = county.prefecture;
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
    scores[index] = countyState.scoreText(10) ?? '';
    const population = populationTexts(county);
    if (population) {
      poorTexts[index] = population.poor;
      ruralTexts[index] = population.rural;
    } else {
      poorTexts[index] = '';
      ruralTexts[index] = '';
      populationCells.set(index, populationCellsOf(county));
    }
  }
  return {
    count,
    codes,
    names,
    prefectures,
    province,
    provinces,
    flags,
    area,
    focus,
    binding,
    texts,
    scores,
    poorTexts,
    ruralTexts,
    populationCells,
    amountNames,
    amounts: amountNames.map((name) => amountColumnData(counties, name)),
    total: amountColumnData(counties, 'total'),
  };
}

function amountAt(column: AmountColumnData, index: number): Fen | undefined {
  if (column.present[index] === 0) return undefined;
  return column.wide?.get(index) ?? column.fen[index]!;
}

/** The cells of each row of allocations.csv, in the order of its columns (see tables.ts allocationsColumns). */
export function* allocationRows(data: AllocationRowsData): Generator<string[]> {
  const { texts, provinces, flags } = data;
  for (let index = 0; index < data.count; index++) {
    const province = provinces[data.province[index]!]!;
    const bits = flags[index]!;
    const cells = data.populationCells.get(index);
    const row: string[] = [
      data.codes[index]!,
      data.names[index]!,
      province.code,
      province.name,
      province.region,
      data.prefectures[index]!,
      yesNo((bits & 1) !== 0),
      yesNo((bits & 2) !== 0),
      yesNo((bits & 4) !== 0),
      texts[data.area[index]!]!,
      yesNo((bits & 8) !== 0),
      cells ? cells[0] : formatPopulationText(data.poorTexts[index]!),
      cells ? cells[1] : formatPopulationText(data.ruralTexts[index]!),
      cells ? cells[2] : formatIncidenceTexts(data.poorTexts[index]!, data.ruralTexts[index]!),
      texts[data.focus[index]!]!,
      data.scores[index]!,
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
