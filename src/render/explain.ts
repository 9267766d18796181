/**
 * `explain` as text and as JSON: pure functions of an explanation. The text
 * lists each step with its audit seq and clause id, then its values aligned
 * in two columns; amounts in yuan are grouped by thousands.
 */
import type { Explanation, ExplainedStep } from '../core/explain.js';
import { groupThousands } from '../core/money.js';
import { displayWidth, type Painter } from './summary.js';

export const EXPLAIN_SCHEMA_VERSION = 1;

/** Numbers with a decimal point (amounts, decimals); plain digit strings may be codes and stay as they are. */
const DECIMAL_NUMBER = /^-?\d+\.\d+$/;
const LONGEST_FIGURE = 100;

/** A value as a person reads it: decimals grouped by thousands, very long exact fractions shortened. */
export function readableValue(value: string): string {
  if (value === '') return '(none)';
  if (DECIMAL_NUMBER.test(value)) return groupThousands(value);
  // A figure (no words in it) too long to read, such as an exact fraction of fen.
  if (value.length > LONGEST_FIGURE && value.split(' ').length <= 2) return `${value.slice(0, LONGEST_FIGURE - 30)}… (${value.length} characters; in full with --json)`;
  return value;
}

function padRight(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function headline(step: ExplainedStep): string {
  if (step.type === 'output_written') return `written: ${step.label}`;
  if (step.type === 'check') return `check ${step.label} (${step.values['severity'] ?? ''})`;
  return `${step.rule}: ${step.label}`;
}

function renderStep(step: ExplainedStep, kind: Explanation['kind'], paint: Painter): string[] {
  const where = kind === 'county' && step.level === 'province' ? paint.dim(`  [province ${step.subject}]`) : '';
  const lines = [`${String(step.seq).padStart(6)}  ${padRight(step.clause || '-', 6)}  ${paint.bold(headline(step))}${where}`];
  const entries = Object.entries(step.values);
  const keyWidth = Math.max(0, ...entries.map(([key]) => displayWidth(key)));
  for (const [key, value] of entries) lines.push(`${' '.repeat(18)}${padRight(key, keyWidth)}  ${readableValue(value)}`);
  return lines;
}

export function explanationText(explanation: Explanation, context: { run: string; entries: number }, paint: Painter): string {
  const lines: string[] = [];
  if (explanation.kind === 'county') {
    lines.push(paint.bold(`County ${explanation.code} ${explanation.name}, province ${explanation.provinceCode} ${explanation.provinceName}`.trimEnd()));
  } else {
    lines.push(paint.bold(`Province ${explanation.code} ${explanation.name}`.trimEnd()));
  }
  lines.push(`From the audit log of ${context.run} (${context.entries} entries, hash chain intact). Each step: its audit seq, clause id, rule and values.`);
  lines.push('');
  lines.push(paint.dim(`${'seq'.padStart(6)}  ${'clause'.padEnd(6)}  step`));
  for (const step of explanation.steps) {
    lines.push(...renderStep(step, explanation.kind, paint));
  }
  if (explanation.kind === 'province' && explanation.counties.length > 0) {
    lines.push('');
    lines.push(paint.bold(`Counties of province ${explanation.code}:`));
    const columns = ['code', 'name', 'eligible', 'binding', 'total'];
    const rows = explanation.counties.map((county) => [county.code, county.name, county.values['eligible'] ?? '', county.values['binding'] ?? '', readableValue(county.values['total'] ?? '')]);
    const widths = columns.map((column, index) => Math.max(displayWidth(column), ...rows.map((row) => displayWidth(row[index] ?? ''))));
    const line = (cells: string[]): string =>
      `  ${cells.map((cell, index) => (index === cells.length - 1 ? ' '.repeat(Math.max(0, widths[index]! - displayWidth(cell))) + cell : padRight(cell, widths[index]!))).join('  ')}`;
    lines.push(paint.dim(line(columns)));
    for (const row of rows) lines.push(line(row));
  }
  const total = explanation.row?.['total'];
  if (total !== undefined) {
    lines.push('');
    lines.push(paint.bold(`Total: ${readableValue(total)} yuan`));
  }
  return `${lines.join('\n')}\n`;
}

export function explanationDocument(explanation: Explanation, context: { run: string; entries: number }): Record<string, unknown> {
  return {
    schema_version: EXPLAIN_SCHEMA_VERSION,
    command: 'explain',
    run: context.run,
    audit_entries: context.entries,
    kind: explanation.kind,
    code: explanation.code,
    name: explanation.name,
    province_code: explanation.provinceCode,
    province_name: explanation.provinceName,
    steps: explanation.steps.map((step) => ({
      seq: step.seq,
      type: step.type,
      rule: step.rule,
      clause: step.clause,
      subject: step.subject,
      level: step.level,
      label: step.label,
      values: step.values,
    })),
    row: explanation.row ?? null,
    counties: explanation.counties.map((county) => ({ code: county.code, name: county.name, values: county.values })),
    total: explanation.row?.['total'] ?? null,
  };
}
