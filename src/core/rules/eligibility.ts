/**
 * Rule `eligibility`, clause I.
 *
 * Seed: "To help the poor, we should make policies according to people and
 * places." Money goes to poverty counties: a county is eligible for the
 * special fund when any of the policy's flags holds (default: it is a national
 * poverty county, a key county, or in a contiguous poverty area).
 *
 * Example: 522701, poverty_county=false, key_county=true, contiguous_area=''
 * -> eligible, because: key_county.
 */
import { tracing } from '../state.js';
import type { Rule } from './rule.js';

export const eligibility: Rule = {
  id: 'eligibility',
  clause: 'I',
  title: 'Eligible counties',
  seed: 'To help the poor, we should make policies according to people and places.',
  apply(state) {
    const flags = state.inputs.policy.eligibilityFlags;
    const traced = tracing(state);
    const none = `none of ${flags.join(', ')}`;
    for (const countyState of state.counties) {
      const county = countyState.county;
      const reasons: string[] = [];
      for (const flag of flags) {
        if (flag === 'poverty_county' && county.povertyCounty) reasons.push('poverty_county');
        if (flag === 'key_county' && county.keyCounty) reasons.push('key_county');
        if (flag === 'contiguous_area' && county.contiguousArea !== '') reasons.push(`contiguous_area ${county.contiguousArea}`);
      }
      countyState.eligible = reasons.length > 0;
      countyState.eligibilityReasons = reasons;
      if (!traced) continue;
      state.steps.push({
        type: 'rule_applied',
        rule: 'eligibility',
        clause: 'I',
        subject: county.code,
        label: countyState.eligible ? 'eligible' : 'not eligible',
        values: { eligible: String(countyState.eligible), because: reasons.join('; ') || none },
      });
    }
    for (const province of state.provinces) {
      province.eligibleCounties = province.counties.filter((countyState) => countyState.eligible).length;
    }
  },
};
