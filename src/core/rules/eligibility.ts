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
    // Reasons and step values are the same for every county with the same reasons: made once each
    // and shared (a village table has a million counties and a handful of combinations).
    const shared = new Map<string, { reasons: readonly string[]; values: Readonly<Record<string, string>> }>();
    const none = `none of ${flags.join(', ')}`;
    for (const countyState of state.counties) {
      const county = countyState.county;
      const reasons: string[] = [];
      for (const flag of flags) {
        if (flag === 'poverty_county' && county.povertyCounty) reasons.push('poverty_county');
        if (flag === 'key_county' && county.keyCounty) reasons.push('key_county');
        if (flag === 'contiguous_area' && county.contiguousArea !== '') reasons.push(`contiguous_area ${county.contiguousArea}`);
      }
      const key = reasons.join('\u0000');
      let entry = shared.get(key);
      if (entry === undefined) {
        entry = { reasons: Object.freeze(reasons), values: Object.freeze({ eligible: String(reasons.length > 0), because: reasons.join('; ') || none }) };
        shared.set(key, entry);
      }
      countyState.eligible = reasons.length > 0;
      countyState.eligibilityReasons = entry.reasons;
      if (!traced) continue;
      state.steps.push({
        type: 'rule_applied',
        rule: 'eligibility',
        clause: 'I',
        subject: county.code,
        label: countyState.eligible ? 'eligible' : 'not eligible',
        values: entry.values,
      });
    }
    for (const province of state.provinces) {
      province.eligibleCounties = province.counties.filter((countyState) => countyState.eligible).length;
    }
  },
};
