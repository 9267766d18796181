/**
 * The state a run builds up as its rules apply, in order. Rules read the
 * inputs and what earlier rules wrote, and add their own results: amounts per
 * county, pots, checks and the steps `explain` and the audit log show.
 */
import type { Budget } from './budget.js';
import type { County, CountyTable } from './counties.js';
import type { Dec, Fen } from './money.js';
import type { Policy } from './policy.js';
import type { PotBinding } from './pot.js';
import type { Province, Reference } from './reference.js';

export type Severity = 'info' | 'warning' | 'error';

/** One compliance finding (a row of checks.csv). */
export interface Check {
  readonly check: string;
  readonly severity: Severity;
  readonly rule: string;
  readonly clause: string;
  readonly scope: 'national' | 'province' | 'county' | 'project';
  /** Province or county code, project id, or '' for national findings. */
  readonly code: string;
  readonly name: string;
  readonly message: string;
  /** The figure that triggered the finding, as text. */
  readonly value: string;
  /** The threshold or expectation it was compared with, as text. */
  readonly threshold: string;
}

/** One fixed pot and what became of it. */
export interface PotRecord {
  readonly id: string;
  readonly fund: string;
  readonly level: 'central' | 'provincial' | 'pool';
  readonly provinceCode: string;
  readonly rule: string;
  readonly clause: string;
  readonly amount: Fen;
  readonly allocated: Fen;
  readonly unallocated: Fen;
  /** Why money was left unallocated, when it was. */
  readonly unallocatedReason: string;
  readonly recipients: number;
  readonly roundingFen: Fen;
}

/** One step of a derivation, for the audit log and `explain`. */
export interface Step {
  readonly type: 'rule_applied' | 'pot_allocated' | 'rounding' | 'check';
  readonly rule: string;
  readonly clause: string;
  /** 'national', a province code or a county code. */
  readonly subject: string;
  readonly label: string;
  /** Values in and out, all as text (money as yuan with two decimals). */
  readonly values: Readonly<Record<string, string>>;
}

/** A multiplier applied to a county's stage-2 score, with where it comes from. */
export interface ScoreMultiplier {
  readonly rule: string;
  readonly clause: string;
  readonly label: string;
  readonly value: Dec;
}

export interface CountyState {
  readonly county: County;
  eligible: boolean;
  eligibilityReasons: string[];
  priorityProvince: boolean;
  /** Factor id to the county's factor value and its share within the province's eligible counties. */
  factorValues: Map<string, Dec>;
  factorShares: Map<string, Dec>;
  baseScore: Dec | undefined;
  focusMultiplier: Dec | undefined;
  scoreMultipliers: ScoreMultiplier[];
  score: Dec | undefined;
  binding: PotBinding | undefined;
  /** Amount columns (allocations.csv column name to fen), written by rules. */
  amounts: Map<string, Fen>;
  /** Extra text columns written by rules. */
  notes: Map<string, string>;
}

export interface ProvinceState {
  readonly province: Province;
  readonly counties: CountyState[];
  eligibleCounties: number;
  poorPopulation: Dec;
  ruralPopulation: Dec;
  incidence: Dec;
  priority: boolean;
  priorityReasons: string[];
  /** Aggregated county figures by column. */
  aggregates: Map<string, Dec>;
  factorValues: Map<string, Dec>;
  factorShares: Map<string, Dec>;
  score: Dec | undefined;
  stageOneShare: Dec | undefined;
  amounts: Map<string, Fen>;
}

export interface RunInputs {
  readonly counties: CountyTable;
  readonly budget: Budget;
  readonly policy: Policy;
  readonly reference: Reference;
  /** Display names of the input files, for problems and checks. */
  readonly files: { readonly counties: string; readonly budget: string };
  /**
   * Record the derivation steps (default true). A sweep turns it off: it
   * needs the amounts of thousands of runs, not their derivations. Amounts
   * and checks never depend on it.
   */
  readonly trace?: boolean;
}

export interface RunState {
  readonly inputs: RunInputs;
  /** In county-code order. */
  readonly counties: CountyState[];
  readonly countyByCode: Map<string, CountyState>;
  /** In province-code order. */
  readonly provinces: ProvinceState[];
  readonly provinceByCode: Map<string, ProvinceState>;
  readonly checks: Check[];
  readonly pots: PotRecord[];
  readonly steps: Step[];
  /** Budget lines a rule has taken (by budget key). */
  readonly consumedBudgetLines: Set<string>;
  /** Rules that did not run and why (e.g. a column is absent). */
  readonly skippedRules: { rule: string; clause: string; reason: string }[];
}

/** Whether rules should record steps (see `RunInputs.trace`). */
export function tracing(state: RunState): boolean {
  return state.inputs.trace !== false;
}
