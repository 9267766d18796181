import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { County } from '../src/core/counties.js';
import { decimal, type Dec } from '../src/core/money.js';
import { BINDINGS, type PotBinding } from '../src/core/pot.js';
import { bindingOfBits, COUNTY_ELIGIBLE, COUNTY_PRIORITY_PROVINCE, CountyRecord, runColumnsOf, type CountyFloor, type CountyState, type StageTwoScores } from '../src/core/state.js';

// A run's county records keep what the rules set in columns shared by the run (CountyRecord.ofRun); a record made
// alone keeps columns of its own. Whatever is set, in whatever order, both must read back what a plain model of
// the fields holds.

const COUNT = 4;
const counties = Array.from({ length: COUNT }, (_, index) => ({ code: `52011${index}` }) as County);
const REASONS: readonly (readonly string[])[] = [Object.freeze(['poverty_county']), Object.freeze(['key_county', 'contiguous_area 乌蒙山区']), Object.freeze([])];
const MULTIPLIERS: readonly Dec[] = [decimal('1.15'), decimal('1.3'), decimal('1.5')];
const FLOORS = [0n, 12_345n, 2n ** 70n];

function scores(name: string): StageTwoScores {
  return {
    factorValues: (index) => new Map([[name, decimal(index)]]),
    factorShares: (index) => new Map([[name, decimal(index + 1)]]),
    baseScore: (index) => decimal(index + 2),
    score: (index) => decimal(index + 3),
    scoreText: (index, places) => `${name}:${index}:${places}`,
  };
}
const SOURCES = [scores('a'), scores('b')];

/** What a rule may do to a county's state, as data: applied to a record and to the plain model below. */
type Operation =
  | { readonly set: 'eligible' | 'priorityProvince'; readonly value: boolean }
  | { readonly set: 'binding'; readonly value: PotBinding | undefined }
  | { readonly set: 'eligibilityReasons'; readonly value: readonly string[] }
  | { readonly set: 'focusMultiplier'; readonly value: Dec | undefined }
  | { readonly set: 'appliedFloor'; readonly value: bigint | undefined }
  | { readonly add: 'floor'; readonly value: CountyFloor }
  | { readonly add: 'multiplier'; readonly value: Dec }
  | { readonly scoredBy: number; readonly index: number }
  | { readonly score: Dec };

const operation: fc.Arbitrary<{ county: number; operation: Operation }> = fc.record({
  county: fc.nat(COUNT - 1),
  operation: fc.oneof(
    fc.record({ set: fc.constantFrom('eligible' as const, 'priorityProvince' as const), value: fc.boolean() }),
    fc.record({ set: fc.constant('binding' as const), value: fc.option(fc.constantFrom(...BINDINGS), { nil: undefined }) }),
    fc.record({ set: fc.constant('eligibilityReasons' as const), value: fc.constantFrom(...REASONS) }),
    fc.record({ set: fc.constant('focusMultiplier' as const), value: fc.option(fc.constantFrom(...MULTIPLIERS), { nil: undefined }) }),
    fc.record({ set: fc.constant('appliedFloor' as const), value: fc.option(fc.constantFrom(...FLOORS), { nil: undefined }) }),
    fc.record({ rule: fc.constantFrom('hold_harmless', 'other'), amount: fc.constantFrom(...FLOORS) }).map(({ rule, amount }) => ({ add: 'floor' as const, value: { rule, clause: 'IV.2', label: `${rule} floor`, amount } })),
    fc.constantFrom(...MULTIPLIERS).map((value) => ({ add: 'multiplier' as const, value })),
    fc.record({ scoredBy: fc.nat(SOURCES.length - 1), index: fc.nat(1_000) }),
    fc.constant({ score: decimal('7.25') }),
  ),
});

function apply(state: CountyState, operation: Operation): void {
  if ('set' in operation) (state as unknown as Record<string, unknown>)[operation.set] = operation.value;
  else if ('add' in operation) {
    if (operation.add === 'floor') state.addFloor(operation.value);
    else state.addScoreMultiplier({ rule: 'assessment', clause: 'IV.3', label: 'grade', value: operation.value });
  } else if ('scoredBy' in operation) state.scoredBy(SOURCES[operation.scoredBy]!, operation.index);
  else state.score = operation.score;
}

/** What a county's state should read as: every field kept as it was set, nothing shared. */
interface Model {
  eligible: boolean;
  priorityProvince: boolean;
  binding: PotBinding | undefined;
  eligibilityReasons: readonly string[];
  focusMultiplier: Dec | undefined;
  appliedFloor: bigint | undefined;
  floors: CountyFloor[];
  multipliers: Dec[];
  source: StageTwoScores | undefined;
  index: number;
  score: Dec | undefined;
}

/** The reasons of a county no rule has looked at (read back as an empty list, not this one). */
const NO_REASONS_SET: readonly string[] = [];

function model(): Model {
  return { eligible: false, priorityProvince: false, binding: undefined, eligibilityReasons: NO_REASONS_SET, focusMultiplier: undefined, appliedFloor: undefined, floors: [], multipliers: [], source: undefined, index: 0, score: undefined };
}

function applyToModel(state: Model, operation: Operation): void {
  if ('set' in operation) (state as unknown as Record<string, unknown>)[operation.set] = operation.value;
  else if ('add' in operation) {
    if (operation.add === 'floor') state.floors.push(operation.value);
    else state.multipliers.push(operation.value);
  } else if ('scoredBy' in operation) {
    state.source = SOURCES[operation.scoredBy];
    state.index = operation.index;
    state.score = undefined;
  } else state.score = operation.score;
}

const texts = (map: Map<string, Dec>): [string, string][] => [...map].map(([name, value]) => [name, value.toFixed()]);

