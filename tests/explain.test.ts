/**
 * explain on the hand-checkable fixture prints the figures derived by hand
 * (HELPERS.md): 贵州 (52) is a priority province (incidence 0.175), its
 * stage-1 share is 17,400,000.00 of the 23,900,000.00 central line, its pool
 * 20,000,000.00; 甲 is capped at 10,000,000.00 (central 8,700,000.00); and so on.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';
import { allocateSmall } from './run-record-helpers.js';

const RUN = allocateSmall();

function explain(...args: string[]): { code: number; stdout: string; stderr: string } {
  return runCli(['explain', RUN, ...args]);
}

/** The value printed beside a key inside the step whose headline contains `headline`. */
function valueIn(text: string, headline: string, key: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(headline));
  if (start < 0) return undefined;
  for (let index = start + 1; index < lines.length && /^ {18}/.test(lines[index]!); index++) {
    const match = new RegExp(`^ {18}${key.replace('.', '\\.')}\\s+(.*)$`).exec(lines[index]!);
    if (match) return match[1];
  }
  return undefined;
}

describe('explain --county on the hand-checkable fixture', () => {
  it('520111 甲: eligible as key county in 乌蒙山区, priority province 52, capped at half the pool', () => {
    const { code, stdout } = explain('--county', '520111');
    expect(code).toBe(0);
    expect(stdout).toContain('County 520111 甲县, province 52 贵州省');
    expect(valueIn(stdout, 'eligibility: eligible', 'because')).toBe('key_county; contiguous_area 乌蒙山区');
    expect(stdout).toMatch(/\d+ {2}IV\.1 {4}priority_province: priority province {2}\[province 52\]/);
    expect(valueIn(stdout, 'priority_province: priority province', 'incidence')).toBe('0.175000');
    const stage1 = 'stage 1: share of the central special fund';
    expect(valueIn(stdout, stage1, 'priority_multiplier')).toBe('1.2');
    expect(valueIn(stdout, stage1, 'central_line')).toBe('23,900,000.00');
    expect(valueIn(stdout, stage1, 'amount')).toBe('17,400,000.00');
    expect(valueIn(stdout, 'stage 2: the province pool', 'pool')).toBe('20,000,000.00');
    expect(valueIn(stdout, 'stage 2: the province pool', 'provincial_line')).toBe('2,600,000.00');
    const stage2 = 'stage 2: share of the province pool';
    expect(valueIn(stdout, stage2, 'poverty_scale.value')).toBe('40,000.000000');
    expect(valueIn(stdout, stage2, 'incidence.value')).toBe('0.400000');
    expect(valueIn(stdout, stage2, 'focus_flags')).toBe('contiguous_area, key_county');
    expect(valueIn(stdout, stage2, 'focus_multiplier')).toBe('1.265');
    expect(valueIn(stdout, stage2, 'cap')).toBe('10,000,000.00');
    expect(valueIn(stdout, stage2, 'binding')).toBe('cap');
    expect(valueIn(stdout, stage2, 'amount')).toBe('10,000,000.00');
    expect(valueIn(stdout, stage2, 'share_of_pool')).toBe('0.5000000000');
    expect(valueIn(stdout, stage2, 'central_part')).toBe('8,700,000.00');
    expect(valueIn(stdout, stage2, 'provincial_part')).toBe('1,300,000.00');
    expect(stdout).toContain('Total: 10,000,000.00 yuan');
  });

  it.each([
    ['520112', 'share', '3,945,371.78', '3,432,473.45'],
    ['520113', 'share', '6,054,628.22', '5,267,526.55'],
    ['450001', 'cap', '4,250,000.00', '3,250,000.00'],
    ['450002', 'share', '2,250,000.00', '1,720,588.24'],
    ['450004', 'floor', '2,000,000.00', '1,529,411.76'],
  ])('%s: bound by %s, amount %s, central part %s', (county, binding, amount, central) => {
    const { code, stdout } = explain('--county', county);
    expect(code).toBe(0);
    const stage2 = 'stage 2: share of the province pool';
    expect(valueIn(stdout, stage2, 'binding')).toBe(binding);
    expect(valueIn(stdout, stage2, 'amount')).toBe(amount);
    expect(valueIn(stdout, stage2, 'central_part')).toBe(central);
    expect(stdout).toContain(`Total: ${amount} yuan`);
  });

  it('450003 己: not eligible, and why', () => {
    const { code, stdout } = explain('--county', '450003');
    expect(code).toBe(0);
    expect(valueIn(stdout, 'eligibility: not eligible', 'because')).toBe('none of poverty_county, key_county, contiguous_area');
    expect(stdout).not.toContain('stage 2: share of the province pool');
    expect(stdout).toContain('Total: 0.00 yuan');
  });

  it('--json gives the same steps as data, each with its clause id', () => {
    const { code, stdout } = explain('--county', '520112', '--json');
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as { code: string; name: string; total: string; steps: { seq: number; rule: string; clause: string; level: string; values: Record<string, string> }[] };
    expect(document).toMatchObject({ code: '520112', name: '乙县', total: '3945371.78' });
    const rules = document.steps.map((step) => `${step.clause} ${step.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['I eligibility', 'IV.1 priority_province', 'IV.2 special_poverty_provinces', 'IV.2 special_poverty_counties']));
    const seqs = document.steps.map((step) => step.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const stage2 = document.steps.find((step) => step.rule === 'special_poverty_counties' && step.level === 'county')!;
    expect(stage2.values['exact_yuan']).toBe('3945371.775417');
    expect(stage2.values['rounding_fen']).toBe('1');
  });
});

describe('explain --province', () => {
  it('52 贵州: priority, stage-1 share, pool, and its counties', () => {
    const { code, stdout } = explain('--province', '52');
    expect(code).toBe(0);
    expect(stdout).toContain('Province 52 贵州省');
    expect(valueIn(stdout, 'stage 1: share of the central special fund', 'amount')).toBe('17,400,000.00');
    expect(stdout).toMatch(/520111 {2}甲县 {2}true {6}cap {6}10,000,000\.00\n/);
    expect(stdout).toContain('Total: 20,000,000.00 yuan');
  });

  it("13 河北: no eligible county, its 1,000,000.00 left unallocated", () => {
    const { code, stdout } = explain('--province', '13');
    expect(code).toBe(0);
    expect(valueIn(stdout, 'pot special_poverty.pool.13', 'unallocated')).toBe('1,000,000.00');
    expect(valueIn(stdout, 'pot special_poverty.pool.13', 'unallocated_reason')).toBe('the province has no eligible county');
    expect(stdout).toContain('check unallocated (warning)');
  });
});

describe('explain refuses what it cannot vouch for', () => {
  it('exits 2 for a code not in the run, or without exactly one of --county and --province', () => {
    expect(explain('--county', '999999').code).toBe(2);
    expect(explain('--county', '999999').stderr).toContain('does not appear');
    expect(explain().code).toBe(2);
    expect(explain('--county', '520111', '--province', '52').code).toBe(2);
    expect(explain('--county', '52').code).toBe(2);
  });

  it('exits 1 when the audit log has been changed', () => {
    const copy = join(tempDir(), 'run');
    cpSync(RUN, copy, { recursive: true });
    const path = join(copy, 'audit.jsonl');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"amount":"10000000.00"', '"amount":"11000000.00"'));
    const result = runCli(['explain', copy, '--county', '520111']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the audit log cannot be trusted: audit\.jsonl: entry seq \d+ does not match its hash/);
    expect(result.stdout).toBe('');
  });
});
