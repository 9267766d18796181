/**
 * A county's or a province's derivation, read back from the audit log: every
 * entry about it (and, for a county, about its province) in the order the run
 * made them, from eligibility through the pots, floors, caps and rounding to
 * the row written. Generic over rules: any step a rule records appears with
 * its label, clause and values.
 */
import type { AuditEntry } from './audit.js';
import { expandAuditBlocks } from './audit-blocks.js';

export interface ExplainedStep {
  readonly seq: number;
  readonly type: string;
  readonly rule: string;
  readonly clause: string;
  readonly subject: string;
  /** 'county' or 'province': which of the two the step is about. */
  readonly level: 'county' | 'province';
  readonly label: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface CountyLine {
  readonly code: string;
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface Explanation {
  readonly kind: 'county' | 'province';
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly provinceName: string;
  readonly steps: readonly ExplainedStep[];
  /** The row written for the subject (allocations.csv for a county, provinces.csv for a province); also the last step. */
  readonly row?: Readonly<Record<string, string>>;
  /** For a province: the rows of its counties. */
  readonly counties: readonly CountyLine[];
}

function isRowOf(entry: AuditEntry, file: string): boolean {
  return entry.type === 'output_written' && entry.label === `row of ${file}`;
}

function toStep(entry: AuditEntry, level: 'county' | 'province'): ExplainedStep {
  return { seq: entry.seq, type: entry.type, rule: entry.rule, clause: entry.clause, subject: entry.subject, level, label: entry.label, values: entry.values };
}

/** The explanation, or undefined when the log says nothing about the code. */
export function explainCounty(logEntries: readonly AuditEntry[], code: string): Explanation | undefined {
  const entries = expandAuditBlocks(logEntries);
  const row = entries.find((entry) => entry.subject === code && isRowOf(entry, 'allocations.csv'))?.values;
  const provinceCode = row?.['province_code'] ?? code.slice(0, 2);
  if (!entries.some((entry) => entry.subject === code)) return undefined;
  const provinceRow = entries.find((entry) => entry.subject === provinceCode && isRowOf(entry, 'provinces.csv'))?.values;
  const steps = entries
    .filter((entry) => entry.subject === code || (entry.subject === provinceCode && entry.type !== 'output_written'))
    .map((entry) => toStep(entry, entry.subject === code ? 'county' : 'province'));
  return {
    kind: 'county',
    code,
    name: row?.['county_name'] ?? '',
    provinceCode,
    provinceName: row?.['province_name'] ?? provinceRow?.['province_name'] ?? '',
    steps,
    row,
    counties: [],
  };
}

export function explainProvince(logEntries: readonly AuditEntry[], code: string): Explanation | undefined {
  const entries = expandAuditBlocks(logEntries);
  if (!entries.some((entry) => entry.subject === code)) return undefined;
  const row = entries.find((entry) => entry.subject === code && isRowOf(entry, 'provinces.csv'))?.values;
  const steps = entries.filter((entry) => entry.subject === code).map((entry) => toStep(entry, 'province'));
  const counties = entries
    .filter((entry) => isRowOf(entry, 'allocations.csv') && (entry.values['province_code'] ?? entry.subject.slice(0, 2)) === code)
    .map((entry) => ({ code: entry.subject, name: entry.values['county_name'] ?? '', values: entry.values }));
  return { kind: 'province', code, name: row?.['province_name'] ?? '', provinceCode: code, provinceName: row?.['province_name'] ?? '', steps, row, counties };
}
