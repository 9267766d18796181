/**
 * The policy file: every number the rules use, each with a unit, a one-line
 * description and the clause id it comes from. Validated on load with zod:
 * unknown keys and wrong types are rejected with the JSON path.
 *
 * Numeric values are written as strings ("0.45", "2000000.00") so that no
 * binary floating point ever touches them.
 */
import { z } from 'zod';
import { decimal, parseYuan, ONE, type Dec, type Fen } from './money.js';
import type { Problem } from './problems.js';

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
  unit: z.literal('yuan'),
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
}

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
    },
  };
}
