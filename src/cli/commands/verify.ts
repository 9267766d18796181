import type { Command } from 'commander';
import { verifyRun, type Finding, type VerifyReport } from '../../core/verify-run.js';
import { readPublicKey } from '../../io/keys.js';
import { openRunFolder } from '../../io/read-run-folder.js';
import { EXIT_DIFFERENCE, EXIT_OK, type Io } from '../io.js';
import { painterFor } from '../options.js';
import { checkStoredAuditLogOnTwoThreads } from '../chain-split.js';

interface VerifyOptions {
  publicKey?: string;
  json?: boolean;
  color?: boolean;
}

const EXAMPLES = `
Examples:
  # check a run folder someone gave you
  povalloc verify runs/2017

  # also check that it was signed with the key whose public half you hold
  povalloc verify runs/2017 --public-key finance-office.key.pub

verify reads, it does not allocate: it recomputes the SHA-256 of every file
listed in manifest.json, the manifest's own hash and the audit log's hash
chain. Exit 0 when everything holds; exit 1 naming the first broken audit
entry (its seq) or the file that differs; exit 2 when RUN is not a folder.`;

export function describeFinding(finding: Finding): string {
  return `${finding.file}: ${finding.message}`;
}

function verifyDocument(run: string, report: VerifyReport): Record<string, unknown> {
  const first = report.findings[0];
  return {
    schema_version: 1,
    command: 'verify',
    run,
    ok: report.ok,
    first_problem: first ? { file: first.file, seq: first.seq ?? null, message: first.message } : null,
    problems: report.findings.map((finding) => ({ file: finding.file, seq: finding.seq ?? null, message: finding.message })),
    recorded: report.manifest
      ? { povalloc_version: report.manifest.povalloc_version, node_version: report.manifest.node_version, created_at: report.manifest.created_at, command_line: report.manifest.command_line }
      : null,
    audit: { entries: report.audit.entries, intact: report.audit.intact, head_hash: report.audit.headHash },
    files: report.files,
    unlisted_files: report.unlisted,
    signature: report.signature,
  };
}

const SIGNATURE_TEXT: Record<VerifyReport['signature'], string> = {
  valid: 'valid: signed with the given key',
  missing: 'MISSING: the manifest is not signed',
  invalid: 'INVALID: the manifest was changed after signing',
  other_key: 'signed with ANOTHER key than the one given',
  not_checked: 'present, not checked (give --public-key FILE.pub to check it)',
  unsigned: 'none (the run was not signed)',
};

function verifyText(run: string, report: VerifyReport, io: Io, options: VerifyOptions): string {
  const paint = painterFor(io, options);
  const lines: string[] = [paint.bold(`povalloc verify ${run}`)];
  const manifest = report.manifest;
  if (manifest) {
    lines.push(`  made by povalloc ${manifest.povalloc_version} on Node ${manifest.node_version}; created_at ${manifest.created_at} (informational, not covered by any hash)`);
    lines.push(`  command: ${manifest.command_line.join(' ')}`);
  }
  const width = Math.max(14, ...report.files.map((file) => file.path.length));
  const problemFiles = new Set(report.findings.map((finding) => finding.file));
  if (manifest) lines.push(`  ${'manifest.json'.padEnd(width)}  ${problemFiles.has('manifest.json') ? paint.yellow('FAILED') : 'ok'}`);
  if (manifest) lines.push(`  ${'audit chain'.padEnd(width)}  ${report.audit.intact ? `ok: ${report.audit.entries} entries, last hash ${report.audit.headHash.slice(0, 16)}…` : paint.yellow('FAILED')}`);
  for (const file of report.files) {
    lines.push(`  ${file.path.padEnd(width)}  ${file.status === 'ok' ? 'ok' : paint.yellow(file.status === 'missing' ? 'MISSING' : 'DIFFERS')}`);
  }
  if (manifest) lines.push(`  ${'signature'.padEnd(width)}  ${SIGNATURE_TEXT[report.signature]}`);
  for (const path of report.unlisted) lines.push(paint.dim(`  note: ${path} is in the folder but not in the manifest (not part of the run)`));
  lines.push('');
  if (report.ok) {
    lines.push(paint.green(`verified: the audit chain and the hashes of all ${report.files.length} files hold.`));
  } else {
    for (const finding of report.findings) lines.push(paint.yellow(`FAILED ${describeFinding(finding)}`));
    const first = report.findings[0]!;
    lines.push(`verify: ${report.findings.length} problem(s); the first: ${first.file}${first.seq !== undefined ? `, entry seq ${first.seq}` : ''}.`);
  }
  return `${lines.join('\n')}\n`;
}

function run(dir: string, options: VerifyOptions, io: Io): number {
  const publicKey = options.publicKey === undefined ? undefined : readPublicKey(options.publicKey);
  // A large run's log is checked on two threads (see chain-split.ts): the same report.
  const report = verifyRun(openRunFolder(dir), { publicKey, checkLog: checkStoredAuditLogOnTwoThreads });
  if (options.json) io.stdout(`${JSON.stringify(verifyDocument(dir, report), null, 2)}\n`);
  else io.stdout(verifyText(dir, report, io, options));
  return report.ok ? EXIT_OK : EXIT_DIFFERENCE;
}

export function registerVerify(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description("Check a run folder's audit chain, file hashes and signature, without recomputing anything.")
    .argument('<run>', 'the run folder (written by allocate --out)')
    .option('--public-key <file>', 'check the signature with this Ed25519 public key (KEYFILE.pub from povalloc keygen); exit 1 if it is missing or bad')
    .option('--json', 'print one JSON document on stdout instead of the text report')
    .option('--no-color', 'plain text without colour')
    .addHelpText('after', EXAMPLES)
    .action((dir: string, options: VerifyOptions) => setExit(run(dir, options, io)));
}
