/**
 * The factor method (因素法): a unit's share is the weighted sum of its shares
 * of several factors. A factor is a county column, optionally divided by
 * another; for provinces the columns are first aggregated over all counties.
 */
import type { County } from './counties.js';
import { sumDecimals, ZERO, type Dec } from './money.js';
import type { Aggregation, FactorSpec, Policy } from './policy.js';
import { InputError, type Problem } from './problems.js';

/** Aggregates one column over counties: a sum, or a weighted mean. */
export function aggregateColumn(counties: readonly County[], column: string, aggregation: Aggregation | undefined): Dec {
  const figure = (county: County, name: string): Dec => county.figures.get(name) ?? ZERO;
  if (aggregation?.method === 'weighted_mean' && aggregation.weight) {
    const weightColumn = aggregation.weight;
    const totalWeight = sumDecimals(counties.map((county) => figure(county, weightColumn)));
    if (totalWeight.isZero()) return ZERO;
    return sumDecimals(counties.map((county) => figure(county, column).times(figure(county, weightColumn)))).div(totalWeight);
  }
  return sumDecimals(counties.map((county) => figure(county, column)));
}

/** A factor's value from figures (numerator, or numerator / denominator). */
export function factorValue(factor: FactorSpec, figure: (column: string) => Dec): Dec | undefined {
  const numerator = figure(factor.numerator);
  if (!factor.denominator) return numerator;
  const denominator = figure(factor.denominator);
  if (denominator.isZero()) return undefined;
  return numerator.div(denominator);
}

/** County factor values; a zero denominator is an input problem naming the cell. */
export function countyFactorValues(county: County, policy: Policy, file: string): Map<string, Dec> {
  const values = new Map<string, Dec>();
  const problems: Problem[] = [];
  for (const factor of policy.factors) {
    const value = factorValue(factor, (column) => county.figures.get(column) ?? ZERO);
    if (value === undefined) {
      problems.push({ file, line: county.line, column: factor.denominator, message: `is 0, but factor ${factor.id} divides by it` });
      continue;
    }
    values.set(factor.id, value);
  }
  if (problems.length > 0) throw new InputError(problems);
  return values;
}

/**
 * Shares of each factor across units and the weighted score of each unit.
 * A factor whose total is 0 gives every unit a share of 0.
 */
export function weightedScores(
  unitFactorValues: readonly ReadonlyMap<string, Dec>[],
  factors: readonly FactorSpec[],
  weights: ReadonlyMap<string, Dec>,
): { shares: Map<string, Dec>[]; scores: Dec[] } {
  const totals = new Map<string, Dec>();
  for (const factor of factors) {
    totals.set(factor.id, sumDecimals(unitFactorValues.map((values) => values.get(factor.id) ?? ZERO)));
  }
  const shares = unitFactorValues.map((values) => {
    const unitShares = new Map<string, Dec>();
    for (const factor of factors) {
      const total = totals.get(factor.id)!;
      unitShares.set(factor.id, total.isZero() ? ZERO : (values.get(factor.id) ?? ZERO).div(total));
    }
    return unitShares;
  });
  const scores = shares.map((unitShares) =>
    sumDecimals(factors.map((factor) => (unitShares.get(factor.id) ?? ZERO).times(weights.get(factor.id) ?? ZERO))),
  );
  return { shares, scores };
}
