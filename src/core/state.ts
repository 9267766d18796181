/**
 * The state a run builds up as its rules apply, in order. Rules read the
 * inputs and what earlier rules wrote, and add their own results: amounts per
 * county, pots, checks and the steps `explain` and the audit log show.
 */
import type { Budget } from './budget.js';
import type { County, CountyTable } from './counties.js';
import { fitsInt64, formatDecimal, type Dec, type Fen } from './money.js';
import type { Policy } from './policy.js';
import { BINDINGS, type PotBinding } from './pot.js';
import type { PreviousAllocations } from './previous.js';
import type { ProjectTable } from './projects.js';
import type { Province, Reference } from './reference.js';

export type Severity = 'info' | 'warning' | 'error';

/** One compliance finding (a row of checks.csv). */
export interface Check {
  readonly check: string;
  readonly severity: Severity;
  readonly rule: string;
  readonly clause: string;
  readonly scope: 'national' | 'province' | 'county' | 'project';
  /** Province or county code, project id, or '' for national findings. */
  readonly code: string;
  readonly name: string;
  readonly message: string;
  /** The figure that triggered the finding, as text. */
  readonly value: string;
  /** The threshold or expectation it was compared with, as text. */
  readonly threshold: string;
}

/** One fixed pot and what became of it. */
export interface PotRecord {
  readonly id: string;
  readonly fund: string;
  readonly level: 'central' | 'provincial' | 'pool';
  readonly provinceCode: string;
  readonly rule: string;
  readonly clause: string;
  readonly amount: Fen;
  readonly allocated: Fen;
  readonly unallocated: Fen;
  /** Why money was left unallocated, when it was. */
  readonly unallocatedReason: string;
  readonly recipients: number;
  readonly roundingFen: Fen;
}

