/**
 * Rule `special_poverty_provinces`, clause IV.2 (stage 1 of the factor method).
 *
 * Seed: "The scale of the special poverty alleviation funds of the central
 * government will maintain a large increase every year, and the general
 * transfer payment funds ... will further tilt towards poor areas and poor
 * people." The central special_poverty line is shared among the provinces
 * that have at least one eligible county. Each province's factor values come
 * from aggregates over all its counties (sums; per-capita figures as
 * rural-population-weighted means); its score is the weighted sum of its
 * factor shares, times the priority multiplier for priority provinces; the
 * line is then shared in proportion to the scores (renormalised) and rounded
 * to the fen by largest remainder.
 *
 * Example: two provinces, one factor (poverty scale, weight 1), poor 300 and
 * 100, the first a priority province (x1.2): scores 0.9 and 0.25; a line of
 * 1,150.00 yuan splits 900.00 / 250.00.
 */
import { budgetKey, centralAmount } from '../budget.js';
import { formatDecimal, formatYuan, ONE, ZERO } from '../money.js';
import { allocatePot } from '../pot.js';
import { provinceFactorShares, scoresFromShares } from '../factors.js';
import { tracing } from '../state.js';
import type { Rule } from './rule.js';

export const SPECIAL_CENTRAL = 'special_poverty_central';

export const specialPovertyProvinces: Rule = {
  id: 'special_poverty_provinces',
  clause: 'IV.2',
  title: 'Special fund, stage 1: central line to provinces',
  seed: 'The scale of the special poverty alleviation funds of the central government will maintain a large increase every year, and the general transfer payment funds ... further tilt towards poor areas and poor people.',
  apply(state) {
    const policy = state.inputs.policy;
    const fund = policy.specialFund;
    const line = centralAmount(state.inputs.budget, fund);
    state.consumedBudgetLines.add(budgetKey(fund, 'central', ''));

    const recipientIndexes = state.provinces.flatMap((province, index) => (province.eligibleCounties > 0 ? [index] : []));
    // Values and shares depend only on the aggregates (cached per county table): remembered across runs.
    const { values, shares } = provinceFactorShares(
      state.provinces.map((province) => province.aggregates),
      recipientIndexes,
      policy.factors,
    );
    state.provinces.forEach((province, index) => {
      province.factorValues = values[index]!;
    });
    const recipients = recipientIndexes.map((index) => state.provinces[index]!);
    const scores = scoresFromShares(shares, policy.factors, policy.provinceWeights);
    const weighted = recipients.map((province, index) => {
      province.factorShares = shares[index]!;
      const multiplier = province.priority ? policy.priorityMultiplier : ONE;
      province.score = scores[index]!.times(multiplier);
      return province.score;
    });
    const totalWeighted = weighted.reduce((sum, value) => sum.plus(value), ZERO);
    const pot = allocatePot(
      line,
      recipients.map((province, index) => ({ id: province.province.code, weight: weighted[index]! })),
    );
    const traced = tracing(state);
    recipients.forEach((province, index) => {
      const part = pot.parts[index]!;
      province.stageOneShare = totalWeighted.isZero() ? ZERO : weighted[index]!.div(totalWeighted);
      province.amounts.set(SPECIAL_CENTRAL, part.amount);
      if (!traced) return;
      const values: Record<string, string> = {};
      for (const factor of policy.factors) {
        values[`${factor.id}.value`] = formatDecimal(province.factorValues.get(factor.id) ?? ZERO, 6);
        values[`${factor.id}.share`] = formatDecimal(province.factorShares.get(factor.id) ?? ZERO, 10);
        values[`${factor.id}.weight`] = (policy.provinceWeights.get(factor.id) ?? ZERO).toFixed();
      }
      values['score'] = formatDecimal(scores[index]!, 10);
      values['priority_multiplier'] = province.priority ? policy.priorityMultiplier.toFixed() : '1';
      values['weighted_score'] = formatDecimal(weighted[index]!, 10);
      values['total_weighted_score'] = formatDecimal(totalWeighted, 10);
      values['share'] = formatDecimal(province.stageOneShare, 10);
      values['central_line'] = formatYuan(line);
      values['amount'] = formatYuan(part.amount);
      values['rounding_fen'] = part.roundingFen.toString();
      state.steps.push({
        type: 'pot_allocated',
        rule: 'special_poverty_provinces',
        clause: 'IV.2',
        subject: province.province.code,
        label: 'stage 1: share of the central special fund',
        values,
      });
    });
    for (const province of state.provinces) {
      if (!traced || province.eligibleCounties > 0) continue;
      state.steps.push({
        type: 'pot_allocated',
        rule: 'special_poverty_provinces',
        clause: 'IV.2',
        subject: province.province.code,
        label: 'stage 1: no share of the central special fund (no eligible county)',
        values: { eligible_counties: '0', amount: formatYuan(0n) },
      });
    }
    state.pots.push({
      id: `${fund}.central`,
      fund,
      level: 'central',
      provinceCode: '',
      rule: 'special_poverty_provinces',
      clause: 'IV.2',
      amount: line,
      allocated: pot.allocated,
      unallocated: pot.unallocated,
      unallocatedReason: pot.unallocated > 0n ? (recipients.length === 0 ? 'no province has an eligible county' : 'no province has a positive score') : '',
      recipients: recipients.length,
      roundingFen: pot.roundingFen,
    });
  },
};
