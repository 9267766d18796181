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
import type { AssessmentGrade, County } from '../counties.js';
import type { Rule } from './rule.js';
import { tracing, UniformSeries, type StepVariant } from '../state.js';

/** The values of each county's step: its grade and the multiplier it brings. */
const STEP_COLUMNS: readonly string[] = Object.freeze(['assessment', 'multiplier']);

/** A grade's multiplier, and its step's label and cells (its place among the variants of the rule's steps). */
interface GradeEntry extends StepVariant {
  readonly multiplier: Dec;
  readonly isOne: boolean;
  readonly variant: number;
}

export const assessment: Rule = {
  id: 'assessment',
  clause: 'IV.1',
  title: 'Assessment results',
  seed: 'Focus on poverty-stricken counties to assess the effectiveness of poverty alleviation and implement "one-vote veto" in poverty alleviation work. At the same time, strengthen supervision and accountability, and interview leading cadres who have not completed the annual poverty alleviation task.',
  apply(state) {
    const multipliers = state.inputs.policy.assessmentMultipliers;
    // A handful of grades for up to a million counties: each grade's multiplier compared and written once.
    // Each grade met is a variant of the step (its label and cells), in the order met.
    const byGrade = new Map<AssessmentGrade | 'missing', GradeEntry>();
    const variants: GradeEntry[] = [];
    const gradeOf = (county: County): AssessmentGrade | 'missing' => county.assessment ?? 'missing';
    const entryOf = (grade: AssessmentGrade | 'missing'): GradeEntry => {
      let entry = byGrade.get(grade);
      if (entry === undefined) {
        const multiplier = multipliers.get(grade) ?? ONE;
        const text = multiplier.toFixed();
        entry = { multiplier, isOne: multiplier.equals(ONE), variant: variants.length, label: `assessment ${grade}: stage-2 score x${text}`, cells: Object.freeze([grade, text]) };
        byGrade.set(grade, entry);
        variants.push(entry);
      }
      return entry;
    };
    for (const countyState of state.counties) {
      const county = countyState.county;
      const grade = gradeOf(county);
      const entry = entryOf(grade);
      const multiplier = entry.multiplier;
      if (!entry.isOne) {
        countyState.addScoreMultiplier({ rule: 'assessment', clause: 'IV.1', label: `assessment ${grade}`, value: multiplier });
      }
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
    // One step per county, made when the audit log reads it (from the county's grade, which nothing changes).
    if (tracing(state)) {
      const counties = state.counties;
      state.steps.push(
        new UniformSeries(
          counties.length,
          'rule_applied',
          'assessment',
          'IV.1',
          STEP_COLUMNS,
          variants,
          (index) => counties[index]!.county.code,
          (index) => entryOf(gradeOf(counties[index]!.county)).variant,
        ),
      );
    }
  },
};
