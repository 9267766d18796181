/**
 * Rule `special_poverty_counties`, clauses IV.2 and IV.3 (stage 2).
 *
 * Seed: "Take the old revolutionary base areas, ethnic minority areas, border
 * areas and concentrated contiguous poverty-stricken areas as the focus of
 * poverty alleviation." Each province's pool (its stage-1 share of the central
 * line plus its own provincial special_poverty line) is shared among its
 * eligible counties by the same factors, each county's weighted score times
 * its focus multipliers (their product capped) and any multiplier an earlier
 * rule set. Every eligible county gets at least the floor and at most the cap
 * (a share of the pool); the rest is shared by score among the counties not
 * held at either. When the pool cannot pay every floor the floors are reduced
 * ratably; when the province has too few eligible counties for the cap, the
 * cap is not applied. Each county's amount is then split into the part paid
 * from the central line and the part from the provincial line.
 *
 * Example: a pool of 10,000,000.00 (central 6,000,000.00, provincial
 * 4,000,000.00), floor 2,000,000.00, no cap, two counties with scores 0.9 and
 * 0.1: the shares 9,000,000 / 1,000,000 put the second below its floor, so it
 * gets 2,000,000.00 and the first 8,000,000.00; central parts 4,800,000.00 and
 * 1,200,000.00.
 */
import { budgetKey, provincialAmounts } from '../budget.js';
import { countyFactorValues, weightedScores } from '../factors.js';
import { decimalFromBigInt, floorToFen, formatDecimal, formatYuan, minDecimal, ONE, ZERO, type Dec, type Fen } from '../money.js';
import { FOCUS_FLAGS } from '../policy.js';
import { allocatePot } from '../pot.js';
import { invariant } from '../problems.js';
import type { CountyState, ProvinceState, RunState } from '../state.js';
import type { Rule } from './rule.js';
import { SPECIAL_CENTRAL } from './special-poverty-provinces.js';

export const SPECIAL_PROVINCIAL = 'special_poverty_provincial';

function focusFlagHolds(countyState: CountyState, flag: (typeof FOCUS_FLAGS)[number]): boolean {
  const county = countyState.county;
  switch (flag) {
    case 'contiguous_area':
      return county.contiguousArea !== '';
    case 'key_county':
      return county.keyCounty;
    case 'old_revolutionary_base':
      return county.oldRevolutionaryBase;
    case 'ethnic_minority_area':
      return county.ethnicMinorityArea;
    case 'border_area':
      return county.borderArea;
  }
}

/**
 * The cap: the cap share of the pool, rounded down to the fen, unless that
 * rounding alone would make the caps unable to take the whole pool when the
 * exact caps can (the pot would then drop the caps altogether); then it is
 * rounded up. Example: 0.5 of a pool of 10.01 yuan for two counties is 5.005;
 * rounded down, 5.00 + 5.00 cannot pay 10.01 and the cap would be dropped,
 * giving the larger county two thirds, and half again once the pool grew by
 * a fen. Rounded up, 5.01, the caps hold.
 */
export function countyCap(pool: Fen, capShare: Dec, recipients: readonly { weight: Dec; floor: Fen }[]): Fen {
  const exact = decimalFromBigInt(pool).times(capShare);
  const roundedDown = floorToFen(exact);
  // What the recipients can take: a county with a score up to its cap (at least its floor), one without its floor.
  let reachableRoundedDown = 0n;
  let reachableExact = ZERO;
  for (const { weight, floor } of recipients) {
    const floorDecimal = decimalFromBigInt(floor);
    if (weight.isZero()) {
      reachableRoundedDown += floor;
      reachableExact = reachableExact.plus(floorDecimal);
    } else {
      reachableRoundedDown += roundedDown > floor ? roundedDown : floor;
      reachableExact = reachableExact.plus(exact.greaterThan(floorDecimal) ? exact : floorDecimal);
    }
  }
  const roundingDropsCaps = reachableRoundedDown < pool && !reachableExact.lessThan(decimalFromBigInt(pool));
  return roundingDropsCaps ? roundedDown + 1n : roundedDown;
}

