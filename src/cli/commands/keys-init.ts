/**
 * `enclave keys init` and `enclave keys rotate`: the audit signing and encryption key ring,
 * sealed in the data directory (see src/server/audit-setup.ts for where the secret comes from).
 * Rotation retires the current bundle: its public keys stay, so old checkpoints still verify.
 */
import { checkpointKeysFromRing } from '../../audit/index.ts';
import { createKeyRing, formatNoteVerifierKey, rotateKeyRing, type KeyRing } from '../../crypto/index.ts';
import { auditOrigin, keyRingPath, loadConfig, openGatewayAudit, readKeyRing, writeKeyRing, type EnclaveConfig } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import { configPath, parseFlags } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

function printPublicKeys(config: EnclaveConfig, ring: KeyRing, io: CliIO): void {
  for (const k of checkpointKeysFromRing(auditOrigin(config), ring).verifiers) io.stdout(`${formatNoteVerifierKey(k)}\n`);
}

/** Appends a `key` entry to the log; the running gateway's next checkpoint covers it. */
async function recordKeyEvent(config: EnclaveConfig, env: NodeJS.ProcessEnv, action: string, details: Record<string, string>): Promise<void> {
  const store = await openStore(config.store);
  const audit = await openGatewayAudit(config, store, { env, checkpointIntervalMs: 0, createKeys: false, closeStore: () => store.close() }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  try {
    await audit.log.append({ kind: 'key', actor: 'system:cli', action, details });
  } finally {
    // No checkpoint here: a gateway still running with the previous ring signs the next one.
    await audit.log.close({ checkpoint: false });
  }
}

function setup(argv: string[], io: CliIO, env: NodeJS.ProcessEnv) {
  const { values } = parseFlags(argv, { config: { type: 'string' } });
  const config = loadConfig(configPath(values.config), env);
  return { config, options: { env, warn: (m: string) => io.stderr(`warning: ${m}\n`) } };
}

/** `enclave keys init [--config F]`: creates the ring; prints its note verifier keys on stdout. */
export function createKeysInitCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return async (argv, io) => {
    const { config, options } = setup(argv, io, env);
    if (await readKeyRing(config, options)) {
      io.stderr(`an audit key ring already exists at ${keyRingPath(config)}; use \`enclave keys rotate\` to replace its keys\n`);
      return 1;
    }
    const ring = createKeyRing();
    if (!(await writeKeyRing(config, ring, options))) {
      io.stderr(`another process created ${keyRingPath(config)} first\n`);
      return 1;
    }
    await recordKeyEvent(config, env, 'keys.init', { bundle: ring.current.id });
    io.stderr(`created audit key bundle ${ring.current.id} in ${keyRingPath(config)}; pin these verifier keys with your auditors:\n`);
    printPublicKeys(config, ring, io);
    return 0;
  };
}

/** `enclave keys rotate [--config F]`: a new current bundle, the old one retired; restart the gateway to sign with it. */
export function createKeysRotateCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return async (argv, io) => {
    const { config, options } = setup(argv, io, env);
    const ring = await readKeyRing(config, options);
    if (!ring) {
      io.stderr(`no audit key ring at ${keyRingPath(config)}; run \`enclave keys init\` first\n`);
      return 1;
    }
    const rotated = rotateKeyRing(ring);
    await writeKeyRing(config, rotated, { ...options, replace: true });
    await recordKeyEvent(config, env, 'keys.rotate', { bundle: rotated.current.id, retired: ring.current.id });
    io.stderr(`rotated: ${rotated.current.id} is current, ${ring.current.id} retired (its public keys still verify old checkpoints); restart the gateway to sign with the new keys\n`);
    printPublicKeys(config, rotated, io);
    return 0;
  };
}

export const keysInitCommand: CliCommand = createKeysInitCommand();
export const keysRotateCommand: CliCommand = createKeysRotateCommand();
