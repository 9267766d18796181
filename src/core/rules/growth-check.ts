/**
 * Rule `growth_check`, clause IV.2. A report, not an allocation.
 *
 * Seed: "The scale of the special poverty alleviation funds of the central
 * government will maintain a large increase every year." This year's central
 * special_poverty line is compared with last year's central special fund:
 * the policy's `growth_check.previous_central_total` when it is set, else the
 * sum of special_poverty_central in the `--previous` allocations.csv (what was
 * paid out last year). The change goes to checks.csv and summary.json: info
 * when it grows by more than the minimum (default: any increase), a warning
 * when it does not. Without either figure the rule reports that it did not run.
 *
 * Example: 2016 central fund 66,095,000,000.00 (660.95 亿元), 2017 line
 * 86,095,000,000.00: change +20,000,000,000.00, ratio 0.302595 (+30.26%),
 * info. A 2017 line equal to 2016's gives change 0.00 and a warning.
 */
import { centralAmount } from '../budget.js';
import { decimalFromBigInt, formatDecimal, formatYuan } from '../money.js';
import { skipRule, type Rule } from './rule.js';
import { tracing } from '../state.js';

const RULE = 'growth_check';
const CLAUSE = 'IV.2';

export const growthCheck: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Growth of the central special fund',
  seed: 'The scale of the special poverty alleviation funds of the central government will maintain a large increase every year.',
  apply(state) {
    const policy = state.inputs.policy;
    let previous: bigint;
    let source: string;
    if (policy.previousCentralTotal !== undefined) {
      previous = policy.previousCentralTotal;
      source = 'policy growth_check.previous_central_total';
    } else if (state.inputs.previous) {
      previous = state.inputs.previous.centralTotal;
      source = 'sum of special_poverty_central in the previous allocations (--previous)';
    } else {
      skipRule(state, growthCheck, 'last year\'s central special fund is unknown: give --previous or set growth_check.previous_central_total in the policy');
      return;
    }
    const current = centralAmount(state.inputs.budget, policy.specialFund);
    const change = current - previous;
    const changeRatio = previous === 0n ? undefined : decimalFromBigInt(change).div(decimalFromBigInt(previous));
    const increased = change > 0n && (changeRatio === undefined || changeRatio.greaterThan(policy.growthMinimumIncrease));
    state.growth = { previousCentralTotal: previous, source, currentCentralTotal: current, change, changeRatio, increased };
    const ratioText = changeRatio === undefined ? 'n/a' : formatDecimal(changeRatio, 6);
    const percentText = changeRatio === undefined ? '' : ` (${change >= 0n ? '+' : ''}${formatDecimal(changeRatio.times(100), 2)}%)`;
    const minimum = policy.growthMinimumIncrease.toFixed();
    if (tracing(state)) state.steps.push({
      type: 'rule_applied',
      rule: RULE,
      clause: CLAUSE,
      subject: 'national',
      label: increased ? 'the central special fund grows' : 'the central special fund does not grow as required',
      values: { previous: formatYuan(previous), source, current: formatYuan(current), change: formatYuan(change), change_ratio: ratioText, minimum_increase: minimum },
    });
    state.checks.push({
      check: 'growth',
      severity: increased ? 'info' : 'warning',
      rule: RULE,
      clause: CLAUSE,
      scope: 'national',
      code: '',
      name: '',
      message: `central ${policy.specialFund} ${formatYuan(current)} yuan against ${formatYuan(previous)} last year (${source}): change ${formatYuan(change)}${percentText}${increased ? '' : `, not an increase of more than ${minimum}`}`,
      value: ratioText,
      threshold: `> ${minimum}`,
    });
  },
};
