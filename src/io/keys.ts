/**
 * Ed25519 key files for signing run manifests, with Node's own crypto: the
 * private key as PKCS#8 PEM readable only by its owner (mode 0600), the
 * public key as SPKI PEM beside it (KEYFILE.pub).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from '../core/problems.js';

function readKeyText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})`);
  }
}

export function readSigningKey(path: string): KeyObject {
  const text = readKeyText(path, '--sign');
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new UsageError(`--sign ${path}: not a private key in PEM form (make one with: povalloc keygen --out ${path})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`--sign ${path}: an ${key.asymmetricKeyType} key; povalloc signs with Ed25519 keys (povalloc keygen)`);
  return key;
}

export function readPublicKey(path: string): KeyObject {
  const text = readKeyText(path, '--public-key');
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new UsageError(`--public-key ${path}: not a public key in PEM form (the .pub file that povalloc keygen wrote)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`--public-key ${path}: an ${key.asymmetricKeyType} key; povalloc signatures use Ed25519`);
  return key;
}

/** Writes KEYFILE (private, 0600) and KEYFILE.pub; refuses to replace either unless `force`. */
export function writeKeyPair(path: string, force: boolean): { privatePath: string; publicPath: string; publicKey: KeyObject } {
  const publicPath = `${path}.pub`;
  for (const target of [path, publicPath]) {
    if (existsSync(target) && !force) throw new UsageError(`--out ${path}: ${target} exists; choose another name or add --force to replace it`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  try {
    // Created afresh with mode 0600 (never an old file's looser mode), and exactly 0600 whatever the umask.
    rmSync(path, { force: true });
    writeFileSync(path, privatePem, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    writeFileSync(publicPath, publicPem, { mode: 0o644 });
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot write the key files (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return { privatePath: path, publicPath, publicKey };
}
