/**
 * The policy file: every number the rules use, each with a unit, a one-line
 * description and the clause id it comes from. Validated on load with zod:
 * unknown keys and wrong types are rejected with the JSON path.
 *
 * Numeric values are written as strings ("0.45", "2000000.00") so that no
 * binary floating point ever touches them.
 */
import * as z from 'zod';
import type { AssessmentGrade } from './counties.js';
import { decimal, parseYuan, ONE, type Dec, type Fen } from './money.js';
import type { Problem } from './problems.js';
import type { Region } from './reference.js';
import { PAYING_LEVELS, type PayingLevel } from './state.js';

// zod compiles each object schema into a function (new Function) the first time it parses with it, which pays back
// over many parses; a run parses one policy (and verify one manifest). Without it the first parse of the
// benchmark's policy took 4.7-5.0 ms instead of 13.0-13.9 ms (3 processes each, alternated), and a second parse
// 0.8-0.9 ms either way, so a sweep, which parses one per scenario, is no slower. Same results: only how zod
// walks the schema changes.
z.config({ jitless: true });

/** The grammar of decimal and money parameter values (also what `--set` checks them against). */
export const DECIMAL_STRING = /^\d+(\.\d+)?$/;
export const MONEY_STRING = /^\d+(\.\d{1,2})?$/;
const CLAUSE = /^(I|II|III|IV)(\.\d+)?$/;

const clause = z.string().regex(CLAUSE, 'a clause id such as "IV.2"');
const text = z.string().min(1);

/** A decimal parameter: value as a decimal string. */
export const decimalParameter = z.strictObject({
  value: z.string().regex(DECIMAL_STRING, 'a decimal written as a string, e.g. "0.45"'),
  unit: text,
  description: text,
  clause,
});

/** A money parameter: yuan with at most two decimals, as a string. */
export const moneyParameter = z.strictObject({
  value: z.string().regex(MONEY_STRING, 'an amount in yuan written as a string, e.g. "2000000.00"'),
  unit: z.enum(['yuan', 'yuan per person']),
  description: text,
  clause,
});

export const booleanParameter = z.strictObject({
  value: z.boolean(),
  unit: z.literal('yes/no'),
  description: text,
  clause,
});

const columnName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a column name in snake_case');

const factorDefinition = z.strictObject({
  numerator: columnName,
  denominator: columnName.optional(),
  description: text,
});

const aggregation = z.union([
  z.strictObject({ method: z.literal('sum'), description: text.optional() }),
  z.strictObject({ method: z.literal('weighted_mean'), weight: columnName, description: text.optional() }),
]);

export const ELIGIBILITY_FLAGS = ['poverty_county', 'key_county', 'contiguous_area'] as const;
export const FOCUS_FLAGS = ['contiguous_area', 'key_county', 'old_revolutionary_base', 'ethnic_minority_area', 'border_area'] as const;
export type FocusFlag = (typeof FOCUS_FLAGS)[number];

const weights = z.record(z.string(), decimalParameter);

/** Cost shares (or absorption shares) per level: decimals adding up to exactly 1. */
const levelShares = z.strictObject({
  central: decimalParameter,
  provincial: decimalParameter,
  prefecture: decimalParameter,
  county: decimalParameter,
});

const regionFlags = z.strictObject({ east: booleanParameter, central: booleanParameter, west: booleanParameter });
const refundLevels = z.strictObject({ central: booleanParameter, provincial: booleanParameter, prefecture: booleanParameter });

