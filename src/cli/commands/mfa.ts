/** `enclave mfa enroll|status|remove`: TOTP enrolment of approvers. A secret is shown once, at enrolment. */
import { ApprovalError, approvalsConfigSchema, enrollTotp, loadSecretSealer, type ApprovalStore } from '../../approvals/index.ts';
import { bootstrapUsers } from '../../identity/index.ts';
import { loadConfig, type EnclaveConfig } from '../../server/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { configPath, parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave mfa enroll --user ID [--force] [--config F]   prints the otpauth:// URI once (scan it into an authenticator)
  enclave mfa status [--config F]                       lists enrolled users (never secrets)
  enclave mfa remove --user ID [--config F]
`;

/** The store's approvals handle: `store.approvals` once wired, else built over the open connection. */
export function approvalStoreOf(store: Store): ApprovalStore {
  return store.approvals;
}

async function withStore<T>(config: string | undefined, fn: (store: Store, approvals: ApprovalStore, cfg: EnclaveConfig) => Promise<T>): Promise<T> {
  const cfg = loadConfig(configPath(config));
  const store = await openStore(cfg.store);
  try {
    // Approvers may be enrolled before the first `serve`: the configured principals must exist.
    await bootstrapUsers(store.identities, cfg.users);
    return await fn(store, approvalStoreOf(store), cfg);
  } finally {
    await store.close();
  }
}

async function enroll(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' }, force: { type: 'boolean' }, config: { type: 'string' } });
  if (!values.user) throw new UsageError('mfa enroll needs --user ID');
  return withStore(values.config, async (store, approvals, cfg) => {
    const settings = approvalsConfigSchema.parse((cfg as Record<string, unknown>).approvals);
    const sealer = loadSecretSealer({ dataDir: cfg.data_dir });
    let uri: string;
    try {
      ({ uri } = await enrollTotp({ store: approvals, identities: store.identities, sealer }, values.user!, { issuer: settings.totp_issuer, replace: values.force === true }));
    } catch (err) {
      if (!(err instanceof ApprovalError)) throw err;
      io.stderr(`enclave mfa: ${err.message}\n`);
      return 1;
    }
    io.stdout(`${uri}\n`);
    io.stderr(`enrolled ${values.user} for TOTP; the secret is shown once and stored sealed\n`);
    return 0;
  });
}

async function status(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('mfa status takes no arguments');
  return withStore(values.config, async (_store, approvals) => {
    io.stdout(`${'USER'.padEnd(20)}ENROLLED\n`);
    for (const u of await approvals.listTotpUsers()) io.stdout(`${u.userId.padEnd(20)}${u.createdAt}\n`);
    return 0;
  });
}

async function remove(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' }, config: { type: 'string' } });
  if (!values.user) throw new UsageError('mfa remove needs --user ID');
  return withStore(values.config, async (_store, approvals) => {
    if (await approvals.deleteTotp(values.user!)) {
      io.stdout(`removed the TOTP enrolment of ${values.user}\n`);
      return 0;
    }
    io.stderr(`${values.user} is not enrolled\n`);
    return 1;
  });
}

export const mfaCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'enroll': return enroll(rest, io);
    case 'status': return status(rest, io);
    case 'remove': return remove(rest, io);
    default:
      io.stderr(USAGE);
      return sub === 'help' || sub === '--help' ? 0 : 2;
  }
};
