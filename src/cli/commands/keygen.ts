import type { Command } from 'commander';
import { publicKeyFingerprint } from '../../core/manifest.js';
import { writeKeyPair } from '../../io/keys.js';
import { EXIT_OK, type Io } from '../io.js';

interface KeygenOptions {
  out: string;
  force?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  # make a key pair once: keep finance-office.key to yourself, hand out finance-office.key.pub
  povalloc keygen --out finance-office.key

  # sign a run with it, and let an auditor check the signature
  povalloc allocate --counties counties.csv --budget budget.csv --out runs/2017 --sign finance-office.key
  povalloc verify runs/2017 --public-key finance-office.key.pub

The private key (KEYFILE) is written readable by you only (mode 0600) and is
not protected by a passphrase: keep it somewhere safe. The public key goes to
KEYFILE.pub. Existing files are not replaced unless --force.`;

function run(options: KeygenOptions, io: Io): number {
  const { privatePath, publicPath, publicKey } = writeKeyPair(options.out, Boolean(options.force));
  const fingerprint = publicKeyFingerprint(publicKey);
  if (options.json) {
    io.stdout(`${JSON.stringify({ schema_version: 1, command: 'keygen', algorithm: 'ed25519', private_key: privatePath, public_key: publicPath, public_key_sha256: fingerprint }, null, 2)}\n`);
  } else {
    io.stdout(`Ed25519 key pair written:\n  private key  ${privatePath}  (mode 0600: keep it to yourself)\n  public key   ${publicPath}  (give this to auditors)\n  public key SHA-256 ${fingerprint}\n`);
  }
  return EXIT_OK;
}

export function registerKeygen(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('keygen')
    .description('Make an Ed25519 key pair for signing run folders (allocate --sign, verify --public-key).')
    .requiredOption('--out <keyfile>', 'private key file to write; the public key goes to KEYFILE.pub')
    .option('--force', 'replace existing key files')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', EXAMPLES)
    .action((options: KeygenOptions) => setExit(run(options, io)));
}
