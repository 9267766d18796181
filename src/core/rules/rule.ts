import type { RunState, Severity } from '../state.js';

/** A policy rule: one module, named after its id, applied in registry order. */
export interface Rule {
  readonly id: string;
  readonly clause: string;
  readonly title: string;
  /** The seed sentence the rule implements. */
  readonly seed: string;
  apply(state: RunState): void;
  /**
   * Optional: runs after every rule has applied, in registry order, to report
   * on what later rules did with what this one set (a guarantee that bound).
   */
  review?(state: RunState): void;
}

/**
 * Records that a rule (or part of it) did not run, in the summary's
 * skipped_rules and as a row of checks.csv: never silent zeros.
 */
export function skipRule(state: RunState, rule: Pick<Rule, 'id' | 'clause'>, reason: string, severity: Severity = 'info'): void {
  state.skippedRules.push({ rule: rule.id, clause: rule.clause, reason });
  state.checks.push({
    check: 'rule_skipped',
    severity,
    rule: rule.id,
    clause: rule.clause,
    scope: 'national',
    code: '',
    name: '',
    message: `rule ${rule.id} did not run: ${reason}`,
    value: '',
    threshold: '',
  });
}
