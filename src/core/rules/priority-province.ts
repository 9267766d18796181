/**
 * Rule `priority_province`, clause IV.1.
 *
 * Seed: "For the nine provinces and regions where the poverty population
 * exceeds 5 million or the incidence of poverty exceeds 15%, we should really
 * take poverty alleviation and development as the 'number one' project."
 * A province is a priority province when its poor population, summed over all
 * its counties in the table, is strictly greater than the threshold, or its
 * incidence (that sum over the sum of rural population) is strictly greater.
 *
 * Example: poor 5,000,001 in rural 40,000,000 (incidence 0.125) -> priority
 * (population); poor 5,000,000 in rural 33,333,334 (0.149999...) -> not.
 */
import { formatDecimal } from '../money.js';
import type { Rule } from './rule.js';
import { tracing } from '../state.js';

export const priorityProvince: Rule = {
  id: 'priority_province',
  clause: 'IV.1',
  title: 'Priority provinces',
  seed: 'For the nine provinces and regions where the poverty population exceeds 5 million or the incidence of poverty exceeds 15%, we should really take poverty alleviation and development as the "number one" project.',
  apply(state) {
    const policy = state.inputs.policy;
    for (const province of state.provinces) {
      const reasons: string[] = [];
      if (province.poorPopulation.greaterThan(policy.priorityPoorPopulationExceeds)) reasons.push('poor_population');
      if (province.incidence.greaterThan(policy.priorityIncidenceExceeds)) reasons.push('incidence');
      province.priority = reasons.length > 0;
      province.priorityReasons = reasons;
      for (const countyState of province.counties) countyState.priorityProvince = province.priority;
      const poor = province.poorPopulation.toFixed(0);
      const incidence = formatDecimal(province.incidence, 6);
      if (tracing(state)) state.steps.push({
        type: 'rule_applied',
        rule: 'priority_province',
        clause: 'IV.1',
        subject: province.province.code,
        label: province.priority ? 'priority province' : 'not a priority province',
        values: {
          poor_population: poor,
          poor_population_exceeds: policy.priorityPoorPopulationExceeds.toFixed(),
          incidence,
          incidence_exceeds: policy.priorityIncidenceExceeds.toFixed(),
          priority: String(province.priority),
        },
      });
      if (!province.priority) continue;
      const parts: string[] = [];
      if (reasons.includes('poor_population')) parts.push(`poor population ${poor} exceeds ${policy.priorityPoorPopulationExceeds.toFixed()}`);
      if (reasons.includes('incidence')) parts.push(`incidence ${incidence} exceeds ${policy.priorityIncidenceExceeds.toFixed()}`);
      state.checks.push({
        check: 'priority_province',
        severity: 'info',
        rule: 'priority_province',
        clause: 'IV.1',
        scope: 'province',
        code: province.province.code,
        name: province.province.nameZh,
        message: `priority province: ${parts.join('; ')}`,
        value: `poor_population=${poor}; incidence=${incidence}`,
        threshold: `poor_population>${policy.priorityPoorPopulationExceeds.toFixed()}; incidence>${policy.priorityIncidenceExceeds.toFixed()}`,
      });
    }
  },
};
