/**
 * End-to-end: the built binary's exit codes, stdout, stderr and files.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SAMPLE, SMALL, tempDir } from './helpers.js';

const small = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];

describe('allocate', () => {
  it('writes the run folder and prints the summary', () => {
    const out = join(tempDir(), 'run');
    const result = runCli(['allocate', ...small, '--out', out]);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['allocations.csv', 'audit.jsonl', 'checks.csv', 'inputs', 'manifest.json', 'provinces.csv', 'summary.json']);
    expect(result.stdout).toContain('贵州 *');
    expect(result.stdout).toContain('1,000,000.00 yuan unallocated: see checks.csv.');
    expect(result.stdout).not.toContain('\u001b[');
    const allocations = readFileSync(join(out, 'allocations.csv'));
    expect([...allocations.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(allocations.toString('utf8')).toContain('\r\n');
    expect(allocations.toString('utf8').split('\r\n')[0]).toBe(
      '\uFEFFcounty_code,county_name,province_code,province_name,region,prefecture,eligible,poverty_county,key_county,contiguous_area,priority_province,poor_population,rural_population,incidence,focus_multiplier,score,binding,special_poverty_central,special_poverty_provincial,relocation,relocation_central,relocation_provincial,refund_central,refund_provincial,refund_prefecture,total',
    );
  });

  it('--json prints one JSON document equal to summary.json, nothing else', () => {
    const out = join(tempDir(), 'run');
    const result = runCli(['allocate', ...small, '--out', out, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')));
    expect(result.stderr).toBe('');
  });

  it('refuses a non-empty --out without --force, and replaces it with --force', () => {
    const out = tempDir();
    writeFileSync(join(out, 'keep.txt'), 'x');
    const refused = runCli(['allocate', ...small, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the folder exists and is not empty');
    expect(existsSync(join(out, 'keep.txt'))).toBe(true);
    const forced = runCli(['allocate', ...small, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(join(out, 'keep.txt'))).toBe(false);
    expect(existsSync(join(out, 'allocations.csv'))).toBe(true);
  });

  it('a file where the folder should be: exit 2, clear message', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'taken'), 'x');
    const result = runCli(['allocate', ...small, '--out', join(dir, 'taken')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a file of that name is in the way');
  });

  it('missing required options: exit 2', () => {
    const result = runCli(['allocate', '--counties', SMALL.counties]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: required option '--out <dir>' not specified");
  });

  it('reads the county table from standard input with -', () => {
    const out = join(tempDir(), 'run');
    const result = runCli(['allocate', '--counties', '-', '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out], {
      input: readFileSync(SMALL.counties),
    });
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, 'allocations.csv'), 'utf8')).toContain('520111,甲县');
  });
});

describe('bad input: every problem reported, exit 2, nothing written', () => {
  const cases: { name: string; counties?: string; budget?: string; expected: string[] }[] = [
    {
      name: 'malformed numbers and an empty required cell',
      counties: 'county_code,county_name,poor_population,rural_population\n520111,甲,1,234,1000\n520112,乙,1e3,1000\n520113,丙,NaN,1000\n520114,丁,,1000\n',
      expected: [
        'counties.csv:2: the row has 5 cells but the header has 4',
        'counties.csv:3: poor_population: "1e3" is not a whole number (digits only, e.g. 12345): exponents are not allowed (write 1000, not 1e3)',
        'counties.csv:4: poor_population: "NaN" is not a whole number (digits only, e.g. 12345): NaN is not a number',
        'counties.csv:5: poor_population: is empty but required',
      ],
    },
    {
      name: 'duplicate codes, unknown province, poor above rural, disagreeing incidence',
      counties:
        'county_code,county_name,poor_population,rural_population,incidence\n520111,甲,1,10,0.1\n520111,乙,1,10,0.1\n990001,丙,1,10,0.1\n520113,丁,20,10,\n520114,戊,1,10,0.2\n',
      expected: [
        'counties.csv:3: county_code: "520111" appears twice (also on line 2)',
        'counties.csv:4: county_code: "990001" starts with 99, which is not a province code',
        'counties.csv:5: poor_population: poor_population 20 is greater than rural_population 10',
        'counties.csv:6: incidence: "0.2" does not agree with poor_population / rural_population = 1 / 10 = 0.100000',
      ],
    },
    {
      name: 'budget: provincial line without province, duplicate, unknown fund',
      budget: 'fund,level,province_code,amount\nspecial_poverty,central,,1.00\nspecial_poverty,central,,1.00\nspecial_poverty,provincial,,1.00\nroads,central,,1.00\n',
      expected: [
        'budget.csv:3: duplicate budget line special_poverty central (also on line 2)',
        'budget.csv:4: province_code: is empty: a provincial line needs a 2-digit province code',
        'budget.csv:5: fund: "roads" is not a fund the policy defines (relocation, special_poverty)',
      ],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const dir = tempDir();
      const countiesPath = join(dir, 'counties.csv');
      const budgetPath = join(dir, 'budget.csv');
      writeFileSync(countiesPath, testCase.counties ?? readFileSync(SMALL.counties));
      writeFileSync(budgetPath, testCase.budget ?? readFileSync(SMALL.budget));
      const out = join(dir, 'run');
      const policy = ['--policy', SMALL.policy];
      const result = runCli(['allocate', '--counties', countiesPath, '--budget', budgetPath, ...policy, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines.slice(0, -1)).toEqual(testCase.expected);
      expect(lines.at(-1)).toBe(`povalloc: ${testCase.expected.length} problem(s) found; nothing was written.`);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['budget.csv', 'counties.csv']);
      const validate = runCli(['validate', '--counties', countiesPath, '--budget', budgetPath, ...policy]);
      expect(validate.code).toBe(2);
      expect(validate.stderr).toBe(result.stderr);
    });
  }

  it('a missing file and a bad policy are reported together', () => {
    const dir = tempDir();
    const policyPath = join(dir, 'policy.json');
    const policy = JSON.parse(readFileSync(SMALL.policy, 'utf8'));
    policy.special_poverty.county.weights.incidence.value = '0.6';
    policy.special_poverty.bogus = 1;
    writeFileSync(policyPath, JSON.stringify(policy));
    const result = runCli(['validate', '--counties', join(dir, 'nope.csv'), '--budget', SMALL.budget, '--policy', policyPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.csv: cannot read: no such file');
    expect(result.stderr).toContain('policy.json: special_poverty: Unrecognized key: "bogus"');
  });

  it('weights that do not add up to 1 are an error naming the path', () => {
    const dir = tempDir();
    const policyPath = join(dir, 'policy.json');
    const policy = JSON.parse(readFileSync(SMALL.policy, 'utf8'));
    policy.special_poverty.county.weights.incidence.value = '0.6';
    writeFileSync(policyPath, JSON.stringify(policy));
    const result = runCli(['validate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', policyPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('policy.json: special_poverty.county.weights: the weights add up to 1.1, not 1; fix them or set special_poverty.renormalise_weights to true');
  });

  it('a file that is not valid UTF-8 under --encoding utf8 names the byte offset', () => {
    const dir = tempDir();
    const countiesPath = join(dir, 'counties.csv');
    writeFileSync(countiesPath, Buffer.concat([Buffer.from('county_code,'), Buffer.from([0xc4, 0xe3]), Buffer.from('\n')]));
    const result = runCli(['validate', '--counties', countiesPath, '--budget', SMALL.budget, '--encoding', 'utf8']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('counties.csv:1: byte 12 (0xc4) is not valid UTF-8');
  });
});

describe('validate and help', () => {
  it('validate prints a one-line verdict and writes nothing', () => {
    const dir = tempDir();
    const result = runCli(['validate', ...small], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('valid: 8 counties (6 eligible), 4 budget lines, policy small-fixture; 0 warning(s)\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('validate --json', () => {
    const result = runCli(['validate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ schema_version: 1, command: 'validate', valid: true, counties: 832 });
  });

  it('warns about unknown columns on stderr', () => {
    const dir = tempDir();
    const countiesPath = join(dir, 'counties.csv');
    const lines = readFileSync(SMALL.counties, 'utf8').trimEnd().split('\n');
    writeFileSync(countiesPath, [`${lines[0]},remarks`, ...lines.slice(1).map((line) => `${line},x`)].join('\n'));
    const result = runCli(['validate', '--counties', countiesPath, '--budget', SMALL.budget, '--policy', SMALL.policy]);
    expect(result.stderr).toBe('warning: counties.csv:1: remarks: unknown column ignored\n');
    expect(result.code).toBe(0);
  });

  it('every command has --help with an example', () => {
    for (const command of ['allocate', 'validate']) {
      const result = runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(result.stdout).toContain(`povalloc ${command} --counties`);
    }
    const top = runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Exit codes');
  });

  it('an unknown command is a usage error', () => {
    const result = runCli(['allocat']);
    expect(result.code).toBe(2);
  });
});