/** One step of a derivation, for the audit log and `explain`. */
export interface Step {
  readonly type: 'rule_applied' | 'pot_allocated' | 'rounding' | 'check';
  readonly rule: string;
  readonly clause: string;
  /** 'national', a province code or a county code. */
  readonly subject: string;
  readonly label: string;
  /** Values in and out, all as text (money as yuan with two decimals). */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * A step about one unit (county or village) whose values are kept as two
 * lists in step, names and values (see AuditRecord.columns): the names are
 * shared by every unit of a kind, and a reader that takes the lists (the unit
 * blocks of a large run's audit log) never builds the `values` object.
 */
export class UnitStep implements Step {
  constructor(
    readonly type: Step['type'],
    readonly rule: string,
    readonly clause: string,
    readonly subject: string,
    readonly label: string,
    readonly columns: readonly string[],
    readonly cells: readonly string[],
    /** The maker vouches that no cell holds a character JSON escapes, tabs and line feeds among them (numbers it formatted, names of its own): see AuditRecord. */
    readonly cellsPlain = false,
  ) {}

  get values(): Record<string, string> {
    const values: Record<string, string> = {};
    for (let index = 0; index < this.columns.length; index++) values[this.columns[index]!] = this.cells[index]!;
    return values;
  }
}

/**
 * Steps a rule records for many units, made only when read (the audit log
 * reads them once, in order): a run over a million villages holds no step
 * object per village. `stepAt` must read only what no later rule changes.
 */
export class StepSeries implements Iterable<Step> {
  constructor(
    readonly length: number,
    private readonly stepAt: (index: number) => Step,
  ) {}

  /** The step of entry `index` (0 to length - 1), made now. */
  at(index: number): Step {
    return this.stepAt(index);
  }

  *[Symbol.iterator](): Iterator<Step> {
    for (let index = 0; index < this.length; index++) yield this.stepAt(index);
  }
}

/** One of the few kinds of step a UniformSeries's units take: a label and the cells (shared by every unit of the kind). */
export interface StepVariant {
  readonly label: string;
  readonly cells: readonly string[];
}

/**
 * A series of unit steps that differ only in their subject and in which of
 * a few variants (label and cells) each takes: the same type, rule, clause
 * and columns throughout (eligibility's reasons, assessment's grades). Its
 * steps are the UnitSteps `at` makes, as any series'; the unit blocks of a
 * large run's audit log are made from the subjects and variants themselves
 * (see withUnitBlocks), without a step object for each of a million units.
 * VARIANTS may grow while the rule applies; it is complete when read.
 */
export class UniformSeries extends StepSeries {
  constructor(
    length: number,
    readonly type: Step['type'],
    readonly rule: string,
    readonly clause: string,
    readonly columns: readonly string[],
    readonly variants: readonly StepVariant[],
    /** The subject of step `index`. */
    readonly subjectAt: (index: number) => string,
    /** Which of the variants step `index` takes. */
    readonly variantAt: (index: number) => number,
  ) {
    super(length, (index) => {
      const variant = variants[variantAt(index)]!;
      return new UnitStep(type, rule, clause, subjectAt(index), variant.label, columns, variant.cells);
    });
  }
}

/** A multiplier applied to a county's stage-2 score, with where it comes from. */
export interface ScoreMultiplier {
  readonly rule: string;
  readonly clause: string;
  readonly label: string;
  readonly value: Dec;
}

/** A minimum amount a rule guarantees a county in stage 2 (the policy floor applies besides). */
export interface CountyFloor {
  readonly rule: string;
  readonly clause: string;
  readonly label: string;
  readonly amount: Fen;
}

/** Who pays, from the top: the three levels above the county, and the county itself (project matching). */
export const PAYING_LEVELS = ['central', 'provincial', 'prefecture', 'county'] as const;
export type PayingLevel = (typeof PAYING_LEVELS)[number];

/**
 * An amount column a rule writes into `CountyState.amounts`, declared so that
 * the engine, the tables and the summary need no list of columns of their own.
 * - `transfer`: money paid to the county by one level (sums by paying level);
 * - `sum`: adds transfer columns of one fund up (`relocation`, `refund_total`);
 * - `memo`: a figure about money already counted elsewhere (asset income);
 * - `project`: project cost paid by one level (matching_waiver).
 */
export interface AmountColumn {
  readonly name: string;
  readonly rule: string;
  readonly fund: string;
  readonly kind: 'transfer' | 'sum' | 'memo' | 'project';
  readonly payingLevel?: PayingLevel;
  /** Paid out of the budget line (fund, payingLevel): counted in the fund accounts. */
  readonly fromBudget: boolean;
  /** Adds up to the row's `total` (special fund + relocation + refunds). */
  readonly inTotal: boolean;
  /** Which tables show it; province rows are sums over the province's counties. */
  readonly shownIn: 'both' | 'counties' | 'provinces';
}

/** One project after matching_waiver: amounts per level, all in fen, adding up to its cost. */
export interface ProjectResult {
  readonly projectId: string;
  readonly countyCode: string;
  readonly name: string;
  readonly publicWelfare: boolean;
  readonly stateArranged: boolean;
  readonly totalCost: Fen;
  readonly sharesFrom: 'policy' | 'row';
  readonly shares: ReadonlyMap<PayingLevel, Dec>;
  readonly standard: ReadonlyMap<PayingLevel, Fen>;
  readonly waivedCounty: Fen;
  readonly waivedPrefecture: Fen;
  readonly absorbed: ReadonlyMap<'central' | 'provincial', Fen>;
  readonly final: ReadonlyMap<PayingLevel, Fen>;
  /** Which waiver applied (projects.csv `rule_applied`). */
  readonly waiver: 'none' | 'county_waived' | 'county_prefecture_waived';
  readonly reason: string;
}

/** The year-on-year change of the central special fund (growth_check). */
export interface GrowthResult {
  readonly previousCentralTotal: Fen;
  /** Where the previous figure came from. */
  readonly source: string;
  readonly currentCentralTotal: Fen;
  readonly change: Fen;
  /** (current - previous) / previous, or undefined when previous is 0. */
  readonly changeRatio: Dec | undefined;
  readonly increased: boolean;
}

/**
 * Where stage 2 keeps a county's factor values, shares and scores (in exact
 * integer form, see factors.ts) until something reads them as decimals: a run
 * over half a million villages would otherwise build millions of decimal
 * objects nobody reads.
 */
export interface StageTwoScores {
  factorValues(index: number): Map<string, Dec>;
  factorShares(index: number): Map<string, Dec>;
  baseScore(index: number): Dec;
  score(index: number): Dec;
  /** formatDecimal(score(index), places), when the source can write it without building the decimal. */
  scoreText?(index: number, places: number): string;
}

export interface CountyState {
  readonly county: County;
  eligible: boolean;
  /** Why the county is eligible; shared between counties with the same reasons, so never changed in place. */
  eligibilityReasons: readonly string[];
  priorityProvince: boolean;
  /** Factor id to the county's factor value and its share within the province's eligible counties. */
  factorValues: Map<string, Dec>;
  factorShares: Map<string, Dec>;
  baseScore: Dec | undefined;
  focusMultiplier: Dec | undefined;
  /** Multipliers earlier rules set on the stage-2 score (see addScoreMultiplier). */
  readonly scoreMultipliers: readonly ScoreMultiplier[];
  /** Minimum stage-2 amounts set by rules (hold_harmless); stage 2 takes the largest with the policy floor. */
  readonly floors: readonly CountyFloor[];
  addScoreMultiplier(multiplier: ScoreMultiplier): void;
  addFloor(floor: CountyFloor): void;
  /** The floor stage 2 applied (policy floor or a rule's floor, whichever is larger). */
  appliedFloor: Fen | undefined;
  score: Dec | undefined;
  binding: PotBinding | undefined;
  /** Amount columns (column name to fen), written by rules; a column without a value is shown empty. */
  readonly amounts: FenMap;
  /** Stage 2 scored the county: its factor values, shares and scores are `source`'s, at `index`. */
  scoredBy(source: StageTwoScores, index: number): void;
  /** formatDecimal(score, places), or undefined without a score (a table row needs only the text). */
  scoreText(places: number): string | undefined;
}

const NONE: readonly never[] = Object.freeze([]);

/** A county's amounts by column: read as a map, written with set (and delete). */
export interface FenMap extends ReadonlyMap<string, Fen> {
  set(column: string, amount: Fen): this;
  delete(column: string): boolean;
}


/**
 * One amount column of every county: fen in a 64-bit slot, a flag for "has a
 * value", and the rare amount too large for 64 bits aside. The arrays are in
 * shared memory: a worker thread writing allocations.csv reads them where
 * they are instead of a copy.
 */
class AmountColumnStore {
  readonly fen: BigInt64Array;
  readonly present: Uint8Array;
  wide: Map<number, Fen> | undefined = undefined;
  constructor(size: number) {
    this.fen = new BigInt64Array(new SharedArrayBuffer(size * BigInt64Array.BYTES_PER_ELEMENT));
    this.present = new Uint8Array(new SharedArrayBuffer(size));
  }
}

/**
 * One kind of floor (a rule's, with its clause and label) of the counties of a
 * run that have it as their only extra (no multiplier, no other floor): the
 * amounts in 64-bit fen slots by the county's place in the store. With
 * --previous each of half a million eligible villages has its hold-harmless
 * guarantee; kept here, none has an object, a list and a floor of its own.
 * A county's list is made when read.
 */
class FloorColumn {
  readonly rule: string;
  readonly clause: string;
  readonly label: string;
  readonly fen: BigInt64Array;
  constructor(kind: CountyFloor, size: number) {
    this.rule = kind.rule;
    this.clause = kind.clause;
    this.label = kind.label;
    this.fen = new BigInt64Array(size);
  }

  isKindOf(floor: CountyFloor): boolean {
    return floor.rule === this.rule && floor.clause === this.clause && floor.label === this.label;
  }

  floorsOf(index: number): readonly CountyFloor[] {
    return [{ rule: this.rule, clause: this.clause, label: this.label, amount: this.fen[index]! }];
  }
}

/** An amount into its column's arrays: a 64-bit slot, or the column's map of wider amounts. */
function putAmount(column: AmountColumnStore, index: number, amount: Fen): void {
  column.present[index] = 1;
  if (fitsInt64(amount)) {
    column.fen[index] = amount;
    column.wide?.delete(index);
  } else {
    (column.wide ??= new Map()).set(index, amount);
  }
}

/**
 * The amount columns of all counties of a run, column by column (the order
 * in which columns were first written). A run over a million villages keeps
 * its amounts in a few flat arrays rather than a map and a handful of bigints
 * per village, which the garbage collector would otherwise walk again and
 * again.
 */
export class AmountStore {
  private readonly byName = new Map<string, AmountColumnStore>();
  private readonly stores: AmountColumnStore[] = [];
  readonly names: string[] = [];

  private readonly floorColumns: FloorColumn[] = [];

  constructor(readonly size: number) {}

  /** The column of floors of FLOOR's kind (same rule, clause and label), made when first asked for. */
  floorColumn(floor: CountyFloor): FloorColumn {
    let column = this.floorColumns.find((candidate) => candidate.isKindOf(floor));
    if (column === undefined) {
      column = new FloorColumn(floor, this.size);
      this.floorColumns.push(column);
    }
    return column;
  }

  private columnOf(name: string): AmountColumnStore {
    let column = this.byName.get(name);
    if (column === undefined) {
      column = new AmountColumnStore(this.size);
      this.byName.set(name, column);
      this.stores.push(column);
      this.names.push(name);
    }
    return column;
  }

  /**
   * A column's arrays as they are (fen slots, presence flags, and the amounts
   * too wide for a slot by county), or undefined when no county has a value
   * in it: for a reader that takes the whole column at once (a worker thread
   * writing allocations.csv). Not to be changed.
   */
  columnData(name: string): { readonly fen: BigInt64Array; readonly present: Uint8Array; readonly wide: ReadonlyMap<number, Fen> | undefined } | undefined {
    return this.byName.get(name);
  }

  get(name: string, index: number): Fen | undefined {
    const column = this.byName.get(name);
    if (column === undefined || column.present[index] === 0) return undefined;
    return column.wide?.get(index) ?? column.fen[index];
  }

  /** Each value of county `index`, with its column's name, in the order columns were first set (CountyAmounts.forEach without the view). */
  forEachOf(index: number, callback: (amount: Fen, column: string) => void): void {
    const names = this.names;
    for (let position = 0; position < names.length; position++) {
      const amount = this.at(position, index);
      if (amount !== undefined) callback(amount, names[position]!);
    }
  }

  /** The value of the column at `position` in `names`, for iteration. */
  at(position: number, index: number): Fen | undefined {
    const column = this.stores[position]!;
    if (column.present[index] === 0) return undefined;
    return column.wide?.get(index) ?? column.fen[index];
  }

  set(name: string, index: number, amount: Fen): void {
    putAmount(this.columnOf(name), index, amount);
  }

  /**
   * set for column NAME, which it makes now if it is new (as set would): for a
   * reader that sets one column row after row, without finding it by name
   * each time.
   */
  setterOf(name: string): (index: number, amount: Fen) => void {
    const column = this.columnOf(name);
    return (index, amount) => putAmount(column, index, amount);
  }

  /** Sets every county's value in column NAME (made if new) to VALUES, which has one for each county, all within 64 bits. */
  setColumn(name: string, values: BigInt64Array): void {
    if (values.length !== this.size) throw new RangeError(`a column of ${this.size} counties cannot be set from ${values.length} values`);
    const column = this.columnOf(name);
    column.fen.set(values);
    column.present.fill(1);
    column.wide = undefined;
  }

  /** Drops a column and every value in it. */
  deleteColumn(name: string): void {
    const column = this.byName.get(name);
    if (column === undefined) return;
    this.byName.delete(name);
    const position = this.stores.indexOf(column);
    this.stores.splice(position, 1);
    this.names.splice(position, 1);
  }

  delete(name: string, index: number): boolean {
    const column = this.byName.get(name);
    if (column === undefined || column.present[index] === 0) return false;
    column.present[index] = 0;
    column.fen[index] = 0n;
    column.wide?.delete(index);
    return true;
  }
}

const sharedStores = new WeakMap<readonly CountyState[], { readonly length: number; readonly store: AmountStore | undefined }>();

/**
 * The AmountStore holding the amounts of all of COUNTIES, each at its own
 * position in the list, when there is one (the counties of a run, in order):
 * a column can then be read whole from the store, without a view object per
 * county. Worked out once per list.
 */
export function sharedAmountStore(counties: readonly CountyState[]): AmountStore | undefined {
  const known = sharedStores.get(counties);
  if (known !== undefined && known.length === counties.length) return known.store;
  const first = counties[0];
  let store = first instanceof CountyRecord ? first.amountStore : undefined;
  if (store !== undefined && store.size !== counties.length) store = undefined;
  for (let index = 0; index < counties.length && store !== undefined; index++) {
    const countyState = counties[index];
    if (!(countyState instanceof CountyRecord) || countyState.amountStore !== store || countyState.amountIndex !== index) store = undefined;
  }
  sharedStores.set(counties, { length: counties.length, store });
  return store;
}

/**
 * How many of COUNTIES pass TEST: counted, not filtered into a list to take
 * its length. A list of half a million county states, grown as it is
 * filled, is made again and again in memory fresh from the system (a page
 * fault every 4 KB, about 11 us each on the machine this was measured on).
 */
export function countCounties(counties: readonly CountyState[], test: (countyState: CountyState) => boolean): number {
  let count = 0;
  for (const countyState of counties) if (test(countyState)) count++;
  return count;
}

/** Whether any of COUNTIES has a value in COLUMN. */
export function anyCountyHas(counties: readonly CountyState[], column: string): boolean {
  const store = sharedAmountStore(counties);
  if (store === undefined) return counties.some((countyState) => countyState.amounts.has(column));
  const data = store.columnData(column);
  return data !== undefined && data.present.includes(1);
}

/** Whether every one of COUNTIES has a value in COLUMN. */
export function everyCountyHas(counties: readonly CountyState[], column: string): boolean {
  const store = sharedAmountStore(counties);
  if (store === undefined) return counties.every((countyState) => countyState.amounts.has(column));
  const data = store.columnData(column);
  return data !== undefined && !data.present.includes(0);
}

/** The sum of COLUMN over COUNTIES (no value counts as 0). */
export function countiesColumnSum(counties: readonly CountyState[], column: string): Fen {
  const store = sharedAmountStore(counties);
  if (store === undefined) return counties.reduce((sum, countyState) => sum + (countyState.amounts.get(column) ?? 0n), 0n);
  const data = store.columnData(column);
  if (data === undefined) return 0n;
  const { fen, present, wide } = data;
  let sum = 0n;
  for (let index = 0; index < present.length; index++) if (present[index] !== 0) sum += wide?.get(index) ?? fen[index]!;
  return sum;
}

/** One county's amounts in an AmountStore, as a map (entries in the store's column order). */
export class CountyAmounts implements FenMap {
  constructor(
    readonly store: AmountStore,
    readonly index: number,
  ) {}

  get size(): number {
    let count = 0;
    for (let position = 0; position < this.store.names.length; position++) if (this.store.at(position, this.index) !== undefined) count++;
    return count;
  }

  get(column: string): Fen | undefined {
    return this.store.get(column, this.index);
  }

  has(column: string): boolean {
    return this.store.get(column, this.index) !== undefined;
  }

  set(column: string, amount: Fen): this {
    this.store.set(column, this.index, amount);
    return this;
  }

  delete(column: string): boolean {
    return this.store.delete(column, this.index);
  }

  forEach(callback: (amount: Fen, column: string, map: ReadonlyMap<string, Fen>) => void, thisArg?: unknown): void {
    this.store.forEachOf(this.index, (amount, column) => callback.call(thisArg, amount, column, this));
  }

  *entries(): MapIterator<[string, Fen]> {
    const names = this.store.names;
    for (let position = 0; position < names.length; position++) {
      const amount = this.store.at(position, this.index);
      if (amount !== undefined) yield [names[position]!, amount];
    }
  }

  *keys(): MapIterator<string> {
    for (const [column] of this.entries()) yield column;
  }

  *values(): MapIterator<Fen> {
    for (const [, amount] of this.entries()) yield amount;
  }

  [Symbol.iterator](): MapIterator<[string, Fen]> {
    return this.entries();
  }
}

/** Bits of a county's byte in CountyColumns.bits: eligible, priority province, the binding (0 none yet, 1 + its place in BINDINGS), an applied floor. */
const ELIGIBLE = 1;
const PRIORITY_PROVINCE = 2;
const BINDING_SHIFT = 2;
const BINDING_BITS = 7 << BINDING_SHIFT;
const HAS_APPLIED_FLOOR = 128;

/** Score multipliers and floors of earlier rules: most counties have none, and share this. */
interface Extras {
  readonly scoreMultipliers: readonly ScoreMultiplier[];
  readonly floors: readonly CountyFloor[];
}
const NO_EXTRAS: Extras = Object.freeze({ scoreMultipliers: NONE, floors: NONE });

/** In CountyColumns.extraIds: no extras, a county's own extras (in `ownExtras`); between them, 1 + the place of a FloorColumn in `floorKinds`. */
const NO_EXTRAS_ID = 0;
const OWN_EXTRAS_ID = 255;

/**
 * Values many counties share (reason lists, multipliers, stage-2 sources), each
 * numbered once by identity: a county keeps the number.
 */
class Numbered<T> {
  private readonly values: (T | undefined)[] = [undefined];
  private readonly numbers = new Map<T, number>();

  /** The number of VALUE (0 for undefined), numbering it if new. */
  numberOf(value: T | undefined): number {
    if (value === undefined) return 0;
    let number = this.numbers.get(value);
    if (number === undefined) {
      number = this.values.push(value) - 1;
      this.numbers.set(value, number);
    }
    return number;
  }

  valueOf(number: number): T | undefined {
    return this.values[number];
  }

  /** Every value by its number (0: undefined). */
  get all(): readonly (T | undefined)[] {
    return this.values;
  }
}

/**
 * What the rules record of each county of a run, column by column, at the
 * county's place in the run (its place in `counties`, and in the amount
 * store). A village table has a million counties: each keeps an object of
 * two fields (CountyRecord), not one of ten.
 */
class CountyColumns {
  readonly bits: Uint8Array;
  readonly reasonIds: Uint32Array;
  readonly reasons = new Numbered<readonly string[]>();
  readonly focusIds: Uint32Array;
  readonly focus = new Numbered<Dec>();
  readonly extraIds: Uint8Array;
  /** The store's floor columns that counties have as their only extra, by number (from 1). */
  readonly floorKinds: FloorColumn[] = [];
  readonly ownExtras = new Map<number, Extras>();
  readonly appliedFloors: BigInt64Array;
  /** Applied floors too large for 64 bits, by county. */
  wideFloors: Map<number, Fen> | undefined = undefined;
  readonly sourceIds: Uint32Array;
  readonly sources = new Numbered<StageTwoScores>();
  readonly sourceIndexes: Uint32Array;
  /** Whether a rule ever set stage-2 decimals on one of these counties (kept aside, see `decimalsSet`). */
  decimalsSetAside = false;

  constructor(
    /** The counties, by place (a run's are the county table's, in order). */
    readonly counties: readonly County[],
    /** Where the amounts live: the run's store, or (a county made alone) a map of its own. */
    readonly amounts: AmountStore | Map<string, Fen>,
  ) {
    const size = counties.length;
    this.bits = new Uint8Array(size);
    this.reasonIds = new Uint32Array(size);
    this.focusIds = new Uint32Array(size);
    this.extraIds = new Uint8Array(size);
    this.appliedFloors = new BigInt64Array(size);
    this.sourceIds = new Uint32Array(size);
    this.sourceIndexes = new Uint32Array(size);
  }

  extrasOf(index: number): Extras | FloorColumn {
    const id = this.extraIds[index]!;
    if (id === NO_EXTRAS_ID) return NO_EXTRAS;
    if (id === OWN_EXTRAS_ID) return this.ownExtras.get(index)!;
    return this.floorKinds[id - 1]!;
  }

  setExtras(index: number, extras: Extras | FloorColumn): void {
    this.ownExtras.delete(index);
    if (extras === NO_EXTRAS) {
      this.extraIds[index] = NO_EXTRAS_ID;
      return;
    }
    if (extras instanceof FloorColumn) {
      let at = this.floorKinds.indexOf(extras);
      if (at === -1 && this.floorKinds.length < OWN_EXTRAS_ID - 1) at = this.floorKinds.push(extras) - 1;
      if (at !== -1) {
        this.extraIds[index] = at + 1;
        return;
      }
      extras = { scoreMultipliers: NONE, floors: extras.floorsOf(index) };
    }
    this.extraIds[index] = OWN_EXTRAS_ID;
    this.ownExtras.set(index, extras);
  }
}

/** The columns of the counties whose records a test makes one by one in a store of its own (see CountyRecord.inStore). */
const columnsOfStore = new WeakMap<AmountStore, { readonly columns: CountyColumns; readonly counties: County[] }>();

/**
 * A county's state: its place in the run's columns (see CountyColumns); the
 * stage-2 figures are built as decimals when first read (see `StageTwoScores`).
 */
export class CountyRecord implements CountyState {
  private constructor(
    private readonly columns: CountyColumns,
    /** The county's place in the run, and in its amount store. */
    readonly amountIndex: number,
  ) {}

  /** The states of a run's counties (in order), their amounts in one store at their places in the list. */
  static ofRun(counties: readonly County[]): CountyRecord[] {
    const columns = new CountyColumns(counties, new AmountStore(counties.length));
    return counties.map((_, index) => new CountyRecord(columns, index));
  }

  /** A county's state with its amounts at INDEX in STORE, among others made so with the same store (the same columns). */
  static inStore(county: County, store: AmountStore, index: number): CountyRecord {
    let entry = columnsOfStore.get(store);
    if (entry === undefined) {
      const counties = new Array<County>(store.size);
      entry = { columns: new CountyColumns(counties, store), counties };
      columnsOfStore.set(store, entry);
    }
    entry.counties[index] = county;
    return new CountyRecord(entry.columns, index);
  }

  /** A county's state on its own, its amounts in a map of its own. */
  static alone(county: County): CountyRecord {
    return new CountyRecord(new CountyColumns([county], new Map<string, Fen>()), 0);
  }

  /** The columns a record keeps its fields in (see runColumnsOf); undefined for any other county state. */
  static columnsOf(countyState: CountyState): CountyColumns | undefined {
    return countyState instanceof CountyRecord ? countyState.columns : undefined;
  }

  /** A rule set stage-2 decimals on this county (see setDecimals). */
  noteDecimalsSet(): void {
    this.columns.decimalsSetAside = true;
  }

  get county(): County {
    return this.columns.counties[this.amountIndex]!;
  }

  /** A view of the county's amounts in the store (made on each reading: a million villages keep no view object each). */
  get amounts(): FenMap {
    const source = this.columns.amounts;
    return source instanceof AmountStore ? new CountyAmounts(source, this.amountIndex) : source;
  }

  /** The store the amounts live in, if they do (see sharedAmountStore). */
  get amountStore(): AmountStore | undefined {
    const source = this.columns.amounts;
    return source instanceof AmountStore ? source : undefined;
  }

  private get bits(): number {
    return this.columns.bits[this.amountIndex]!;
  }
  private set bits(bits: number) {
    this.columns.bits[this.amountIndex] = bits;
  }

  get eligible(): boolean {
    return (this.bits & ELIGIBLE) !== 0;
  }
  set eligible(eligible: boolean) {
    this.bits = eligible ? this.bits | ELIGIBLE : this.bits & ~ELIGIBLE;
  }
  get priorityProvince(): boolean {
    return (this.bits & PRIORITY_PROVINCE) !== 0;
  }
  set priorityProvince(priority: boolean) {
    this.bits = priority ? this.bits | PRIORITY_PROVINCE : this.bits & ~PRIORITY_PROVINCE;
  }
  get binding(): PotBinding | undefined {
    const code = (this.bits & BINDING_BITS) >> BINDING_SHIFT;
    return code === 0 ? undefined : BINDINGS[code - 1];
  }
  set binding(binding: PotBinding | undefined) {
    const code = binding === undefined ? 0 : BINDINGS.indexOf(binding) + 1;
    this.bits = (this.bits & ~BINDING_BITS) | (code << BINDING_SHIFT);
  }

  get eligibilityReasons(): readonly string[] {
    return this.columns.reasons.valueOf(this.columns.reasonIds[this.amountIndex]!) ?? NONE;
  }
  set eligibilityReasons(reasons: readonly string[]) {
    this.columns.reasonIds[this.amountIndex] = this.columns.reasons.numberOf(reasons);
  }

  get focusMultiplier(): Dec | undefined {
    return this.columns.focus.valueOf(this.columns.focusIds[this.amountIndex]!);
  }
  set focusMultiplier(multiplier: Dec | undefined) {
    this.columns.focusIds[this.amountIndex] = this.columns.focus.numberOf(multiplier);
  }

  get appliedFloor(): Fen | undefined {
    if ((this.bits & HAS_APPLIED_FLOOR) === 0) return undefined;
    return this.columns.wideFloors?.get(this.amountIndex) ?? this.columns.appliedFloors[this.amountIndex]!;
  }
  set appliedFloor(floor: Fen | undefined) {
    const columns = this.columns;
    const index = this.amountIndex;
    columns.wideFloors?.delete(index);
    if (floor === undefined) {
      this.bits &= ~HAS_APPLIED_FLOOR;
      columns.appliedFloors[index] = 0n;
      return;
    }
    this.bits |= HAS_APPLIED_FLOOR;
    if (fitsInt64(floor)) columns.appliedFloors[index] = floor;
    else (columns.wideFloors ??= new Map()).set(index, floor);
  }

  get scoreMultipliers(): readonly ScoreMultiplier[] {
    const extras = this.columns.extrasOf(this.amountIndex);
    return extras instanceof FloorColumn ? NONE : extras.scoreMultipliers;
  }
  get floors(): readonly CountyFloor[] {
    const extras = this.columns.extrasOf(this.amountIndex);
    return extras instanceof FloorColumn ? extras.floorsOf(this.amountIndex) : extras.floors;
  }

  // A new list each time (a list once set is never changed: stage 2 keeps multipliers as they are), made by concat,
  // which sizes it exactly: a spread into a literal leaves room for some 16 elements, about 130 bytes more each.
  addScoreMultiplier(multiplier: ScoreMultiplier): void {
    this.columns.setExtras(this.amountIndex, { scoreMultipliers: this.scoreMultipliers.concat(multiplier), floors: this.floors });
  }

  // Floors are only ever added, after those there are (stage 2 counts them: see special-poverty-counties.ts).
  addFloor(floor: CountyFloor): void {
    const columns = this.columns;
    const index = this.amountIndex;
    const store = columns.amounts;
    if (columns.extraIds[index] === NO_EXTRAS_ID && store instanceof AmountStore && fitsInt64(floor.amount)) {
      const column = store.floorColumn(floor);
      column.fen[index] = floor.amount;
      columns.setExtras(index, column);
    } else columns.setExtras(index, { scoreMultipliers: this.scoreMultipliers, floors: this.floors.concat(floor) });
  }

  scoredBy(source: StageTwoScores, index: number): void {
    this.columns.sourceIds[this.amountIndex] = this.columns.sources.numberOf(source);
    this.columns.sourceIndexes[this.amountIndex] = index;
    decimalsSet.delete(this);
  }

  private get source(): StageTwoScores | undefined {
    return this.columns.sources.valueOf(this.columns.sourceIds[this.amountIndex]!);
  }
  private get sourceIndex(): number {
    return this.columns.sourceIndexes[this.amountIndex]!;
  }

  // Stage 2's figures as decimals, built on each reading (nothing in a run reads them more than
  // once; a million villages keep no decimals each). A rule that sets one keeps it aside.
  get factorValues(): Map<string, Dec> {
    const source = this.source;
    return decimalsSet.get(this)?.values ?? (source ? source.factorValues(this.sourceIndex) : new Map());
  }
  set factorValues(values: Map<string, Dec>) {
    setDecimals(this, { values });
  }
  get factorShares(): Map<string, Dec> {
    const source = this.source;
    return decimalsSet.get(this)?.shares ?? (source ? source.factorShares(this.sourceIndex) : new Map());
  }
  set factorShares(shares: Map<string, Dec>) {
    setDecimals(this, { shares });
  }
  get baseScore(): Dec | undefined {
    const set = decimalsSet.get(this);
    if (set && 'base' in set) return set.base;
    return this.source?.baseScore(this.sourceIndex);
  }
  set baseScore(base: Dec | undefined) {
    setDecimals(this, { base });
  }
  get score(): Dec | undefined {
    const set = decimalsSet.get(this);
    if (set && 'weighted' in set) return set.weighted;
    return this.source?.score(this.sourceIndex);
  }
  set score(weighted: Dec | undefined) {
    setDecimals(this, { weighted });
  }
  scoreText(places: number): string | undefined {
    const source = this.source;
    if (!decimalsSet.has(this) && source?.scoreText) return source.scoreText(this.sourceIndex, places);
    const score = this.score;
    return score === undefined ? undefined : formatDecimal(score, places);
  }
}

/** Stage-2 decimals a rule set on a county (rare: kept aside rather than in a field of every county). */
interface SetDecimals {
  values?: Map<string, Dec>;
  shares?: Map<string, Dec>;
  base?: Dec | undefined;
  weighted?: Dec | undefined;
}
const decimalsSet = new WeakMap<CountyRecord, SetDecimals>();

function setDecimals(county: CountyRecord, decimals: SetDecimals): void {
  county.noteDecimalsSet();
  decimalsSet.set(county, { ...decimalsSet.get(county), ...decimals });
}

/**
 * What the rules recorded of every county of a run, column by column, for a
 * reader of every county (allocations.csv's snapshot), which then calls no
 * getter of each county: `bits[index]` holds COUNTY_ELIGIBLE and
 * COUNTY_PRIORITY_PROVINCE and the binding (`bindingOfBits`), `focusIds`
 * the number of the county's focus multiplier (0: none).
 */
export interface RunColumns {
  /** The counties, by place (the table's list). */
  readonly counties: readonly County[];
  readonly bits: Uint8Array;
  readonly focusIds: Uint32Array;
  /** The focus multipliers by their number in `focusIds` (0: none). */
  readonly focusMultipliers: readonly (Dec | undefined)[];
  /** What `scoreText(places)` of the county at INDEX gives. */
  scoreText(index: number, places: number): string | undefined;
}

export const COUNTY_ELIGIBLE = ELIGIBLE;
export const COUNTY_PRIORITY_PROVINCE = PRIORITY_PROVINCE;

/** The binding a county's bits in `RunColumns.bits` hold. */
export function bindingOfBits(bits: number): PotBinding | undefined {
  const code = (bits & BINDING_BITS) >> BINDING_SHIFT;
  return code === 0 ? undefined : BINDINGS[code - 1];
}

/**
 * What each getter of the county at `index` of COUNTIES reads, at `index`:
 * the records' own columns when they are the records of one run in their
 * places (as `CountyRecord.ofRun` makes them, or `inStore` at every place of
 * a store), else columns gathered from the getters.
 */
export function runColumnsOf(counties: readonly CountyState[]): RunColumns {
  const columns = sharedAmountStore(counties) === undefined ? undefined : CountyRecord.columnsOf(counties[0]!);
  if (columns === undefined || columns.counties.length !== counties.length || counties.some((countyState) => CountyRecord.columnsOf(countyState) !== columns)) {
    return gatheredRunColumns(counties);
  }
  const { bits, focusIds, focus, sourceIds, sources, sourceIndexes } = columns;
  return {
    counties: columns.counties,
    bits,
    focusIds,
    focusMultipliers: focus.all,
    scoreText: (index, places) => {
      // A county whose decimals a rule set reads them (CountyRecord.scoreText); none has, in a run of the core's rules.
      if (columns.decimalsSetAside) return counties[index]!.scoreText(places);
      const source = sources.valueOf(sourceIds[index]!);
      if (source === undefined) return undefined;
      const at = sourceIndexes[index]!;
      return source.scoreText ? source.scoreText(at, places) : formatDecimal(source.score(at), places);
    },
  };
}

/** RunColumns of any county states, read through their getters. */
function gatheredRunColumns(counties: readonly CountyState[]): RunColumns {
  const bits = new Uint8Array(counties.length);
  const focusIds = new Uint32Array(counties.length);
  const focus = new Numbered<Dec>();
  counties.forEach((countyState, index) => {
    const binding = countyState.binding;
    bits[index] =
      (countyState.eligible ? ELIGIBLE : 0) |
      (countyState.priorityProvince ? PRIORITY_PROVINCE : 0) |
      ((binding === undefined ? 0 : BINDINGS.indexOf(binding) + 1) << BINDING_SHIFT);
    focusIds[index] = focus.numberOf(countyState.focusMultiplier);
  });
  return {
    counties: counties.map((countyState) => countyState.county),
    bits,
    focusIds,
    focusMultipliers: focus.all,
    scoreText: (index, places) => counties[index]!.scoreText(places),
  };
}

export interface ProvinceState {
  readonly province: Province;
  readonly counties: CountyState[];
  eligibleCounties: number;
  poorPopulation: Dec;
  ruralPopulation: Dec;
  incidence: Dec;
  priority: boolean;
  priorityReasons: string[];
  /** Aggregated county figures by column. */
  aggregates: Map<string, Dec>;
  factorValues: Map<string, Dec>;
  factorShares: Map<string, Dec>;
  score: Dec | undefined;
  stageOneShare: Dec | undefined;
  amounts: Map<string, Fen>;
}

export interface RunInputs {
  readonly counties: CountyTable;
  readonly budget: Budget;
  readonly policy: Policy;
  readonly reference: Reference;
  /** Projects for matching_waiver (--projects), when given. */
  readonly projects?: ProjectTable;
  /** Last year's allocations.csv (--previous), when given. */
  readonly previous?: PreviousAllocations;
  /** Display names of the input files, for problems and checks. */
  readonly files: { readonly counties: string; readonly budget: string; readonly projects?: string; readonly previous?: string };
  /**
   * Record the derivation steps (default true). A sweep turns it off: it
   * needs the amounts of thousands of runs, not their derivations. Amounts
   * and checks never depend on it.
   */
  readonly trace?: boolean;
}

/** Told how an allocation advances (a progress bar); nothing it is told changes the run. */
export interface AllocationObserver {
  /** A rule begins: its id, and its place among the rules (from 1). */
  rule?(id: string, number: number, count: number): void;
  /** A rule that works province by province (stage 2) has done so many of them. */
  provinces?(done: number, count: number): void;
}

export interface RunState {
  readonly inputs: RunInputs;
  /** Told how the run advances, if anyone asked (see `allocate`). */
  readonly observer?: AllocationObserver;
  /** In county-code order. */
  readonly counties: CountyState[];
  readonly countyByCode: Map<string, CountyState>;
  /** In province-code order. */
  readonly provinces: ProvinceState[];
  readonly provinceByCode: Map<string, ProvinceState>;
  readonly checks: Check[];
  readonly pots: PotRecord[];
  /** In the order the rules made them; a series stands for its steps, in order. */
  readonly steps: (Step | StepSeries)[];
  /** Budget lines a rule has taken (by budget key). */
  readonly consumedBudgetLines: Set<string>;
  /** Rules that did not run and why (e.g. a column is absent). */
  readonly skippedRules: { rule: string; clause: string; reason: string }[];
  /** Amount columns in output order, as the rules declared them. */
  readonly amountColumns: AmountColumn[];
  /** One entry per project, sorted by project id (matching_waiver). */
  readonly projects: ProjectResult[];
  /** Set by growth_check when a previous figure is known. */
  growth: GrowthResult | undefined;
}

/** Every step of a run in order, each series read out into its steps. */
export function* eachStep(steps: readonly (Step | StepSeries)[]): Generator<Step> {
  for (const step of steps) {
    if (step instanceof StepSeries) yield* step;
    else yield step;
  }
}

/** Declares an amount column (once; a second declaration of the same name is ignored). */
export function declareColumn(state: RunState, column: AmountColumn): void {
  if (!state.amountColumns.some((existing) => existing.name === column.name)) state.amountColumns.push(column);
}

/** Whether rules should record steps (see `RunInputs.trace`). */
export function tracing(state: RunState): boolean {
  return state.inputs.trace !== false;
}
