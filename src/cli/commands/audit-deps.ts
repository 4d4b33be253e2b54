/** The deployment side of `enclave audit`: opens the configured store and key ring as an AuditLog. */
import type { AuditLog } from '../../audit/index.ts';
import { keyRingEncryptionKeys } from '../../crypto/index.ts';
import { keyRingPath, loadConfig, openGatewayAudit, readKeyRing, ServerError } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import { configPath } from '../args.ts';
import type { ContentAccess } from './audit-decrypt.ts';
import type { AuditCommandDeps } from './audit.ts';

const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);

/**
 * Opens the log named by `--config` without a checkpoint timer; closing the log closes the store.
 * It never creates keys: a deployment without a key ring is an error, not a fresh log.
 * @example const code = await createAuditCommand({ openAuditLog })(['verify', '--config', 'enclave.yaml'], io)
 */
export async function openAuditLog(options: { config?: string }, env: NodeJS.ProcessEnv = process.env): Promise<AuditLog> {
  const config = loadConfig(configPath(options.config), env);
  const store = await openStore(config.store);
  try {
    const audit = await openGatewayAudit(config, store, { env, checkpointIntervalMs: 0, createKeys: false, closeStore: () => store.close(), warn });
    return audit.log;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Opens what `audit decrypt` needs: the log, the sealed content and the ring's encryption key
 * pairs. The ring (secret from ENCLAVE_KEY_SECRET, as for the gateway) is opened once for both
 * signing the log's checkpoints and decrypting.
 */
export async function openContentAccess(options: { config?: string }, env: NodeJS.ProcessEnv = process.env): Promise<ContentAccess> {
  const config = loadConfig(configPath(options.config), env);
  const ring = await readKeyRing(config, { env, warn });
  if (!ring) throw new ServerError('START_FAILED', `no audit key ring at ${keyRingPath(config)}: nothing was ever sealed for it`);
  const store = await openStore(config.store);
  try {
    const audit = await openGatewayAudit(config, store, { env, checkpointIntervalMs: 0, ring, closeStore: () => store.close(), warn });
    return { log: audit.log, content: store.content, keys: keyRingEncryptionKeys(ring), close: () => audit.log.close({ checkpoint: true }) };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** What `createAuditCommand` needs for a deployment. */
export const auditCommandDeps: AuditCommandDeps = {
  openAuditLog: (options) => openAuditLog(options),
  openContentAccess: (options) => openContentAccess(options),
};
