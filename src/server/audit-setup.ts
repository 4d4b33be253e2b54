/**
 * Opens the deployment's Merkle audit log: the store's audit tables, the sealed key ring in the
 * data directory (generated at first start), and a recorder the gateway pipeline writes to.
 *
 * Key-encryption secret: `ENCLAVE_KEY_SECRET` from the environment (or an HSM/secret manager
 * that sets it). When unset, a random secret is generated into `<data_dir>/audit-key-secret`
 * (mode 0600) and a warning is logged: that keeps a lab install working, but the secret then
 * sits next to the ring it protects, so production deployments must supply it.
 *
 * Several replicas on one PostgreSQL store must share `audit.origin` and the key ring file
 * (create it once with `enclave keys init`, copy it to every replica, set the same secret).
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import { z } from 'zod';
import { AuditLog, checkpointKeysFromRing, createAuditRecorder, startCheckpointSigner, type AuditStore } from '../audit/index.ts';
import { createKeyRing, isValidNoteKeyName, openKeyRing, sealKeyRing, toBase64, type EncryptionPublicKey, type KeyRing, type ScryptParams } from '../crypto/index.ts';
import type { Recorder } from '../gateway/index.ts';
import type { Store } from '../store/index.ts';
import { createPostgresAuditStore, createSqliteAuditStore } from '../store/index.ts';
import type { EnclaveConfig } from './config.ts';
import { ServerError } from './errors.ts';

export const KEY_SECRET_ENV = 'ENCLAVE_KEY_SECRET';
export const KEY_RING_FILE = 'audit-keys.sealed';
export const KEY_SECRET_FILE = 'audit-key-secret';

/** The `audit:` section of the configuration file. */
export const auditConfigSchema = z.strictObject({
  /** Checkpoint origin line and key name; default `enclave/<hostname>`. Replicas must share one. */
  origin: z.string().min(1).max(200).refine(isValidNoteKeyName, 'origin: no "+", spaces or control characters').optional(),
  hash: z.enum(['sha256', 'sha384']).default('sha256'),
  /** How often a signed checkpoint is made when the log grew; 0 only at shutdown and on demand. */
  checkpoint_interval_ms: z.number().int().min(0).max(3_600_000).default(1000),
  /** Most entries per group commit (one fsync). */
  max_batch_size: z.number().int().min(1).max(10_000).default(256),
  /** The sealed key ring; default `<data_dir>/audit-keys.sealed`. */
  key_file: z.string().min(1).optional(),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
export const AUDIT_CONFIG_DEFAULTS: AuditConfig = { hash: 'sha256', checkpoint_interval_ms: 1000, max_batch_size: 256 };

/** What this file needs of the configuration (the whole EnclaveConfig satisfies it). */
export type AuditDeploymentConfig = Pick<EnclaveConfig, 'data_dir'> & { audit?: Partial<AuditConfig> };

export interface AuditKeyOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives the warning about a generated local secret. */
  warn?: (message: string) => void;
  /** scrypt cost for newly sealed rings (tests lower it; opening reads it from the envelope). */
  scryptParams?: ScryptParams;
  now?: () => Date;
}

export interface OpenAuditOptions extends AuditKeyOptions {
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Overrides `audit.checkpoint_interval_ms` (the CLI uses 0). */
  checkpointIntervalMs?: number;
  /** Generate the key ring when there is none (default true; the CLI's readers pass false). */
  createKeys?: boolean;
  /** Called by the log's close(), after the final checkpoint (e.g. the CLI closing its store). */
  closeStore?: () => Promise<void>;
  /** A ring the caller already opened (the CLI's `audit decrypt` needs it too): not read again. */
  ring?: KeyRing;
}

export interface GatewayAudit {
  readonly log: AuditLog;
  readonly recorder: Recorder;
  /**
   * The current bundle's public encryption key: all that sealing content at rest needs. The
   * private halves stay with the ring, which only `enclave audit decrypt` opens for that purpose.
   */
  readonly contentKey: EncryptionPublicKey;
  /** Drains pending appends and signs a final checkpoint; leaves the store open. */
  close(): Promise<void>;
}

function settings(config: AuditDeploymentConfig): AuditConfig {
  return auditConfigSchema.parse({ ...AUDIT_CONFIG_DEFAULTS, ...config.audit });
}

/** The checkpoint origin: configured, or `enclave/<hostname>`. */
export function auditOrigin(config: AuditDeploymentConfig): string {
  return settings(config).origin ?? `enclave/${hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'localhost'}`;
}

/** Where the sealed key ring lives. */
export function keyRingPath(config: AuditDeploymentConfig): string {
  return resolve(config.audit?.key_file ?? resolve(config.data_dir, KEY_RING_FILE));
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` durably with mode 0600; `replace` renames over an existing file, else first writer wins. */
function writeSecretFile(path: string, text: string, replace: boolean): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${nodeRandomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let written = true;
  try {
    if (replace) renameSync(tmp, path);
    else linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    written = false;
  } finally {
    if (!replace) unlinkSync(tmp);
  }
  fsyncDir(dirname(path));
  return written;
}

/** The key-encryption secret: the environment's, else the local secret file (created if missing, with a warning). */
export function resolveKeySecret(config: AuditDeploymentConfig, options: AuditKeyOptions = {}): string {
  const fromEnv = (options.env ?? process.env)[KEY_SECRET_ENV];
  if (fromEnv) return fromEnv;
  const path = resolve(config.data_dir, KEY_SECRET_FILE);
  let secret = readIfExists(path)?.trim();
  if (!secret) {
    writeSecretFile(path, `${toBase64(nodeRandomBytes(32))}\n`, false);
    secret = readFileSync(path, 'utf8').trim();
  }
  options.warn?.(`${KEY_SECRET_ENV} is not set: the audit key ring is sealed with the local secret ${path}; in production supply the secret from the environment or an HSM and remove that file`);
  return secret;
}

/** Opens the sealed key ring, or returns undefined when there is none yet. */
export async function readKeyRing(config: AuditDeploymentConfig, options: AuditKeyOptions = {}): Promise<KeyRing | undefined> {
  const envelope = readIfExists(keyRingPath(config));
  if (envelope === undefined) return undefined;
  try {
    return await openKeyRing(envelope, resolveKeySecret(config, options));
  } catch (err) {
    throw new ServerError('START_FAILED', `cannot open the audit key ring ${keyRingPath(config)}: ${(err as Error).message} (is ${KEY_SECRET_ENV} the secret it was sealed with?)`, { cause: err });
  }
}

/** Seals and writes a ring; without `replace` it refuses to overwrite (returns false). */
export async function writeKeyRing(config: AuditDeploymentConfig, ring: KeyRing, options: AuditKeyOptions & { replace?: boolean } = {}): Promise<boolean> {
  const envelope = await sealKeyRing(ring, resolveKeySecret(config, options), options.scryptParams);
  return writeSecretFile(keyRingPath(config), envelope, options.replace === true);
}

/** The ring in the data directory, generated and sealed at first use. */
export async function loadOrCreateKeyRing(config: AuditDeploymentConfig, options: AuditKeyOptions = {}): Promise<{ ring: KeyRing; created: boolean }> {
  const existing = await readKeyRing(config, options);
  if (existing) return { ring: existing, created: false };
  const ring = createKeyRing((options.now ?? (() => new Date()))());
  // Two processes starting together: the first link wins and the other opens its ring.
  if (await writeKeyRing(config, ring, options)) return { ring, created: true };
  return { ring: (await readKeyRing(config, options))!, created: false };
}

/** The AuditStore for an opened store, chosen by its kind. */
export function auditStoreOf(store: Store): AuditStore & { close?(): Promise<void> } {
  if (store.kind === 'sqlite') {
    const db = (store as { db?: Database.Database }).db;
    if (db) return createSqliteAuditStore(db);
  } else if (store.kind === 'postgres') {
    const sql = (store as { sql?: postgres.Sql }).sql;
    if (sql) return createPostgresAuditStore(sql);
  }
  throw new ServerError('START_FAILED', `the ${store.kind} store has no audit tables handle`);
}

/**
 * Opens the audit log for a gateway (or a CLI command) over an opened store.
 * @example const audit = await openGatewayAudit(config, store, { logger }); deps.recorder = audit.recorder;
 */
export async function openGatewayAudit(config: AuditDeploymentConfig, store: Store, opts: OpenAuditOptions = {}): Promise<GatewayAudit> {
  const s = settings(config);
  const warn = opts.warn ?? ((m: string) => opts.logger?.warn(m));
  let loaded: { ring: KeyRing; created: boolean } | undefined;
  if (opts.ring) loaded = { ring: opts.ring, created: false };
  else if (opts.createKeys === false) loaded = await readKeyRing(config, { ...opts, warn }).then((r) => r && { ring: r, created: false });
  else loaded = await loadOrCreateKeyRing(config, { ...opts, warn });
  if (!loaded) throw new ServerError('START_FAILED', `no audit key ring at ${keyRingPath(config)}: run \`enclave keys init\` or start the gateway once`);
  const { ring, created } = loaded;
  if (created) opts.logger?.warn(`generated a new audit key ring at ${keyRingPath(config)}; publish its public keys with \`enclave audit pubkey\``);
  const origin = auditOrigin(config);
  const auditStore = auditStoreOf(store);
  const interval = opts.checkpointIntervalMs ?? s.checkpoint_interval_ms;
  // A long-running gateway signs off the event loop; a CLI command (no timer) signs inline.
  const signer = interval > 0 ? startCheckpointSigner(origin, ring) : undefined;
  const closeStore = async () => {
    await auditStore.close?.();
    await opts.closeStore?.();
  };
  const log = await AuditLog.open({
    store: auditStore,
    origin,
    keys: checkpointKeysFromRing(origin, ring),
    ...(signer ? { signer } : {}),
    hashAlgorithm: s.hash,
    maxBatchSize: s.max_batch_size,
    checkpointIntervalMs: interval,
    ...(opts.now ? { now: opts.now } : {}),
    onError: (err) => opts.logger?.error({ err }, 'audit checkpoint failed'),
    closeStore,
  }).catch(async (err: unknown) => {
    await signer?.close();
    await auditStore.close?.();
    throw err;
  });
  return { log, recorder: createAuditRecorder(log), contentKey: ring.current.encryption.publicKey, close: () => log.close() };
}