function allocateProvince(state: RunState, province: ProvinceState, provincialLine: Fen): void {
  const policy = state.inputs.policy;
  const fund = policy.specialFund;
  const code = province.province.code;
  const centralPart = province.amounts.get(SPECIAL_CENTRAL) ?? 0n;
  const pool = centralPart + provincialLine;
  const eligible = province.counties.filter((countyState) => countyState.eligible);
  province.amounts.set(SPECIAL_PROVINCIAL, 0n);
  for (const countyState of province.counties) {
    countyState.amounts.set(SPECIAL_CENTRAL, 0n);
    countyState.amounts.set(SPECIAL_PROVINCIAL, 0n);
  }

  if (eligible.length === 0) {
    if (provincialLine > 0n) {
      state.checks.push({
        check: 'no_eligible_county',
        severity: 'warning',
        rule: 'special_poverty_counties',
        clause: 'IV.2',
        scope: 'province',
        code,
        name: province.province.nameZh,
        message: `the provincial ${fund} line of ${formatYuan(provincialLine)} yuan has no eligible county to go to: left unallocated`,
        value: formatYuan(provincialLine),
        threshold: 'at least 1 eligible county',
      });
    }
    state.pots.push({
      id: `${fund}.pool.${code}`,
      fund,
      level: 'pool',
      provinceCode: code,
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      amount: pool,
      allocated: 0n,
      unallocated: pool,
      unallocatedReason: pool > 0n ? 'the province has no eligible county' : '',
      recipients: 0,
      roundingFen: 0n,
    });
    return;
  }

  const file = state.inputs.files.counties;
  const values = eligible.map((countyState) => countyFactorValues(countyState.county, policy, file));
  const { shares, scores } = weightedScores(values, policy.factors, policy.countyWeights);
  const weights: Dec[] = eligible.map((countyState, index) => {
    countyState.factorValues = values[index]!;
    countyState.factorShares = shares[index]!;
    countyState.baseScore = scores[index]!;
    let focus = ONE;
    for (const flag of FOCUS_FLAGS) {
      if (focusFlagHolds(countyState, flag)) focus = focus.times(policy.focusMultipliers.get(flag)!);
    }
    countyState.focusMultiplier = minDecimal(focus, policy.multiplierCap);
    let score = countyState.baseScore.times(countyState.focusMultiplier);
    for (const multiplier of countyState.scoreMultipliers) score = score.times(multiplier.value);
    countyState.score = score;
    return score;
  });

  const floor = policy.countyFloor;
  const cap = countyCap(pool, policy.countyCapShare, eligible.map((_, index) => ({ weight: weights[index]!, floor })));
  const pot = allocatePot(
    pool,
    eligible.map((countyState, index) => ({ id: countyState.county.code, weight: weights[index]!, floor, cap })),
  );

  // Split each county's amount into central and provincial parts. Money the pot
  // could not place is taken from the two lines in proportion to their size.
  const centralAllocated = pool === 0n ? 0n : (centralPart * pot.allocated) / pool;
  const split = allocatePot(
    centralAllocated,
    eligible.map((countyState, index) => ({ id: countyState.county.code, weight: decimalFromBigInt(pot.parts[index]!.amount) })),
  );
  invariant(split.unallocated === 0n || pot.allocated === 0n, `central split of province ${code} left money over`);

  let provincialAllocated = 0n;
  eligible.forEach((countyState, index) => {
    const part = pot.parts[index]!;
    const central = split.parts[index]?.amount ?? 0n;
    const provincial = part.amount - central;
    invariant(provincial >= 0n, `county ${countyState.county.code} has a negative provincial part`);
    provincialAllocated += provincial;
    countyState.binding = part.binding;
    countyState.amounts.set(SPECIAL_CENTRAL, central);
    countyState.amounts.set(SPECIAL_PROVINCIAL, provincial);
    const stepValues: Record<string, string> = {};
    for (const factor of policy.factors) {
      stepValues[`${factor.id}.value`] = formatDecimal(countyState.factorValues.get(factor.id) ?? ZERO, 6);
      stepValues[`${factor.id}.share`] = formatDecimal(countyState.factorShares.get(factor.id) ?? ZERO, 10);
      stepValues[`${factor.id}.weight`] = (policy.countyWeights.get(factor.id) ?? ZERO).toFixed();
    }
    stepValues['base_score'] = formatDecimal(countyState.baseScore ?? ZERO, 10);
    stepValues['focus_flags'] = FOCUS_FLAGS.filter((flag) => focusFlagHolds(countyState, flag)).join(', ');
    stepValues['focus_multiplier'] = (countyState.focusMultiplier ?? ONE).toFixed();
    for (const multiplier of countyState.scoreMultipliers) stepValues[`${multiplier.rule}.multiplier`] = multiplier.value.toFixed();
    stepValues['score'] = formatDecimal(countyState.score ?? ZERO, 10);
    stepValues['pool'] = formatYuan(pool);
    stepValues['floor'] = formatYuan(floor);
    stepValues['cap'] = pot.capsDropped ? 'not applied' : formatYuan(cap);
    stepValues['binding'] = part.binding;
    stepValues['exact_amount'] = `${part.exactNumerator}/${part.exactDenominator} fen`;
    stepValues['rounding_fen'] = part.roundingFen.toString();
    stepValues['amount'] = formatYuan(part.amount);
    stepValues['central_part'] = formatYuan(central);
    stepValues['provincial_part'] = formatYuan(provincial);
    state.steps.push({
      type: 'pot_allocated',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      subject: countyState.county.code,
      label: 'stage 2: share of the province pool',
      values: stepValues,
    });
  });
  province.amounts.set(SPECIAL_PROVINCIAL, provincialAllocated);

  const name = province.province.nameZh;
  if (pot.floorsReduced) {
    const floors = floor * BigInt(eligible.length);
    state.checks.push({
      check: 'floor_reduced',
      severity: 'warning',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      scope: 'province',
      code,
      name,
      message: `the pool of ${formatYuan(pool)} yuan cannot pay the floor of ${formatYuan(floor)} to each of ${eligible.length} eligible counties (${formatYuan(floors)}): floors reduced ratably, short by ${formatYuan(floors - pool)}`,
      value: formatYuan(pool),
      threshold: formatYuan(floors),
    });
  }
  if (pot.capsDropped) {
    state.checks.push({
      check: 'cap_not_applied',
      severity: 'warning',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      scope: 'province',
      code,
      name,
      message: `the cap of ${policy.countyCapShare.toFixed()} of the pool cannot be met with ${eligible.length} eligible counties: not applied`,
      value: String(eligible.length),
      threshold: `${policy.countyCapShare.toFixed()} x counties >= 1`,
    });
  }
  state.pots.push({
    id: `${fund}.pool.${code}`,
    fund,
    level: 'pool',
    provinceCode: code,
    rule: 'special_poverty_counties',
    clause: 'IV.2',
    amount: pool,
    allocated: pot.allocated,
    unallocated: pot.unallocated,
    unallocatedReason: pot.unallocated > 0n ? 'every eligible county has a score of 0: only the floors were paid' : '',
    recipients: eligible.length,
    roundingFen: pot.roundingFen,
  });
}

export const specialPovertyCounties: Rule = {
  id: 'special_poverty_counties',
  clause: 'IV.2',
  title: 'Special fund, stage 2: province pools to counties',
  seed: 'Take the old revolutionary base areas, ethnic minority areas, border areas and concentrated contiguous poverty-stricken areas as the focus of poverty alleviation.',
  apply(state) {
    const fund = state.inputs.policy.specialFund;
    const provincialLines = provincialAmounts(state.inputs.budget, fund);
    for (const province of state.provinces) {
      const provincialLine = provincialLines.get(province.province.code) ?? 0n;
      if (provincialLines.has(province.province.code)) state.consumedBudgetLines.add(budgetKey(fund, 'provincial', province.province.code));
      allocateProvince(state, province, provincialLine);
    }
  },
};
