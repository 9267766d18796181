/**
 * The outcome of a run as scenario analysis sees it: per county, what it
 * received and the facts outcomes are grouped by; per fund and paying level,
 * the budget and what became of it. Built from an allocation in memory
 * (`outcomeFromResult`) or from a run folder's tables (src/io/run-outcome.ts),
 * so that comparing two policies and comparing two run folders are the same
 * computation.
 */
import { FUND_LEVEL_COLUMNS, type AllocationResult } from './allocate.js';
import type { County } from './counties.js';
import type { Fen } from './money.js';
import type { Region } from './reference.js';
import { CountyAmounts, everyCountyHas, sharedAmountStore, type AmountStore, type CountyState } from './state.js';

export interface CountyOutcome {
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly provinceName: string;
  readonly region: Region | string;
  /** Chinese name of the contiguous area, or ''. */
  readonly contiguousArea: string;
  readonly priorityProvince: boolean;
  readonly eligible: boolean;
  /** Registered poor people (whole persons). */
  readonly poorPopulation: bigint;
  /** How the county's special-fund amount was bound: share, floor, cap, floor_reduced, or '' when not eligible. */
  readonly binding: string;
  /** allocations.csv amount columns (including `total`) to fen. */
  readonly amounts: ReadonlyMap<string, Fen>;
}

export interface FundLevelOutcome {
  readonly fund: string;
  readonly level: 'central' | 'provincial';
  readonly budget: Fen;
  readonly allocated: Fen;
  readonly unallocated: Fen;
}

export interface Outcome {
  /** Sorted by county code. */
  readonly counties: readonly CountyOutcome[];
  /** The amount columns of allocations.csv before `total`, in output order. */
  readonly amountColumns: readonly string[];
  readonly funds: readonly FundLevelOutcome[];
  /** Money left unallocated over every pot. */
  readonly unallocated: Fen;
}

/** The fund whose county amounts the outcome metrics measure. */
export const SPECIAL_FUND = 'special_poverty';

/** allocations.csv columns that carry a fund (per paying level). */
export function fundColumns(fund: string, amountColumns: readonly string[]): string[] {
  return FUND_LEVEL_COLUMNS.filter((entry) => entry.fund === fund && amountColumns.includes(entry.column)).map((entry) => entry.column);
}

/** Funds that have at least one amount column, in FUND_LEVEL_COLUMNS order. */
export function fundsWithColumns(amountColumns: readonly string[]): string[] {
  const funds: string[] = [];
  for (const entry of FUND_LEVEL_COLUMNS) {
    if (amountColumns.includes(entry.column) && !funds.includes(entry.fund)) funds.push(entry.fund);
  }
  return funds;
}

const poorPopulationCache = new WeakMap<County, bigint>();

/** Poor population of a county as a whole number (it is one: the county table only accepts whole numbers). */
function poorPopulationOf(county: County): bigint {
  const whole = wholePoorPopulationOf(county);
  if (whole !== undefined) return BigInt(whole);
  let value = poorPopulationCache.get(county);
  if (value === undefined) {
    value = BigInt(county.poorPopulation.toFixed(0));
    poorPopulationCache.set(county, value);
  }
  return value;
}

/** A whole figure packed in the table's store, read as a number (a million villages: no decimal, and no cache entry, each). */
function wholePoorPopulationOf(county: County): number | undefined {
  return (county.figures as { wholeOf?: (column: string) => number | undefined }).wholeOf?.('poor_population');
}

const PRIORITY_PROVINCE = 1;
const ELIGIBLE = 2;

/** The yes/no facts of a county's outcome as the bits a PackedCountyOutcome keeps. */
export function outcomeFlags(priorityProvince: boolean, eligible: boolean): number {
  return (priorityProvince ? PRIORITY_PROVINCE : 0) | (eligible ? ELIGIBLE : 0);
}

/**
 * A county's outcome held small: its yes/no facts as bits, its binding, its
 * poor population as a small integer (a bigint only beyond that), and its
 * place in an amount store, whose view is made when read. Where an object of
 * eleven fields, a view of its amounts and a bigint each took some 100 MB
 * more for a million villages. Its texts are the subclass's.
 */
export abstract class PackedCountyOutcome implements CountyOutcome {
  abstract readonly code: string;
  abstract readonly name: string;
  abstract readonly provinceCode: string;
  abstract readonly provinceName: string;
  abstract readonly region: Region | string;
  abstract readonly contiguousArea: string;

  constructor(
    private readonly bits: number,
    private readonly poor: number | bigint,
    readonly binding: string,
    private readonly store: AmountStore,
    private readonly index: number,
  ) {}

  get priorityProvince(): boolean {
    return (this.bits & PRIORITY_PROVINCE) !== 0;
  }
  get eligible(): boolean {
    return (this.bits & ELIGIBLE) !== 0;
  }
  get poorPopulation(): bigint {
    const poor = this.poor;
    return typeof poor === 'bigint' ? poor : BigInt(poor);
  }
  get amounts(): ReadonlyMap<string, Fen> {
    return new CountyAmounts(this.store, this.index);
  }
}

/** A county's outcome from an allocation: its texts read from its county when asked (compare --scenario holds two outcomes while it allocates). */
class ResultCounty extends PackedCountyOutcome {
  constructor(
    private readonly county: County,
    bits: number,
    binding: string,
    poor: number | bigint,
    store: AmountStore,
    index: number,
  ) {
    super(bits, poor, binding, store, index);
  }

  get code(): string {
    return this.county.code;
  }
  get name(): string {
    return this.county.name;
  }
  get provinceCode(): string {
    return this.county.province.code;
  }
  get provinceName(): string {
    return this.county.province.nameZh;
  }
  get region(): Region {
    return this.county.province.region;
  }
  get contiguousArea(): string {
    return this.county.contiguousArea;
  }
}

function countyOutcome(countyState: CountyState, index: number, store: AmountStore | undefined): CountyOutcome {
  const county = countyState.county;
  if (store !== undefined) {
    return new ResultCounty(county, outcomeFlags(countyState.priorityProvince, countyState.eligible), countyState.binding ?? '', wholePoorPopulationOf(county) ?? poorPopulationOf(county), store, index);
  }
  return {
    code: county.code,
    name: county.name,
    provinceCode: county.province.code,
    provinceName: county.province.nameZh,
    region: county.province.region,
    contiguousArea: county.contiguousArea,
    priorityProvince: countyState.priorityProvince,
    eligible: countyState.eligible,
    poorPopulation: poorPopulationOf(county),
    binding: countyState.binding ?? '',
    amounts: countyState.amounts,
  };
}

export function outcomeFromResult(result: AllocationResult): Outcome {
  // Counties whose amounts live in one store (a run's) are read from it when asked.
  const store = sharedAmountStore(result.counties);
  const counties = result.counties.map((countyState, index) => countyOutcome(countyState, index, store));
  return {
    counties,
    // As a reader of allocations.csv sees them: the county amount columns every county has a value in
    // (a column of a rule that did not run is empty), so outcomes from runs and from files agree.
    amountColumns: result.amountColumns
      .filter((column) => column.shownIn !== 'provinces')
      .map((column) => column.name)
      .filter((name) => everyCountyHas(result.counties, name)),
    funds: result.fundAccounts.map((account) => ({ ...account })),
    unallocated: result.pots.reduce((sum, pot) => sum + pot.unallocated, 0n),
  };
}
