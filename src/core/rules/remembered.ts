/**
 * A rule's outcome remembered across untraced runs (a sweep's points): a
 * rule whose result depends only on the county table, the budget and a few
 * policy values (named by a key) writes, in a later run with the same
 * ones, what it wrote the first time instead of working it out again. Only
 * what such a rule writes is kept: each county's amounts in its columns
 * (every county has one in each), the pots and checks it added (read-only
 * records, shared) and the budget lines it used. Traced runs never use it:
 * their steps are made afresh.
 */
import type { County } from '../counties.js';
import { sharedAmountStore, tracing, type Check, type PotRecord, type RunState } from '../state.js';

interface Outcome {
  readonly counties: readonly County[];
  /** Each column's amounts, county by county. */
  readonly amounts: readonly BigInt64Array[];
  readonly pots: readonly PotRecord[];
  readonly checks: readonly Check[];
  readonly consumed: readonly string[];
}

/** Outcomes kept per rule, county table and budget: a sweep varies one thing at a time, most often not the rule's. */
const OUTCOMES_KEPT = 2;
const outcomes = new Map<string, WeakMap<object, WeakMap<object, Map<string, Outcome>>>>();

/**
 * Runs WORK, the rule RULE writing the amount COLUMNS of every county, or,
 * in an untraced run whose county table, budget and KEY (the policy values
 * the rule reads, as text) are those of an earlier one, writes that run's
 * outcome instead. The outputs are the same either way.
 */
export function withRememberedOutcome(state: RunState, rule: string, key: string, columns: readonly string[], work: () => void): void {
  if (tracing(state)) {
    work();
    return;
  }
  let byTable = outcomes.get(rule);
  if (byTable === undefined) outcomes.set(rule, (byTable = new WeakMap()));
  let byBudget = byTable.get(state.inputs.counties);
  if (byBudget === undefined) byTable.set(state.inputs.counties, (byBudget = new WeakMap()));
  let kept = byBudget.get(state.inputs.budget);
  if (kept === undefined) byBudget.set(state.inputs.budget, (kept = new Map()));
  const outcome = kept.get(key);
  if (outcome !== undefined && replay(state, outcome, columns)) return;
  const firstPot = state.pots.length;
  const firstCheck = state.checks.length;
  const consumedBefore = new Set(state.consumedBudgetLines);
  work();
  const made = record(state, columns, firstPot, firstCheck, consumedBefore);
  if (made === undefined) return;
  if (kept.size >= OUTCOMES_KEPT) kept.delete(kept.keys().next().value!);
  kept.set(key, made);
}

function record(state: RunState, columns: readonly string[], firstPot: number, firstCheck: number, consumedBefore: ReadonlySet<string>): Outcome | undefined {
  const amounts = columns.map(() => new BigInt64Array(state.counties.length));
  for (let index = 0; index < state.counties.length; index++) {
    const countyAmounts = state.counties[index]!.amounts;
    for (let column = 0; column < columns.length; column++) {
      const amount = countyAmounts.get(columns[column]!);
      // A county without an amount in a column, or one beyond 64 bits (no table holds one), is not remembered.
      if (amount === undefined || amount !== BigInt.asIntN(64, amount)) return undefined;
      amounts[column]![index] = amount;
    }
  }
  return {
    counties: state.counties.map((countyState) => countyState.county),
    amounts,
    pots: state.pots.slice(firstPot),
    checks: state.checks.slice(firstCheck),
    consumed: [...state.consumedBudgetLines].filter((line) => !consumedBefore.has(line)),
  };
}

/** Writes a remembered outcome into this run, when its counties are the same in the same order; false (nothing written) otherwise. */
function replay(state: RunState, outcome: Outcome, columns: readonly string[]): boolean {
  const counties = state.counties;
  if (counties.length !== outcome.counties.length || counties.some((countyState, index) => countyState.county !== outcome.counties[index])) return false;
  const amounts = outcome.amounts;
  // Columns are made in the order the rules write them (the first county's, column by column).
  const store = sharedAmountStore(counties);
  if (store !== undefined) {
    for (let column = 0; column < columns.length; column++) store.setColumn(columns[column]!, amounts[column]!);
  } else {
    for (let index = 0; index < counties.length; index++) {
      const countyAmounts = counties[index]!.amounts;
      for (let column = 0; column < columns.length; column++) countyAmounts.set(columns[column]!, amounts[column]![index]!);
    }
  }
  for (const pot of outcome.pots) state.pots.push(pot);
  for (const check of outcome.checks) state.checks.push(check);
  for (const line of outcome.consumed) state.consumedBudgetLines.add(line);
  return true;
}
