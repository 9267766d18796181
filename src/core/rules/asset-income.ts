/**
 * Rule `asset_income`, clause II.3. Runs after stage 2; off by default.
 *
 * Seed: "Financial poverty alleviation funds and other agricultural-related
 * funds invested in some projects should be converted into shares and
 * quantified to poor households." When the policy sets a share of the special
 * fund to be invested in asset-income projects (default 0: the rule is off),
 * each county's invested amount is that share of its special fund (central +
 * provincial), rounded down to the fen, and the amount per registered poor
 * person is that over its poor population, rounded down to the fen (empty when
 * the county has no poor population). The invested money is part of the
 * special fund, not added to it: the columns are memos outside `total`.
 *
 * Example: share 0.30, a county with 10,000,000.00 of special fund and 40,000
 * poor people: asset_income_invested 3,000,000.00, per poor person 75.00.
 * With 30,001 poor people: 99.99 (99.9966..., rounded down).
 */
import { decimalFromBigInt, floorToFen, formatDecimal, formatYuan } from '../money.js';
import { declareColumn, tracing } from '../state.js';
import type { Rule } from './rule.js';
import { SPECIAL_PROVINCIAL } from './special-poverty-counties.js';
import { SPECIAL_CENTRAL } from './special-poverty-provinces.js';

const RULE = 'asset_income';
const CLAUSE = 'II.3';
export const ASSET_INCOME_INVESTED = 'asset_income_invested';
export const ASSET_INCOME_PER_POOR_PERSON = 'asset_income_per_poor_person';

export const assetIncome: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Asset income',
  seed: 'Financial poverty alleviation funds and other agricultural-related funds invested in some projects should be converted into shares and quantified to poor households.',
  apply(state) {
    const share = state.inputs.policy.assetIncomeShare;
    if (share.isZero()) {
      if (tracing(state)) state.steps.push({ type: 'rule_applied', rule: RULE, clause: CLAUSE, subject: 'national', label: 'off: asset_income.share_invested is 0', values: { share_invested: '0' } });
      return;
    }
    const fund = state.inputs.policy.specialFund;
    declareColumn(state, { name: ASSET_INCOME_INVESTED, rule: RULE, fund, kind: 'memo', fromBudget: false, inTotal: false, shownIn: 'both' });
    declareColumn(state, { name: ASSET_INCOME_PER_POOR_PERSON, rule: RULE, fund, kind: 'memo', fromBudget: false, inTotal: false, shownIn: 'counties' });
    for (const countyState of state.counties) {
      const county = countyState.county;
      const special = (countyState.amounts.get(SPECIAL_CENTRAL) ?? 0n) + (countyState.amounts.get(SPECIAL_PROVINCIAL) ?? 0n);
      const invested = floorToFen(decimalFromBigInt(special).times(share));
      countyState.amounts.set(ASSET_INCOME_INVESTED, invested);
      const values: Record<string, string> = { special_fund: formatYuan(special), share_invested: share.toFixed(), invested: formatYuan(invested) };
      if (!county.poorPopulation.isZero()) {
        const perPerson = floorToFen(decimalFromBigInt(invested).div(county.poorPopulation));
        countyState.amounts.set(ASSET_INCOME_PER_POOR_PERSON, perPerson);
        values['poor_population'] = formatDecimal(county.poorPopulation, county.poorPopulation.isInteger() ? 0 : 2);
        values['per_poor_person'] = formatYuan(perPerson);
      }
      if (special === 0n) continue;
      if (tracing(state)) state.steps.push({ type: 'rule_applied', rule: RULE, clause: CLAUSE, subject: county.code, label: 'special fund invested in asset-income projects', values });
    }
  },
};
