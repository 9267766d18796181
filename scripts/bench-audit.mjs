#!/usr/bin/env node
// Measures what the audit log costs `allocate` on the bundled sample (832 counties):
// the median wall time of the whole command (spawned, as a user runs it), and the median
// in-process time of building the audit log (entries, hash chain, JSON lines) and writing it.
//
// Usage (after npm run build):  node scripts/bench-audit.mjs [runs]
// Benchmark only: nothing in povalloc reads this script or changes its behaviour for it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number.parseInt(process.argv[2] ?? '9', 10);
const counties = join(root, 'data', 'sample', 'counties.csv');
const budget = join(root, 'data', 'sample', 'budget.csv');

const { loadInputs } = await import(join(root, 'dist', 'io', 'load-inputs.js'));
const { allocate } = await import(join(root, 'dist', 'core', 'allocate.js'));
const { renderRun, assembleRunFolder, inputFiles, inputCopyPath } = await import(join(root, 'dist', 'cli', 'run-files.js'));
const { buildAuditRecords, chainAuditRecords, serializeAuditLog, sha256Hex } = await import(join(root, 'dist', 'core', 'audit.js'));
const { canonicalJson } = await import(join(root, 'dist', 'core', 'canonical-json.js'));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const scratch = mkdtempSync(join(tmpdir(), 'povalloc-bench-'));

// 1. The whole command, as a user runs it: wall time, and CPU time (user + system) where
//    /usr/bin/time can tell it, which a busy machine disturbs less.
const wall = [];
const cpu = [];
const timeTool = '/usr/bin/time';
let haveTimeTool = true;
try {
  statSync(timeTool);
} catch {
  haveTimeTool = false;
}
for (let index = 0; index < runs; index++) {
  const out = join(scratch, `run-${index}`);
  const args = [join(root, 'bin', 'povalloc.js'), 'allocate', '--counties', counties, '--budget', budget, '--out', out];
  const start = process.hrtime.bigint();
  const result = haveTimeTool
    ? spawnSync(timeTool, ['-f', 'cpu %U %S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  wall.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (result.status !== 0) throw new Error(result.stderr);
  const match = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (match) cpu.push((Number(match[1]) + Number(match[2])) * 1000);
}
const auditBytes = statSync(join(scratch, 'run-0', 'audit.jsonl')).size;

// 2. In process: the phases, the audit log's apart.
const phases = { load: [], allocate: [], render: [], audit_build: [], audit_write: [], assemble_all: [] };
const auditCpu = [];
let entries = 0;
for (let index = 0; index < runs; index++) {
  let start = performance.now();
  const loaded = loadInputs({ counties, budget, encoding: 'auto' });
  phases.load.push(performance.now() - start);
  start = performance.now();
  const result = allocate(loaded.run);
  phases.allocate.push(performance.now() - start);
  start = performance.now();
  const rendered = renderRun(result, loaded);
  phases.render.push(performance.now() - start);

  start = performance.now();
  const cpuStart = process.cpuUsage();
  const inputs = inputFiles(loaded).map(({ role, file }) => ({ role, name: file.displayName, path: inputCopyPath(role, file), bytes: file.bytes.byteLength, sha256: sha256Hex(file.bytes), encoding: file.encoding }));
  const policyText = canonicalJson(loaded.run.policy.document);
  const policy = { name: loaded.run.policy.document.name, path: 'inputs/policy.json', sha256: sha256Hex(policyText) };
  const outputs = rendered.files.map((file) => ({ path: file.name, bytes: Buffer.byteLength(file.content), sha256: sha256Hex(file.content) }));
  const tables = [['allocations.csv', 'county_code'], ['provinces.csv', 'province_code']].map(([path, subjectColumn]) => ({ path, subjectColumn, ...rendered.tables.get(path) }));
  const chained = chainAuditRecords(buildAuditRecords({ inputs, policy, result, tables, outputs }));
  const text = serializeAuditLog(chained);
  sha256Hex(text);
  phases.audit_build.push(performance.now() - start);
  entries = chained.length;

  start = performance.now();
  const path = join(scratch, `audit-${index}.jsonl`);
  writeFileSync(path, text);
  const handle = openSync(path, 'r');
  fsyncSync(handle);
  closeSync(handle);
  phases.audit_write.push(performance.now() - start);
  const cpuUsed = process.cpuUsage(cpuStart);
  auditCpu.push((cpuUsed.user + cpuUsed.system) / 1000);

  start = performance.now();
  assembleRunFolder(result, loaded, { povallocVersion: 'bench', nodeVersion: process.version, commandLine: [], createdAt: '', options: { encoding: 'auto' } });
  phases.assemble_all.push(performance.now() - start);
}
rmSync(scratch, { recursive: true, force: true });

const wallMedian = median(wall);
const auditMedian = median(phases.audit_build) + median(phases.audit_write);
const report = {
  runs,
  audit_log: { entries, bytes: auditBytes },
  allocate_wall_ms_median: Number(wallMedian.toFixed(1)),
  phases_ms_median: Object.fromEntries(Object.entries(phases).map(([name, values]) => [name, Number(median(values).toFixed(1))])),
  audit_share_of_wall_time: `${((auditMedian / wallMedian) * 100).toFixed(1)}%`,
};
if (cpu.length > 0) {
  report.allocate_cpu_ms_median = Number(median(cpu).toFixed(1));
  report.audit_cpu_ms_median = Number(median(auditCpu).toFixed(1));
  report.audit_share_of_cpu_time = `${((median(auditCpu) / median(cpu)) * 100).toFixed(1)}%`;
}
console.log(JSON.stringify(report, null, 2));
