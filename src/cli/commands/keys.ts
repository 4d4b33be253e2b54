/**
 * `enclave keys create|list|revoke`: API keys, stored as hashes, shown once. Creating or
 * revoking a key is a key change, so it is an audit entry; a change that cannot be audited is
 * not made (or is undone).
 */
import { userInfo } from 'node:os';
import { bootstrapUsers, createApiKey } from '../../identity/index.ts';
import { loadConfig, openGatewayAudit, type EnclaveConfig } from '../../server/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { configPath, parseFlags, UsageError } from '../args.ts';
import { keysInitCommand, keysRotateCommand } from './keys-init.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave keys init [--config F]      generate the audit signing and encryption key ring (also done at first start)
  enclave keys rotate [--config F]    new signing keys; old public keys stay valid for verification
  enclave keys create --user ID [--label TEXT] [--config F]   prints a new key once on stdout
  enclave keys list [--user ID] [--config F]
  enclave keys revoke KEY_ID [--config F]
`;

async function withStore<T>(config: string | undefined, fn: (store: Store, cfg: EnclaveConfig) => Promise<T>): Promise<T> {
  const cfg = loadConfig(configPath(config));
  const store = await openStore(cfg.store);
  try {
    // Keys may be created before the first `serve`: the configured principals must exist.
    await bootstrapUsers(store.identities, cfg.users);
    return await fn(store, cfg);
  } finally {
    await store.close();
  }
}

type RecordKeyChange = (action: string, details: Record<string, string>) => Promise<void>;

/**
 * Like withStore, with the deployment's audit log open (its key ring is created on a first run,
 * exactly as the gateway's first start would). The log is opened before anything changes.
 */
async function withAuditedStore<T>(config: string | undefined, fn: (store: Store, record: RecordKeyChange) => Promise<T>): Promise<T> {
  return withStore(config, async (store, cfg) => {
    const audit = await openGatewayAudit(cfg, store, { checkpointIntervalMs: 0 });
    try {
      return await fn(store, async (action, details) => {
        await audit.log.append({ kind: 'key', actor: 'system:cli', action, details: { ...details, os_user: osUser() } });
      });
    } finally {
      // No checkpoint: a running gateway signs the next one and covers this entry.
      await audit.log.close({ checkpoint: false });
    }
  });
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function create(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' }, label: { type: 'string' }, config: { type: 'string' } });
  if (!values.user) throw new UsageError('keys create needs --user ID');
  return withAuditedStore(values.config, async (store, record) => {
    const { key, record: created } = await createApiKey(store.identities, values.user!, values.label ?? '');
    try {
      await record('keys.create', { key_id: created.id, user: created.userId });
    } catch (err) {
      await store.identities.revokeApiKey(created.id, new Date().toISOString());
      throw err;
    }
    io.stdout(`${key}\n`);
    io.stderr(`created key ${created.id} for ${created.userId}; it is shown once and stored only as a hash\n`);
    return 0;
  });
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' }, config: { type: 'string' } });
  return withStore(values.config, async (store) => {
    const keys = await store.identities.listApiKeys(values.user);
    io.stdout(`${'KEY_ID'.padEnd(14)}${'USER'.padEnd(14)}${'CREATED'.padEnd(26)}${'STATUS'.padEnd(10)}LABEL\n`);
    for (const k of keys) {
      io.stdout(`${k.id.padEnd(14)}${k.userId.padEnd(14)}${k.createdAt.padEnd(26)}${(k.revokedAt ? 'revoked' : 'active').padEnd(10)}${k.label}\n`);
    }
    return 0;
  });
}

async function revoke(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('keys revoke takes one KEY_ID');
  return withAuditedStore(values.config, async (store, record) => {
    const key = await store.identities.getApiKey(id);
    if (await store.identities.revokeApiKey(id, new Date().toISOString())) {
      // Revocation stands even if the entry fails: failing closed here means the key stays revoked.
      await record('keys.revoke', { key_id: id, user: key?.userId ?? 'unknown' });
      io.stdout(`revoked ${id}\n`);
      return 0;
    }
    io.stderr(`no active key ${id}\n`);
    return 1;
  });
}

export const keysCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': return create(rest, io);
    case 'list': return list(rest, io);
    case 'revoke': return revoke(rest, io);
    case 'init': return keysInitCommand(rest, io);
    case 'rotate': return keysRotateCommand(rest, io);
    default:
      io.stderr(USAGE);
      return 2;
  }
};