function seen(state: CountyState): unknown {
  return {
    code: state.county.code,
    eligible: state.eligible,
    priorityProvince: state.priorityProvince,
    binding: state.binding,
    eligibilityReasons: state.eligibilityReasons,
    focusMultiplier: state.focusMultiplier?.toFixed(),
    appliedFloor: state.appliedFloor,
    floors: state.floors,
    scoreMultipliers: state.scoreMultipliers.map((multiplier) => multiplier.value.toFixed()),
    factorValues: texts(state.factorValues),
    factorShares: texts(state.factorShares),
    baseScore: state.baseScore?.toFixed(),
    score: state.score?.toFixed(),
    scoreText: state.scoreText(4),
  };
}

function seenInModel(county: County, state: Model): unknown {
  const source = state.source;
  const score = state.score ?? source?.score(state.index);
  return {
    code: county.code,
    eligible: state.eligible,
    priorityProvince: state.priorityProvince,
    binding: state.binding,
    eligibilityReasons: state.eligibilityReasons,
    focusMultiplier: state.focusMultiplier?.toFixed(),
    appliedFloor: state.appliedFloor,
    floors: state.floors,
    scoreMultipliers: state.multipliers.map((value) => value.toFixed()),
    factorValues: source ? texts(source.factorValues(state.index)) : [],
    factorShares: source ? texts(source.factorShares(state.index)) : [],
    baseScore: source?.baseScore(state.index).toFixed(),
    score: score?.toFixed(),
    scoreText: state.score === undefined && source ? source.scoreText!(state.index, 4) : score?.toFixed(4),
  };
}

/** What runColumnsOf reads of each county (the fields a reader of every county takes from the columns). */
function seenInColumns(states: readonly CountyState[]): unknown[] {
  const columns = runColumnsOf(states);
  return states.map((_, index) => {
    const bits = columns.bits[index]!;
    return {
      code: columns.counties[index]!.code,
      eligible: (bits & COUNTY_ELIGIBLE) !== 0,
      priorityProvince: (bits & COUNTY_PRIORITY_PROVINCE) !== 0,
      binding: bindingOfBits(bits),
      focusMultiplier: columns.focusMultipliers[columns.focusIds[index]!]?.toFixed(),
      scoreText: columns.scoreText(index, 4),
    };
  });
}

const COLUMN_FIELDS = ['code', 'eligible', 'priorityProvince', 'binding', 'focusMultiplier', 'scoreText'] as const;

describe('county records', () => {
  it('of a run, and made alone, read back what the rules set, by getter and by column (property)', () => {
    const check = (operations: readonly { county: number; operation: Operation }[]): void => {
      const run = CountyRecord.ofRun(counties);
      const alone = counties.map((county) => CountyRecord.alone(county));
      const models = counties.map(model);
      for (const { county, operation } of operations) {
        apply(run[county]!, operation);
        apply(alone[county]!, operation);
        applyToModel(models[county]!, operation);
      }
      const expected = counties.map((county, index) => seenInModel(county, models[index]!));
      expect(run.map(seen)).toEqual(expected);
      expect(alone.map(seen)).toEqual(expected);
      // Read column by column: the run's own columns, or (records made alone) columns gathered from the getters.
      const expectedInColumns = expected.map((fields) => Object.fromEntries(COLUMN_FIELDS.map((name) => [name, (fields as Record<string, unknown>)[name]])));
      expect(seenInColumns(run)).toEqual(expectedInColumns);
      expect(seenInColumns(alone)).toEqual(expectedInColumns);
      // Shared lists and decimals come back as the very objects set.
      run.forEach((state, index) => {
        if (models[index]!.eligibilityReasons !== NO_REASONS_SET) expect(state.eligibilityReasons).toBe(models[index]!.eligibilityReasons);
        expect(state.focusMultiplier).toBe(models[index]!.focusMultiplier);
      });
    };
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        check(operations);
        // A score a rule sets is kept aside and read from the county: without one, the run's columns are read alone.
        check(operations.filter(({ operation }) => !('score' in operation)));
      }),
    );
  });

  it('of a run start with nothing set, keep their county, and share one amount store at their places', () => {
    const run = CountyRecord.ofRun(counties);
    run.forEach((state, index) => {
      expect(state.county).toBe(counties[index]);
      expect(state.amountIndex).toBe(index);
      expect(state.amountStore).toBe(run[0]!.amountStore);
      expect(seen(state)).toEqual(seen(CountyRecord.alone(counties[index]!)));
      expect(state.eligibilityReasons).toEqual([]);
      expect(state.appliedFloor).toBeUndefined();
    });
    expect(CountyRecord.alone(counties[0]!).amountStore).toBeUndefined();
  });

  it('of a run keep a lone floor of any of 300 kinds (more kinds than a county numbers in a byte)', () => {
    const many = Array.from({ length: 300 }, (_, index) => ({ code: String(520100 + index) }) as County);
    const run = CountyRecord.ofRun(many);
    const floorOf = (index: number): CountyFloor => ({ rule: `rule_${index}`, clause: 'IV.2', label: `floor ${index}`, amount: BigInt(index) * 100n });
    run.forEach((state, index) => state.addFloor(floorOf(index)));
    run.forEach((state, index) => expect(state.floors).toEqual([floorOf(index)]));
    // A second floor after the first, on a county past the 254th kind and on one before.
    for (const index of [3, 299]) {
      run[index]!.addFloor(floorOf(0));
      expect(run[index]!.floors).toEqual([floorOf(index), floorOf(0)]);
    }
    expect(run[298]!.floors).toEqual([floorOf(298)]);
  });
});
