#!/usr/bin/env node
// Makes the sample's previous year (2016) with povalloc itself, for --previous
// (hold_harmless, growth_check):
//
//   data/sample/budget-2016.csv          derived from data/sample/budget.csv (rules below)
//   data/sample/previous-allocations.csv the allocations.csv of a povalloc run on it
//
// The 2016 central special fund, 66,095,000,000.00 yuan (660.95 亿元), is the DERIVED real
// figure of ../shared/data/poverty_aggregates_cited.csv (2017's 860.95 minus the stated increase
// of 200). Everything else is ILLUSTRATIVE, chosen so that the sample shows hold_harmless at work:
//   - provincial special_poverty lines: 3/4 of the 2017 line (rounded down to the fen), except
//     四川 (51), 3/2 of it, and 宁夏 (64), 11/4 of it: the two provinces whose own money fell in 2017;
//   - no relocation lines (the previous year is read for the special fund only);
//   - the 2016 run uses the default policy with every assessment multiplier set to 1.00
//     (as if the assessment had not yet counted in 2016), so that the counties assessed poor
//     or failed in 2017 fall against 2016 and hit their guarantee.
// Needs a built povalloc (npm run build). Deterministic: same inputs, same bytes.
//
// Usage (from the project root):
//   node scripts/make-previous-year.mjs          # writes the two files
//   node scripts/make-previous-year.mjs --check  # exit 1 if the committed files differ from a fresh run

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sample = path.join(root, 'data', 'sample');
const CENTRAL_2016 = '66095000000.00';
// Provincial 2016 line = 2017 line x numerator / denominator (fen, rounded down).
const DEFAULT_RATIO = [3n, 4n];
const RATIOS = { 51: [3n, 2n], 64: [11n, 4n] };

const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--check');
if (unknown.length > 0) {
  process.stderr.write(`make-previous-year: unknown argument ${JSON.stringify(unknown[0])}\nusage: node scripts/make-previous-year.mjs [--check]\n`);
  process.exit(2);
}

function toFen(text) {
  const match = /^(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new Error(`budget.csv: amount ${JSON.stringify(text)} is not yuan with two decimals`);
  return BigInt(match[1]) * 100n + BigInt(match[2]);
}

function toYuan(fen) {
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
}

function budget2016() {
  const lines = fs.readFileSync(path.join(sample, 'budget.csv'), 'utf8').split('\n').filter((line) => line !== '');
  if (lines[0] !== 'fund,level,province_code,amount') throw new Error('budget.csv: unexpected header');
  const rows = [['special_poverty', 'central', '', CENTRAL_2016]];
  for (const line of lines.slice(1)) {
    const [fund, level, province, amount] = line.split(',');
    if (fund !== 'special_poverty' || level !== 'provincial') continue;
    const [numerator, denominator] = RATIOS[province] ?? DEFAULT_RATIO;
    rows.push([fund, level, province, toYuan((toFen(amount) * numerator) / denominator)]);
  }
  return ['fund,level,province_code,amount', ...rows.map((row) => row.join(','))].join('\n') + '\n';
}

function policy2016() {
  const policy = JSON.parse(fs.readFileSync(path.join(root, 'data', 'policies', 'default.json'), 'utf8'));
  policy.name = 'default-2016-illustrative';
  policy.year = 2016;
  for (const grade of Object.keys(policy.assessment.multipliers)) policy.assessment.multipliers[grade].value = '1.00';
  return `${JSON.stringify(policy, null, 2)}\n`;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'povalloc-2016-'));
try {
  const budgetText = budget2016();
  const budgetFile = path.join(work, 'budget-2016.csv');
  const policyFile = path.join(work, 'policy-2016.json');
  fs.writeFileSync(budgetFile, budgetText);
  fs.writeFileSync(policyFile, policy2016());
  const out = path.join(work, 'run-2016');
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'povalloc.js'), 'allocate', '--counties', path.join(sample, 'counties.csv'), '--budget', budgetFile, '--policy', policyFile, '--out', out, '--json'], { encoding: 'utf8' });
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`povalloc allocate exited with ${run.status} (is it built? run npm run build)`);
  }
  const allocations = fs.readFileSync(path.join(out, 'allocations.csv'));
  const targets = [
    ['budget-2016.csv', Buffer.from(budgetText, 'utf8')],
    ['previous-allocations.csv', allocations],
  ];
  if (check) {
    const stale = targets.filter(([name, content]) => {
      const file = path.join(sample, name);
      return !fs.existsSync(file) || !fs.readFileSync(file).equals(content);
    });
    if (stale.length > 0) {
      process.stderr.write(`make-previous-year: ${stale.map(([name]) => `data/sample/${name}`).join(', ')} differ from a fresh run: run node scripts/make-previous-year.mjs\n`);
      process.exitCode = 1;
    } else process.stdout.write('make-previous-year: data/sample/budget-2016.csv and previous-allocations.csv are up to date\n');
  } else {
    for (const [name, content] of targets) fs.writeFileSync(path.join(sample, name), content);
    process.stdout.write('make-previous-year: wrote data/sample/budget-2016.csv and data/sample/previous-allocations.csv\n');
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
