/**
 * Rule `hold_harmless`, clause IV.2. Runs before stage 2 of the special fund;
 * needs `--previous` (last year's allocations.csv).
 *
 * Seed: "Increase the central and provincial financial input for poverty
 * alleviation, and the central government will continue to increase transfer
 * payments to poor areas." No poor county should fall far below last year:
 * each eligible county present last year is guaranteed a policy share
 * (default 0.90) of its special-fund total there (special_poverty_central +
 * special_poverty_provincial), rounded down to the fen. The guarantee becomes
 * the county's floor in stage 2 when it exceeds the policy floor, so the pot
 * primitive pays it and reduces the other counties of the province
 * proportionally; when the province pool cannot pay every floor, all floors
 * (guarantees included) are reduced ratably. Counties absent last year have no
 * guarantee. After stage 2 the rule reports every guarantee that bound, and
 * every province where guarantees were reduced.
 *
 * Example: last year 甲 got 10,000,000.00 and 乙 1,000,000.00; this year's
 * pool is 10,000,000.00 with scores 0.5 / 0.5 and no policy floor. Guarantees
 * 9,000,000.00 and 900,000.00: 甲 is held at 9,000,000.00 and 乙 gets the
 * remaining 1,000,000.00. With a pool of 9,000,000.00 the guarantees
 * (9,900,000.00) cannot all be paid: reduced ratably to 8,181,818.18 and
 * 818,181.82.
 */
import { floorFenTimes, formatYuan } from '../money.js';
import { StepSeries, tracing, UnitStep, type CountyState, type RunState } from '../state.js';
import { skipRule, type Rule } from './rule.js';
import { SPECIAL_PROVINCIAL } from './special-poverty-counties.js';
import { SPECIAL_CENTRAL } from './special-poverty-provinces.js';

const RULE = 'hold_harmless';
const CLAUSE = 'IV.2';

/** What a county's step says: amounts formatted here and the policy share (nothing JSON escapes). */
const GUARANTEE_COLUMNS: readonly string[] = Object.freeze(['previous_special_poverty_central', 'previous_special_poverty_provincial', 'previous_total', 'share', 'guarantee']);
const ABSENT_LABEL = "no guarantee: absent from last year's allocations";
const ABSENT_COLUMNS: readonly string[] = Object.freeze(['previous_total', 'guarantee']);
const ABSENT_CELLS: readonly string[] = Object.freeze(['', '']);

function guaranteeOf(countyState: CountyState): bigint | undefined {
  return countyState.floors.find((floor) => floor.rule === RULE)?.amount;
}

export const holdHarmless: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Hold-harmless guarantee',
  seed: 'Increase the central and provincial financial input for poverty alleviation, and the central government will continue to increase transfer payments to poor areas.',
  apply(state) {
    const previous = state.inputs.previous;
    if (!previous) {
      skipRule(state, holdHarmless, 'no --previous allocations.csv was given');
      return;
    }
    const share = state.inputs.policy.holdHarmlessShare;
    const shareText = share.toFixed();
    const floorLabel = `hold-harmless guarantee ${shareText} x last year`;
    // The eligible counties in order; each one present last year is given its guarantee as a floor.
    const eligible: CountyState[] = [];
    for (const countyState of state.counties) {
      if (!countyState.eligible) continue;
      const last = previous.byCounty.get(countyState.county.code);
      if (last) countyState.addFloor({ rule: RULE, clause: CLAUSE, label: floorLabel, amount: floorFenTimes(last.specialPovertyCentral + last.specialPovertyProvincial, share) });
      eligible.push(countyState);
    }
    if (!tracing(state)) return;
    // One step per eligible county, made when the audit log reads it (a village table has half a million):
    // from the code, last year's row and the guarantee (the county's floor of this rule: floors are only ever
    // added), which no later rule changes.
    const guaranteeLabel = `guarantee: ${shareText} of last year's special fund`;
    state.steps.push(
      new StepSeries(eligible.length, (index) => {
        const countyState = eligible[index]!;
        const code = countyState.county.code;
        const guarantee = guaranteeOf(countyState);
        const last = guarantee === undefined ? undefined : previous.byCounty.get(code);
        if (last === undefined || guarantee === undefined) return new UnitStep('rule_applied', RULE, CLAUSE, code, ABSENT_LABEL, ABSENT_COLUMNS, ABSENT_CELLS, true);
        const cells = [
          formatYuan(last.specialPovertyCentral),
          formatYuan(last.specialPovertyProvincial),
          formatYuan(last.specialPovertyCentral + last.specialPovertyProvincial),
          shareText,
          formatYuan(guarantee),
        ];
        return new UnitStep('rule_applied', RULE, CLAUSE, code, guaranteeLabel, GUARANTEE_COLUMNS, cells, true);
      }),
    );
  },
  review(state: RunState) {
    if (!state.inputs.previous) return;
    const policyFloor = state.inputs.policy.countyFloor;
    for (const province of state.provinces) {
      let reduced = 0;
      let shortfall = 0n;
      let guaranteed = 0n;
      for (const countyState of province.counties) {
        const guarantee = guaranteeOf(countyState);
        // A guarantee at or below the policy floor changes nothing: the floor binds on its own.
        if (guarantee === undefined || guarantee <= policyFloor || !countyState.eligible) continue;
        const county = countyState.county;
        const amount = (countyState.amounts.get(SPECIAL_CENTRAL) ?? 0n) + (countyState.amounts.get(SPECIAL_PROVINCIAL) ?? 0n);
        if (countyState.binding === 'floor_reduced') {
          reduced++;
          guaranteed += guarantee;
          shortfall += guarantee - amount;
        } else if ((countyState.binding === 'floor' || countyState.binding === 'cap') && amount === guarantee) {
          state.checks.push({
            check: 'hold_harmless_bound',
            severity: 'info',
            rule: RULE,
            clause: CLAUSE,
            scope: 'county',
            code: county.code,
            name: county.name,
            message: `held at its guarantee of ${formatYuan(guarantee)} yuan (${state.inputs.policy.holdHarmlessShare.toFixed()} of last year's special fund); the other counties of the province are reduced proportionally`,
            value: formatYuan(amount),
            threshold: formatYuan(guarantee),
          });
        }
      }
      if (reduced === 0) continue;
      state.checks.push({
        check: 'hold_harmless_reduced',
        severity: 'warning',
        rule: RULE,
        clause: CLAUSE,
        scope: 'province',
        code: province.province.code,
        name: province.province.nameZh,
        message: `the province pool cannot pay every guarantee and floor: the guarantees of ${reduced} counties (${formatYuan(guaranteed)} yuan) were reduced ratably, short by ${formatYuan(shortfall)} yuan`,
        value: formatYuan(guaranteed - shortfall),
        threshold: formatYuan(guaranteed),
      });
    }
  },
};