export const policySchema = z.strictObject({
  schema_version: z.literal(1),
  name: text,
  title: text,
  year: z.number().int().min(2000).max(2100),
  description: text,
  funds: z.record(columnName, z.strictObject({ description: text, clause })),
  eligibility: z.strictObject({
    clause,
    description: text,
    any_of: z.array(z.enum(ELIGIBILITY_FLAGS)).min(1),
  }),
  priority_province: z.strictObject({
    clause,
    description: text,
    poor_population_exceeds: decimalParameter,
    incidence_exceeds: decimalParameter,
  }),
  special_poverty: z.strictObject({
    clause,
    description: text,
    fund: columnName,
    factors: z.record(columnName, factorDefinition),
    renormalise_weights: booleanParameter,
    province: z.strictObject({
      description: text,
      aggregation: z.record(columnName, aggregation),
      weights,
      priority_multiplier: decimalParameter,
    }),
    county: z.strictObject({
      description: text,
      weights,
      focus_multipliers: z.strictObject({
        contiguous_area: decimalParameter,
        key_county: decimalParameter,
        old_revolutionary_base: decimalParameter,
        ethnic_minority_area: decimalParameter,
        border_area: decimalParameter,
      }),
      multiplier_cap: decimalParameter,
      floor: moneyParameter,
      cap_share: decimalParameter,
    }),
  }),
  assessment: z.strictObject({
    clause,
    description: text,
    multipliers: z.strictObject({
      excellent: decimalParameter,
      good: decimalParameter,
      fair: decimalParameter,
      poor: decimalParameter,
      failed: decimalParameter,
      missing: decimalParameter,
    }),
  }),
  hold_harmless: z.strictObject({
    clause,
    description: text,
    share_of_previous: decimalParameter,
  }),
  growth_check: z.strictObject({
    clause,
    description: text,
    minimum_increase: decimalParameter,
    previous_central_total: moneyParameter.optional(),
  }),
  provincial_effort: z.strictObject({
    clause,
    description: text,
    minimum_share: decimalParameter,
  }),
  asset_income: z.strictObject({
    clause,
    description: text,
    share_invested: decimalParameter,
  }),
  refund: z.strictObject({
    clause,
    description: text,
    contiguous_area: refundLevels,
    key_county_outside_areas: refundLevels,
  }),
  relocation: z.strictObject({
    clause,
    description: text,
    fund: columnName,
    standard_per_person: z.strictObject({ east: moneyParameter, central: moneyParameter, west: moneyParameter }),
  }),
  matching_waiver: z.strictObject({
    clause,
    description: text,
    standard_shares: levelShares,
    waive_county_share: booleanParameter,
    waive_prefecture_share_in: regionFlags,
    absorbed_by: z.strictObject({ central: decimalParameter, provincial: decimalParameter }),
  }),
});

/** The policy as written in its JSON file. */
export type PolicyDocument = z.infer<typeof policySchema>;

export interface FactorSpec {
  readonly id: string;
  readonly numerator: string;
  readonly denominator: string | undefined;
  readonly description: string;
}

export interface Aggregation {
  readonly method: 'sum' | 'weighted_mean';
  readonly weight?: string;
}

/** The policy with every value turned into the type the rules compute with. */
export interface Policy {
  readonly document: PolicyDocument;
  readonly eligibilityFlags: readonly (typeof ELIGIBILITY_FLAGS)[number][];
  readonly priorityPoorPopulationExceeds: Dec;
  readonly priorityIncidenceExceeds: Dec;
  readonly specialFund: string;
  readonly factors: readonly FactorSpec[];
  readonly provinceWeights: ReadonlyMap<string, Dec>;
  readonly countyWeights: ReadonlyMap<string, Dec>;
  readonly aggregation: ReadonlyMap<string, Aggregation>;
  readonly priorityMultiplier: Dec;
  readonly focusMultipliers: ReadonlyMap<FocusFlag, Dec>;
  readonly multiplierCap: Dec;
  readonly countyFloor: Fen;
  readonly countyCapShare: Dec;
  /** Every county column a factor or aggregation reads. */
  readonly factorColumns: readonly string[];
  readonly funds: readonly string[];
  /** assessment: stage-2 score multiplier by grade ('missing' when the cell is empty). */
  readonly assessmentMultipliers: ReadonlyMap<AssessmentGrade | 'missing', Dec>;
  /** hold_harmless: share of last year's special-fund total each eligible county is guaranteed. */
  readonly holdHarmlessShare: Dec;
  /** growth_check: the central special fund must grow by more than this ratio. */
  readonly growthMinimumIncrease: Dec;
  /** growth_check: last year's central special fund, when the policy states it. */
  readonly previousCentralTotal: Fen | undefined;
  /** provincial_effort: a province's own special line should be at least this share of its central grant. */
  readonly provincialEffortMinimumShare: Dec;
  /** asset_income: share of each county's special fund invested in asset-income projects (0: off). */
  readonly assetIncomeShare: Dec;
  /** refund: levels refunded in full to contiguous-area counties and to key counties outside the areas. */
  readonly refundLevelsContiguous: ReadonlySet<RefundLevel>;
  readonly refundLevelsKeyCounty: ReadonlySet<RefundLevel>;
  /** relocation: the fund and the per-person standard by region, in fen. */
  readonly relocationFund: string;
  readonly relocationStandards: ReadonlyMap<Region, Fen>;
  /** matching_waiver. */
  readonly matchingStandardShares: ReadonlyMap<PayingLevel, Dec>;
  readonly waiveCountyShare: boolean;
  readonly waivePrefectureShareIn: ReadonlySet<Region>;
  readonly absorbedBy: ReadonlyMap<AbsorbingLevel, Dec>;
}

export const REFUND_LEVELS = ['central', 'provincial', 'prefecture'] as const;
export type RefundLevel = (typeof REFUND_LEVELS)[number];
export const ABSORBING_LEVELS = ['central', 'provincial'] as const;
export type AbsorbingLevel = (typeof ABSORBING_LEVELS)[number];
const REGIONS: readonly Region[] = ['east', 'central', 'west'];

