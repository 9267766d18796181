/**
 * Rule `provincial_effort`, clause IV.2. A report; runs after stage 1.
 *
 * Seed: "Increase the central and provincial financial input for poverty
 * alleviation." A province is expected to match the central grant with its
 * own money: when its provincial special_poverty line is below the policy's
 * share (default 0.20) of the central special fund it receives in stage 1,
 * checks.csv gets a warning giving both figures. Provinces that receive no
 * central money are not checked.
 *
 * Example: a province receives 1,000,000,000.00 from the centre; the
 * threshold is 200,000,000.00. An own line of 150,000,000.00 (0.15) gets a
 * warning, short by 50,000,000.00; 200,000,000.00 exactly does not.
 */
import { provincialAmounts } from '../budget.js';
import { decimalFromBigInt, floorToFen, formatDecimal, formatYuan } from '../money.js';
import type { Rule } from './rule.js';
import { SPECIAL_CENTRAL } from './special-poverty-provinces.js';
import { tracing } from '../state.js';

const RULE = 'provincial_effort';
const CLAUSE = 'IV.2';

export const provincialEffort: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Provincial matching of the central grant',
  seed: 'Increase the central and provincial financial input for poverty alleviation.',
  apply(state) {
    const policy = state.inputs.policy;
    const minimumShare = policy.provincialEffortMinimumShare;
    const ownLines = provincialAmounts(state.inputs.budget, policy.specialFund);
    for (const province of state.provinces) {
      const central = province.amounts.get(SPECIAL_CENTRAL) ?? 0n;
      if (central === 0n) continue;
      const own = ownLines.get(province.province.code) ?? 0n;
      const required = decimalFromBigInt(central).times(minimumShare);
      const ratio = decimalFromBigInt(own).div(decimalFromBigInt(central));
      const met = !decimalFromBigInt(own).lessThan(required);
      if (tracing(state)) state.steps.push({
        type: 'rule_applied',
        rule: RULE,
        clause: CLAUSE,
        subject: province.province.code,
        label: met ? 'provincial effort met' : 'provincial effort below the minimum',
        values: {
          central_grant: formatYuan(central),
          own_line: formatYuan(own),
          ratio: formatDecimal(ratio, 6),
          minimum_share: minimumShare.toFixed(),
        },
      });
      if (met) continue;
      // The threshold in fen, rounded up, so that "short by" is never understated.
      const requiredFloor = floorToFen(required);
      const requiredFen = decimalFromBigInt(requiredFloor).lessThan(required) ? requiredFloor + 1n : requiredFloor;
      state.checks.push({
        check: 'provincial_effort',
        severity: 'warning',
        rule: RULE,
        clause: CLAUSE,
        scope: 'province',
        code: province.province.code,
        name: province.province.nameZh,
        message: `own ${policy.specialFund} line ${formatYuan(own)} yuan is ${formatDecimal(ratio, 4)} of the ${formatYuan(central)} yuan received from the centre, below ${minimumShare.toFixed()} (short by ${formatYuan(requiredFen - own)})`,
        value: formatDecimal(ratio, 6),
        threshold: minimumShare.toFixed(),
      });
    }
  },
};
