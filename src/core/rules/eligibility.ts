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
import type { County } from '../counties.js';
import { countCounties, tracing, UniformSeries, type StepVariant } from '../state.js';
import type { Rule } from './rule.js';

/**
 * Which of a policy's eligibility flags (`Policy.eligibilityFlags`) hold for
 * a county, a bit each: poverty county 1, key county 2, contiguous area 4.
 * The county is eligible when any does.
 */
export function eligibilityBits(county: County, flags: { readonly poverty: boolean; readonly key: boolean; readonly area: boolean }): number {
  return (flags.poverty && county.povertyCounty ? 1 : 0) | (flags.key && county.keyCounty ? 2 : 0) | (flags.area && county.contiguousArea !== '' ? 4 : 0);
}

/** The policy's eligibility flags as eligibilityBits takes them. */
export function eligibilityFlagsOf(flags: readonly string[]): { readonly poverty: boolean; readonly key: boolean; readonly area: boolean } {
  return { poverty: flags.includes('poverty_county'), key: flags.includes('key_county'), area: flags.includes('contiguous_area') };
}

/** The values of each county's step: whether it is eligible, and why. */
const STEP_COLUMNS: readonly string[] = Object.freeze(['eligible', 'because']);

export const eligibility: Rule = {
  id: 'eligibility',
  clause: 'I',
  title: 'Eligible counties',
  seed: 'To help the poor, we should make policies according to people and places.',
  apply(state) {
    const flags = state.inputs.policy.eligibilityFlags;
    // Reasons and step cells are the same for every county with the same reasons: made once each
    // and shared (a village table has a million counties and a handful of combinations), a variant
    // of the step each.
    const variants: StepVariant[] = [];
    const variantByReasons = new Map<readonly string[], number>();
    const none = `none of ${flags.join(', ')}`;
    // A county's reasons depend only on its three flags and its area: looked up by the area, then by which of the
    // policy's flags hold (a bit each), and worked out once for each combination met.
    const byArea = new Map<string, (readonly string[] | undefined)[]>();
    const flagBits = eligibilityFlagsOf(flags);
    for (const countyState of state.counties) {
      const county = countyState.county;
      const area = county.contiguousArea;
      const bits = eligibilityBits(county, flagBits);
      let entries = byArea.get(area);
      if (entries === undefined) {
        entries = new Array<readonly string[] | undefined>(8).fill(undefined);
        byArea.set(area, entries);
      }
      let entry = entries[bits];
      if (entry === undefined) {
        // In the policy's order of flags.
        const reasons: string[] = [];
        for (const flag of flags) {
          if (flag === 'poverty_county' && bits & 1) reasons.push('poverty_county');
          if (flag === 'key_county' && bits & 2) reasons.push('key_county');
          if (flag === 'contiguous_area' && bits & 4) reasons.push(`contiguous_area ${area}`);
        }
        entry = Object.freeze(reasons);
        entries[bits] = entry;
        variantByReasons.set(entry, variants.length);
        variants.push({ label: reasons.length > 0 ? 'eligible' : 'not eligible', cells: Object.freeze([String(reasons.length > 0), reasons.join('; ') || none]) });
      }
      countyState.eligible = entry.length > 0;
      countyState.eligibilityReasons = entry;
    }
    // One step per county, made when the audit log reads it (no other rule changes eligibility).
    if (tracing(state)) {
      const counties = state.counties;
      state.steps.push(
        new UniformSeries(
          counties.length,
          'rule_applied',
          'eligibility',
          'I',
          STEP_COLUMNS,
          variants,
          (index) => counties[index]!.county.code,
          (index) => variantByReasons.get(counties[index]!.eligibilityReasons)!,
        ),
      );
    }
    for (const province of state.provinces) {
      province.eligibleCounties = countCounties(province.counties, (countyState) => countyState.eligible);
    }
  },
};