function zodProblems(file: string, error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({
    file,
    line: 0,
    column: issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)',
    message: issue.message,
  }));
}

function checkWeights(
  file: string,
  path: string,
  weightMap: Record<string, { value: string }>,
  factorIds: readonly string[],
  renormalise: boolean,
): { problems: Problem[]; weights: Map<string, Dec> } {
  const problems: Problem[] = [];
  const result = new Map<string, Dec>();
  for (const id of Object.keys(weightMap).sort()) {
    if (!factorIds.includes(id)) {
      problems.push({ file, line: 0, column: `${path}.${id}`, message: `no factor "${id}" is defined in special_poverty.factors (defined: ${factorIds.join(', ')})` });
    }
  }
  let total = decimal('0');
  for (const id of factorIds) {
    const entry = weightMap[id];
    const value = entry ? decimal(entry.value) : decimal('0');
    result.set(id, value);
    total = total.plus(value);
  }
  if (total.isZero()) {
    problems.push({ file, line: 0, column: path, message: 'the weights add up to 0: at least one factor needs a positive weight' });
  } else if (!total.equals(ONE)) {
    if (renormalise) {
      for (const [id, value] of result) result.set(id, value.div(total));
    } else {
      problems.push({
        file,
        line: 0,
        column: path,
        message: `the weights add up to ${total.toFixed()}, not 1; fix them or set special_poverty.renormalise_weights to true`,
      });
    }
  }
  return { problems, weights: result };
}

/** Validates a parsed policy JSON value; returns the compiled policy or every problem found. */
export function compilePolicy(file: string, raw: unknown): { policy?: Policy; problems: Problem[] } {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) return { problems: zodProblems(file, parsed.error) };
  return compileCheckedPolicy(file, parsed.data);
}

/**
 * `compilePolicy` for a document already known to match the schema (a
 * checked policy whose parameter values were replaced by values of the same
 * grammar, as sweep points are): the checks beyond the schema (weights, cap
 * share, thresholds) and the conversion, without parsing the whole
 * document again.
 */
