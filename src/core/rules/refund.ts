/**
 * Rule `refund`, clause I.1. An entitlement, not a pot.
 *
 * Seed: "the central, provincial and municipal governments implement the
 * policy of full refund of county-level finance to counties in concentrated
 * contiguous poverty-stricken areas; For the key counties in the national
 * poverty alleviation and development work outside the region, the central
 * government will implement the policy of returning the county-level finance
 * in full." A county in a contiguous area gets back everything it remitted
 * upward (remitted_central, remitted_provincial, remitted_prefecture); a key
 * county outside the areas gets back what it remitted to the centre; other
 * counties nothing (the levels are policy keys). The totals per paying level
 * are the budget impact on each level. A remitted_* column absent from
 * counties.csv leaves its refund column empty and is reported in checks.csv
 * and summary.json: never silent zeros.
 *
 * Example: a western contiguous-area county that remitted 1,000,000.00 /
 * 400,000.00 / 100,000.00 gets refund_central 1,000,000.00, refund_provincial
 * 400,000.00, refund_prefecture 100,000.00; an eastern key county outside the
 * areas with the same remittances gets 1,000,000.00 / 0.00 / 0.00.
 */
import type { RemittedColumn } from '../counties.js';
import { formatYuan, type Fen } from '../money.js';
import { REFUND_LEVELS, type RefundLevel } from '../policy.js';
import { declareColumn, tracing, type RunState } from '../state.js';
import { withRememberedOutcome } from './remembered.js';
import { skipRule, type Rule } from './rule.js';

const RULE = 'refund';
const CLAUSE = 'I.1';
export const REFUND_TOTAL = 'refund_total';

export function refundColumn(level: RefundLevel): string {
  return `refund_${level}`;
}

function remittedColumn(level: RefundLevel): RemittedColumn {
  return `remitted_${level}`;
}

export const refund: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Full refund of county-level finance',
  seed: 'The central, provincial and municipal governments implement the policy of full refund of county-level finance to counties in concentrated contiguous poverty-stricken areas; for the key counties outside the region, the central government will implement the policy of returning the county-level finance in full.',
  apply(state) {
    for (const level of REFUND_LEVELS) {
      declareColumn(state, { name: refundColumn(level), rule: RULE, fund: RULE, kind: 'transfer', payingLevel: level, fromBudget: false, inTotal: true, shownIn: 'both' });
    }
    declareColumn(state, { name: REFUND_TOTAL, rule: RULE, fund: RULE, kind: 'sum', fromBudget: false, inTotal: false, shownIn: 'provinces' });

    const columns = state.inputs.counties.columns;
    const present = REFUND_LEVELS.filter((level) => columns.has(remittedColumn(level)));
    const absent = REFUND_LEVELS.filter((level) => !columns.has(remittedColumn(level)));
    if (present.length === 0) {
      skipRule(state, refund, `counties.csv has none of the columns ${absent.map(remittedColumn).join(', ')}: no refund computed`, 'warning');
      return;
    }
    for (const level of absent) {
      skipRule(state, refund, `counties.csv has no ${remittedColumn(level)} column: ${refundColumn(level)} not computed`, 'warning');
    }

    // The rule reads nothing but the county table and which levels each kind of county gets back: a sweep's later
    // points with the same levels write the first one's outcome (see remembered.ts).
    const policy = state.inputs.policy;
    const key = `${[...policy.refundLevelsContiguous].join(',')}|${[...policy.refundLevelsKeyCounty].join(',')}`;
    withRememberedOutcome(state, RULE, key, [...present.map(refundColumn), REFUND_TOTAL], () => refundAll(state, present));
  },
};

/** Each county's refunds at the levels PRESENT in the table, and their total. */
function refundAll(state: RunState, present: readonly RefundLevel[]): void {
  const policy = state.inputs.policy;
  const traced = tracing(state);
  // The column names made once (a sweep applies the rule to every county at every point).
  const names = present.map((level) => ({ level, remitted: remittedColumn(level), refund: refundColumn(level) }));
  const none = new Set<RefundLevel>();
  for (const countyState of state.counties) {
    const county = countyState.county;
    const inArea = county.contiguousArea !== '';
    const levels = inArea ? policy.refundLevelsContiguous : county.keyCounty ? policy.refundLevelsKeyCounty : none;
    let total: Fen = 0n;
    const remitted = county.remitted;
    for (const { level, remitted: remittedName, refund: refundName } of names) {
      const amount = levels.has(level) ? (remitted[remittedName] ?? 0n) : 0n;
      countyState.amounts.set(refundName, amount);
      total += amount;
    }
    countyState.amounts.set(REFUND_TOTAL, total);
    if (!traced) continue;
    const category = inArea ? `contiguous area ${county.contiguousArea}` : county.keyCounty ? 'key county outside the contiguous areas' : 'neither in a contiguous area nor a key county';
    const values: Record<string, string> = { category };
    for (const level of present) {
      values[remittedColumn(level)] = formatYuan(county.remitted[remittedColumn(level)] ?? 0n);
      values[refundColumn(level)] = formatYuan(countyState.amounts.get(refundColumn(level))!);
    }
    values['refund_total'] = formatYuan(total);
    state.steps.push({
      type: 'rule_applied',
      rule: RULE,
      clause: CLAUSE,
      subject: county.code,
      label: levels.size === 0 ? 'no refund' : `refund of remitted revenue: ${[...levels].join(', ')}`,
      values,
    });
  }
}
