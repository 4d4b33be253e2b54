/** The deployment side of `enclave audit`: opens the configured store and key ring as an AuditLog. */
import type { AuditLog } from '../../audit/index.ts';
import { loadConfig, openGatewayAudit } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import { configPath } from '../args.ts';
import type { AuditCommandDeps } from './audit.ts';

/**
 * Opens the log named by `--config` without a checkpoint timer; closing the log closes the store.
 * It never creates keys: a deployment without a key ring is an error, not a fresh log.
 * @example const code = await createAuditCommand({ openAuditLog })(['verify', '--config', 'enclave.yaml'], io)
 */
export async function openAuditLog(options: { config?: string }, env: NodeJS.ProcessEnv = process.env): Promise<AuditLog> {
  const config = loadConfig(configPath(options.config), env);
  const store = await openStore(config.store);
  try {
    const audit = await openGatewayAudit(config, store, {
      env, checkpointIntervalMs: 0, createKeys: false, closeStore: () => store.close(),
      warn: (m) => process.stderr.write(`warning: ${m}\n`),
    });
    return audit.log;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** What `createAuditCommand` needs for a deployment. */
export const auditCommandDeps: AuditCommandDeps = { openAuditLog: (options) => openAuditLog(options) };
