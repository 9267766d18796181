// End-to-end: the built binary on the sample with --projects and --previous, on the
// hand-checkable fixture, and on broken project and previous-year files.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SAMPLE, SMALL, readCsvRows, runCli, sumFen, tempDir } from './helpers.js';

const PREVIOUS = join(ROOT, 'data', 'sample', 'previous-allocations.csv');
const fen = (text: string | null | undefined): bigint => sumFen([{ amount: text ?? '0.00' }], 'amount');

describe('allocate on the sample with --projects and --previous', () => {
  const out = join(tempDir(), 'run');
  let code = -1;
  let stdout = '';
  let allocations: Record<string, string>[] = [];
  let provinces: Record<string, string>[] = [];
  let projects: Record<string, string>[] = [];
  let checks: Record<string, string>[] = [];
  let summary: any;
  beforeAll(() => {
    const result = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects, '--previous', PREVIOUS, '--out', out]);
    code = result.code;
    stdout = result.stdout;
    allocations = readCsvRows(join(out, 'allocations.csv'));
    provinces = readCsvRows(join(out, 'provinces.csv'));
    projects = readCsvRows(join(out, 'projects.csv'));
    checks = readCsvRows(join(out, 'checks.csv'));
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  });

  it('succeeds and names every transfer-payment rule in the terminal summary', () => {
    expect(code).toBe(0);
    for (const rule of ['assessment', 'hold_harmless', 'growth_check', 'provincial_effort', 'asset_income', 'relocation', 'refund', 'matching_waiver']) {
      expect(stdout).toMatch(new RegExp(`^${rule}: `, 'm'));
    }
    expect(stdout).not.toContain('did not run');
  });

  it('writes the new columns, and total = special fund + relocation + refunds in every row', () => {
    expect(Object.keys(allocations[0]!)).toEqual(
      expect.arrayContaining(['relocation', 'relocation_central', 'relocation_provincial', 'refund_central', 'refund_provincial', 'refund_prefecture', 'total']),
    );
    expect(Object.keys(provinces[0]!)).toEqual(expect.arrayContaining(['relocation', 'refund_total', 'project_central', 'project_county', 'total']));
    for (const row of allocations) {
      const parts = ['special_poverty_central', 'special_poverty_provincial', 'relocation', 'refund_central', 'refund_provincial', 'refund_prefecture'].map((column) => fen(row[column]));
      expect(parts.reduce((sum, value) => sum + value, 0n)).toBe(fen(row['total']));
      expect(fen(row['relocation'])).toBe(fen(row['relocation_central']) + fen(row['relocation_provincial']));
    }
  });

  it("reconciles summary.json's per-level totals with the tables", () => {
    const levels = summary.by_paying_level;
    expect(fen(levels.central.special_poverty)).toBe(sumFen(allocations, 'special_poverty_central'));
    expect(fen(levels.central.relocation)).toBe(sumFen(allocations, 'relocation_central'));
    expect(fen(levels.central.refund)).toBe(sumFen(allocations, 'refund_central'));
    expect(fen(levels.provincial.relocation)).toBe(sumFen(allocations, 'relocation_provincial'));
    expect(fen(levels.prefecture.refund)).toBe(sumFen(allocations, 'refund_prefecture'));
    const levelTotals = Object.values(levels as Record<string, { total: string }>).reduce((sum, level) => sum + fen(level.total), 0n);
    expect(levelTotals).toBe(sumFen(allocations, 'total'));
    expect(fen(summary.totals.total)).toBe(sumFen(provinces, 'total'));
    expect(fen(summary.refund.total)).toBe(sumFen(provinces, 'refund_total'));
    for (const level of ['central', 'provincial'] as const) {
      const account = summary.funds.relocation[level];
      expect(fen(account.allocated) + fen(account.unallocated)).toBe(fen(account.budget));
      expect(fen(account.allocated)).toBe(sumFen(allocations, `relocation_${level}`));
    }
  });

  it('writes projects.csv: every project adds up to its cost, and the totals per level match summary.json and provinces.csv', () => {
    expect(projects.length).toBe(60);
    for (const row of projects) {
      const final = ['final_central', 'final_provincial', 'final_prefecture', 'final_county'].map((column) => fen(row[column]));
      expect(final.reduce((sum, value) => sum + value, 0n)).toBe(fen(row['total_cost']));
      expect(['none', 'county_waived', 'county_prefecture_waived']).toContain(row['rule_applied']);
    }
    for (const level of ['central', 'provincial', 'prefecture', 'county']) {
      expect(fen(summary.projects.final[level])).toBe(sumFen(projects, `final_${level}`));
      expect(sumFen(provinces, `project_${level}`)).toBe(sumFen(projects, `final_${level}`));
    }
    expect(fen(summary.projects.total_cost)).toBe(sumFen(projects, 'total_cost'));
  });

  it('lists the findings of every reporting rule in checks.csv', () => {
    const found = new Set(checks.map((row) => row['check']));
    for (const check of ['leading_cadres_interview', 'hold_harmless_bound', 'hold_harmless_reduced', 'growth', 'provincial_effort', 'relocation_shortfall']) {
      expect(found).toContain(check);
    }
    expect(summary.growth).toMatchObject({ previous_central_total: '66095000000.00', current_central_total: '86095000000.00', change_ratio: '0.302595', increased: true });
    expect(summary.inputs.projects).toEqual({ rows: 60, skipped_blank_rows: 0 });
    expect(summary.inputs.previous).toEqual({ rows: 832, skipped_blank_rows: 0 });
    expect(summary.skipped_rules).toEqual([]);
  });
});

