/**
 * Signatures: keygen writes an Ed25519 pair (private key 0600), allocate
 * --sign signs the manifest, verify --public-key accepts the right key and
 * exits 1 on a missing or bad signature or another key.
 */
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/audit.js';
import { manifestSignedText, type Manifest } from '../src/core/manifest.js';
import { runCli, tempDir } from './helpers.js';
import { allocateSmall } from './run-record-helpers.js';

const KEYS = tempDir('povalloc-keys-');
const OWN_KEY = join(KEYS, 'office.key');
const OTHER_KEY = join(KEYS, 'other.key');
expect(runCli(['keygen', '--out', OWN_KEY]).code).toBe(0);
expect(runCli(['keygen', '--out', OTHER_KEY]).code).toBe(0);
const SIGNED = allocateSmall(['--sign', OWN_KEY]);
const UNSIGNED = allocateSmall();

function copy(run: string): string {
  const dir = join(tempDir(), 'run');
  cpSync(run, dir, { recursive: true });
  return dir;
}

describe('keygen', () => {
  it('writes an Ed25519 private key readable by its owner only, and the public key beside it', () => {
    const privateKey = createPrivateKey(readFileSync(OWN_KEY, 'utf8'));
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(readFileSync(`${OWN_KEY}.pub`, 'utf8')).asymmetricKeyType).toBe('ed25519');
    if (process.platform !== 'win32') expect(statSync(OWN_KEY).mode & 0o777).toBe(0o600);
  });

  it('refuses to replace an existing key unless --force', () => {
    const before = readFileSync(OWN_KEY, 'utf8');
    const refused = runCli(['keygen', '--out', OWN_KEY]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists');
    expect(readFileSync(OWN_KEY, 'utf8')).toBe(before);
    const replaced = join(KEYS, 'replaced.key');
    writeFileSync(replaced, 'old', { mode: 0o644 });
    expect(runCli(['keygen', '--out', replaced, '--force']).code).toBe(0);
    if (process.platform !== 'win32') expect(statSync(replaced).mode & 0o777).toBe(0o600);
  });
});

describe('allocate --sign and verify --public-key', () => {
  it('a signed run verifies with its own public key', () => {
    const manifest = JSON.parse(readFileSync(join(SIGNED, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.signature).toMatchObject({ algorithm: 'ed25519' });
    const result = runCli(['verify', SIGNED, '--public-key', `${OWN_KEY}.pub`]);
    expect(result.stdout).toContain('valid: signed with the given key');
    expect(result.code).toBe(0);
  });

  it('without --public-key the signature is reported, not checked', () => {
    const result = runCli(['verify', SIGNED]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('present, not checked');
  });

  it('another key: exit 1', () => {
    const result = runCli(['verify', SIGNED, '--public-key', `${OTHER_KEY}.pub`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED manifest.json: is signed with another key');
  });

  it('a missing signature: exit 1', () => {
    const result = runCli(['verify', UNSIGNED, '--public-key', `${OWN_KEY}.pub`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED manifest.json: is not signed');
  });

  it('a damaged signature: exit 1', () => {
    const dir = copy(SIGNED);
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    const value = manifest.signature!.value;
    const damaged = { ...manifest, signature: { ...manifest.signature!, value: (value[0] === 'A' ? 'B' : 'A') + value.slice(1) } };
    writeFileSync(path, `${JSON.stringify(damaged, null, 2)}\n`);
    const result = runCli(['verify', dir, '--public-key', `${OWN_KEY}.pub`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED manifest.json: its signature is not valid');
  });

  it('a manifest re-hashed by a forger after changing it still fails the signature', () => {
    const dir = copy(SIGNED);
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest & { totals: Record<string, string> };
    const forged = { ...manifest, totals: { ...manifest.totals, total: '28500001.00' } };
    forged.manifest_hash = sha256Hex(manifestSignedText(forged));
    writeFileSync(path, `${JSON.stringify(forged, null, 2)}\n`);
    expect(runCli(['verify', dir]).code).toBe(0); // the hashes alone cannot tell
    const result = runCli(['verify', dir, '--public-key', `${OWN_KEY}.pub`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('its signature is not valid');
  });

  it('a missing key file, or a public key given to --sign: exit 2, nothing written', () => {
    const missing = runCli(['verify', SIGNED, '--public-key', join(KEYS, 'nope.pub')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const out = join(tempDir(), 'r');
    const wrongKind = runCli(['allocate', '--counties', 'x.csv', '--budget', 'y.csv', '--out', out, '--sign', `${OWN_KEY}.pub`]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('not a private key');
  });
});