export function compileCheckedPolicy(file: string, document: PolicyDocument): { policy?: Policy; problems: Problem[] } {
  const special = document.special_poverty;
  const problems: Problem[] = [];

  const funds = Object.keys(document.funds).sort();
  if (!funds.includes(special.fund)) {
    problems.push({ file, line: 0, column: 'special_poverty.fund', message: `fund "${special.fund}" is not listed in funds (${funds.join(', ')})` });
  }
  const factorIds = Object.keys(special.factors).sort();
  if (factorIds.length === 0) problems.push({ file, line: 0, column: 'special_poverty.factors', message: 'at least one factor is needed' });
  const renormalise = special.renormalise_weights.value;
  const province = checkWeights(file, 'special_poverty.province.weights', special.province.weights, factorIds, renormalise);
  const county = checkWeights(file, 'special_poverty.county.weights', special.county.weights, factorIds, renormalise);
  problems.push(...province.problems, ...county.problems);

  const capShare = decimal(special.county.cap_share.value);
  if (capShare.isZero() || capShare.greaterThan(1)) {
    problems.push({ file, line: 0, column: 'special_poverty.county.cap_share.value', message: `must be above 0 and at most 1, got ${special.county.cap_share.value}` });
  }
  const incidenceThreshold = decimal(document.priority_province.incidence_exceeds.value);
  if (incidenceThreshold.greaterThan(1)) {
    problems.push({ file, line: 0, column: 'priority_province.incidence_exceeds.value', message: `must be a ratio between 0 and 1, got ${document.priority_province.incidence_exceeds.value}` });
  }

  const factors: FactorSpec[] = factorIds.map((id) => {
    const definition = special.factors[id]!;
    return { id, numerator: definition.numerator, denominator: definition.denominator, description: definition.description };
  });
  const aggregationMap = new Map<string, Aggregation>();
  for (const column of Object.keys(special.province.aggregation).sort()) {
    const entry = special.province.aggregation[column]!;
    aggregationMap.set(column, entry.method === 'weighted_mean' ? { method: 'weighted_mean', weight: entry.weight } : { method: 'sum' });
  }
  const columns = new Set<string>();
  for (const factor of factors) {
    columns.add(factor.numerator);
    if (factor.denominator) columns.add(factor.denominator);
  }
  for (const column of [...columns]) {
    const entry = aggregationMap.get(column);
    if (entry?.weight) columns.add(entry.weight);
  }

  const focusMultipliers = new Map<FocusFlag, Dec>();
  for (const flag of FOCUS_FLAGS) focusMultipliers.set(flag, decimal(special.county.focus_multipliers[flag].value));

  const ratioAtMostOne = (path: string, value: string): Dec => {
    const parsed = decimal(value);
    if (parsed.greaterThan(1)) problems.push({ file, line: 0, column: `${path}.value`, message: `must be between 0 and 1, got ${value}` });
    return parsed;
  };
  const sharesAddingToOne = <L extends string>(path: string, entries: Record<L, { value: string }>, levels: readonly L[]): Map<L, Dec> => {
    const shares = new Map<L, Dec>();
    let total = decimal('0');
    for (const level of levels) {
      const share = ratioAtMostOne(`${path}.${level}`, entries[level].value);
      shares.set(level, share);
      total = total.plus(share);
    }
    if (!total.equals(ONE)) problems.push({ file, line: 0, column: path, message: `the shares add up to ${total.toFixed()}, not exactly 1` });
    return shares;
  };

  const assessmentMultipliers = new Map<AssessmentGrade | 'missing', Dec>();
  for (const grade of ['excellent', 'good', 'fair', 'poor', 'failed', 'missing'] as const) {
    const value = decimal(document.assessment.multipliers[grade].value);
    if (value.isZero()) problems.push({ file, line: 0, column: `assessment.multipliers.${grade}.value`, message: 'must be greater than 0' });
    assessmentMultipliers.set(grade, value);
  }
  const holdHarmlessShare = ratioAtMostOne('hold_harmless.share_of_previous', document.hold_harmless.share_of_previous.value);
  const assetIncomeShare = ratioAtMostOne('asset_income.share_invested', document.asset_income.share_invested.value);
  const refundLevels = (entry: PolicyDocument['refund']['contiguous_area']): Set<RefundLevel> =>
    new Set(REFUND_LEVELS.filter((level) => entry[level].value));
  const relocation = document.relocation;
  if (!funds.includes(relocation.fund)) {
    problems.push({ file, line: 0, column: 'relocation.fund', message: `fund "${relocation.fund}" is not listed in funds (${funds.join(', ')})` });
  }
  if (relocation.fund === special.fund) {
    problems.push({ file, line: 0, column: 'relocation.fund', message: `must differ from special_poverty.fund ("${special.fund}")` });
  }
  const relocationStandards = new Map<Region, Fen>();
  for (const region of REGIONS) relocationStandards.set(region, parseYuan(relocation.standard_per_person[region].value) ?? 0n);
  const matching = document.matching_waiver;
  const matchingStandardShares = sharesAddingToOne('matching_waiver.standard_shares', matching.standard_shares, PAYING_LEVELS);
  const absorbedBy = sharesAddingToOne('matching_waiver.absorbed_by', matching.absorbed_by, ABSORBING_LEVELS);
  const previousCentralText = document.growth_check.previous_central_total?.value;

  if (problems.length > 0) return { problems };
  const countyFloor = parseYuan(special.county.floor.value);
  if (countyFloor === null) return { problems: [{ file, line: 0, column: 'special_poverty.county.floor.value', message: 'not an amount in yuan' }] };
  return {
    problems: [],
    policy: {
      document,
      eligibilityFlags: document.eligibility.any_of,
      priorityPoorPopulationExceeds: decimal(document.priority_province.poor_population_exceeds.value),
      priorityIncidenceExceeds: incidenceThreshold,
      specialFund: special.fund,
      factors,
      provinceWeights: province.weights,
      countyWeights: county.weights,
      aggregation: aggregationMap,
      priorityMultiplier: decimal(special.province.priority_multiplier.value),
      focusMultipliers,
      multiplierCap: decimal(special.county.multiplier_cap.value),
      countyFloor,
      countyCapShare: capShare,
      factorColumns: [...columns].sort(),
      funds,
      assessmentMultipliers,
      holdHarmlessShare,
      growthMinimumIncrease: decimal(document.growth_check.minimum_increase.value),
      previousCentralTotal: previousCentralText === undefined ? undefined : (parseYuan(previousCentralText) ?? undefined),
      provincialEffortMinimumShare: decimal(document.provincial_effort.minimum_share.value),
      assetIncomeShare,
      refundLevelsContiguous: refundLevels(document.refund.contiguous_area),
      refundLevelsKeyCounty: refundLevels(document.refund.key_county_outside_areas),
      relocationFund: relocation.fund,
      relocationStandards,
      matchingStandardShares,
      waiveCountyShare: matching.waive_county_share.value,
      waivePrefectureShareIn: new Set(REGIONS.filter((region) => matching.waive_prefecture_share_in[region].value)),
      absorbedBy,
    },
  };
}