describe('the hand-checkable fixture', () => {
  it('still gets the amounts computed by hand, with the new rules reporting they did not run', () => {
    const out = join(tempDir(), 'run');
    const result = runCli(['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out]);
    expect(result.code).toBe(0);
    const rows = Object.fromEntries(readCsvRows(join(out, 'allocations.csv')).map((row) => [row['county_code'], [row['special_poverty_central'], row['total'], row['refund_central'], row['relocation']]]));
    expect(rows).toEqual({
      '130001': ['0.00', '0.00', '', ''],
      '450001': ['3250000.00', '4250000.00', '', ''],
      '450002': ['1720588.24', '2250000.00', '', ''],
      '450003': ['0.00', '0.00', '', ''],
      '450004': ['1529411.76', '2000000.00', '', ''],
      '520111': ['8700000.00', '10000000.00', '', ''],
      '520112': ['3432473.45', '3945371.78', '', ''],
      '520113': ['5267526.55', '6054628.22', '', ''],
    });
    expect(existsSync(join(out, 'projects.csv'))).toBe(false);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.refund).toEqual({ computed: false, central: null, provincial: null, prefecture: null, total: null });
    expect(summary.skipped_rules.map((entry: { rule: string }) => entry.rule)).toEqual(['hold_harmless', 'growth_check', 'relocation', 'refund', 'matching_waiver']);
  });
});

describe('broken --projects and --previous files', () => {
  it('validate lists every problem of both files, exits 2 and writes nothing', () => {
    const dir = tempDir();
    const projects = join(dir, 'projects.csv');
    const previous = join(dir, 'previous.csv');
    writeFileSync(projects, 'project_id,county_code,name,public_welfare,state_arranged,total_cost\nP1,130125,甲,true,true,100.00\nP1,999999,乙,true,true,-5\n');
    writeFileSync(previous, '\uFEFFcounty_code,special_poverty_central\r\n130125,1.005\r\n');
    const result = runCli(['validate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', projects, '--previous', previous]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('previous.csv:1: special_poverty_provincial: required column special_poverty_provincial is missing');
    expect(result.stderr).toContain('projects.csv:3: project_id: "P1" appears twice (also on line 2)');
    expect(result.stderr).toContain('projects.csv:3: county_code: "999999" is not a county of the county table');
    expect(result.stderr).toContain('projects.csv:3: total_cost: "-5" is not an amount in yuan');
    expect(result.stdout).toBe('');
  });

  it('allocate refuses a missing --previous file with exit 2 and no run folder', () => {
    const out = join(tempDir(), 'run');
    const result = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--previous', join(ROOT, 'no-such-file.csv'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-file.csv: cannot read: no such file');
    expect(existsSync(out)).toBe(false);
  });

  it('validate accepts the sample projects and previous year', () => {
    const result = runCli(['validate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects, '--previous', PREVIOUS, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, projects: 60, previous_counties: 832 });
  });

  it('documents --projects and --previous in allocate --help with an example', () => {
    const help = runCli(['allocate', '--help']).stdout;
    expect(help).toContain('--projects <file>');
    expect(help).toContain('--previous <file>');
    expect(help).toMatch(/povalloc allocate .*--projects .*--previous /);
  });
});

describe('the sample previous year', () => {
  it('is what scripts/make-previous-year.mjs makes from the committed sample and default policy', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'make-previous-year.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
