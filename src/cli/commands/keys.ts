/** `enclave keys create|list|revoke`: API keys, stored as hashes, shown once. */
import { bootstrapUsers, createApiKey } from '../../identity/index.ts';
import { loadConfig } from '../../server/index.ts';
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

async function withStore<T>(config: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const cfg = loadConfig(configPath(config));
  const store = await openStore(cfg.store);
  try {
    // Keys may be created before the first `serve`: the configured principals must exist.
    await bootstrapUsers(store.identities, cfg.users);
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function create(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' }, label: { type: 'string' }, config: { type: 'string' } });
  if (!values.user) throw new UsageError('keys create needs --user ID');
  return withStore(values.config, async (store) => {
    const { key, record } = await createApiKey(store.identities, values.user!, values.label ?? '');
    io.stdout(`${key}\n`);
    io.stderr(`created key ${record.id} for ${record.userId}; it is shown once and stored only as a hash\n`);
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
  return withStore(values.config, async (store) => {
    if (await store.identities.revokeApiKey(id, new Date().toISOString())) {
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
