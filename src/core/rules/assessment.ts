/**
 * Rule `assessment`, clause IV.1. Runs before stage 2 of the special fund.
 *
 * Seed: "Focus on poverty-stricken counties to assess the effectiveness of
 * poverty alleviation and implement 'one-vote veto' in poverty alleviation
 * work. At the same time, strengthen supervision and accountability, and
 * interview leading cadres who have not completed the annual poverty
 * alleviation task." Money follows results: each county's stage-2 score is
 * multiplied by the policy's factor for its last assessment (a county without
 * one gets the `missing` factor). Every county marked `failed` is listed in
 * checks.csv: its leading cadres are to be interviewed.
 *
 * Example (default multipliers): two eligible counties of one province with
 * equal base scores 0.5, one assessed excellent (x1.10), one failed (x0.80):
 * scores 0.55 and 0.40, so a pool of 9,500,000.00 (no floor or cap binding)
 * splits 5,500,000.00 / 4,000,000.00, and the second county appears in
 * checks.csv as `leading_cadres_interview`.
 */
import { ONE, type Dec } from '../money.js';
import type { Rule } from './rule.js';
import { tracing } from '../state.js';

export const assessment: Rule = {
  id: 'assessment',
  clause: 'IV.1',
  title: 'Assessment results',
  seed: 'Focus on poverty-stricken counties to assess the effectiveness of poverty alleviation and implement "one-vote veto" in poverty alleviation work. At the same time, strengthen supervision and accountability, and interview leading cadres who have not completed the annual poverty alleviation task.',
  apply(state) {
    const multipliers = state.inputs.policy.assessmentMultipliers;
    const traced = tracing(state);
    // A handful of grades for up to a million counties: each grade's multiplier compared and written once.
    const byGrade = new Map<string, { multiplier: Dec; isOne: boolean; text: string }>();
    for (const countyState of state.counties) {
      const county = countyState.county;
      const grade = county.assessment ?? 'missing';
      let entry = byGrade.get(grade);
      if (entry === undefined) {
        const multiplier = multipliers.get(grade) ?? ONE;
        entry = { multiplier, isOne: multiplier.equals(ONE), text: multiplier.toFixed() };
        byGrade.set(grade, entry);
      }
      const multiplier = entry.multiplier;
      if (!entry.isOne) {
        countyState.scoreMultipliers.push({ rule: 'assessment', clause: 'IV.1', label: `assessment ${grade}`, value: multiplier });
      }
      if (traced) state.steps.push({
        type: 'rule_applied',
        rule: 'assessment',
        clause: 'IV.1',
        subject: county.code,
        label: `assessment ${grade}: stage-2 score x${entry.text}`,
        values: { assessment: grade, multiplier: entry.text },
      });
      if (grade !== 'failed') continue;
      state.checks.push({
        check: 'leading_cadres_interview',
        severity: 'warning',
        rule: 'assessment',
        clause: 'IV.1',
        scope: 'county',
        code: county.code,
        name: county.name,
        message: `failed its annual assessment: leading cadres to be interviewed (stage-2 score x${multiplier.toFixed()})`,
        value: 'failed',
        threshold: 'the annual poverty alleviation task completed',
      });
    }
  },
};
