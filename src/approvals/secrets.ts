/**
 * The approvals key: 256 random bits that seal TOTP secrets and the receipt signing key at
 * rest in the store. It lives in `<data_dir>/approvals.key` (created at first start, mode
 * 0600) or in ENCLAVE_APPROVALS_KEY; replicas sharing a PostgreSQL store need the same key.
 */
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoError, decryptKeyMaterial, encryptKeyMaterial, fromBase64, randomBytes, toBase64, utf8 } from '../crypto/index.ts';
import { ApprovalError } from './errors.ts';

export const APPROVALS_KEY_ENV = 'ENCLAVE_APPROVALS_KEY';
export const APPROVALS_KEY_FILE = 'approvals.key';
const KEY_BYTES = 32;

// The key is 256 uniformly random bits, not a passphrase: scrypt's minimum cost is enough, and
// keeps a TOTP check to a couple of milliseconds.
const SEAL_KDF = { N: 2 ** 10, r: 8, p: 1 } as const;

/** Seals small secrets to this deployment's approvals key, each bound to a purpose string. */
export interface SecretSealer {
  seal(purpose: string, data: Uint8Array): Promise<string>;
  /** Throws ApprovalError('SECRETS_MISMATCH') for another key's or another purpose's envelope. */
  open(purpose: string, sealed: string): Promise<Uint8Array>;
}

function decodeKey(text: string, where: string): Uint8Array {
  let key: Uint8Array;
  try {
    key = Buffer.from(text.trim(), 'base64url');
  } catch (err) {
    throw new ApprovalError('SECRETS_UNAVAILABLE', `${where}: not base64url`, { cause: err });
  }
  if (key.length !== KEY_BYTES) throw new ApprovalError('SECRETS_UNAVAILABLE', `${where}: expected ${KEY_BYTES} bytes of base64url, got ${key.length}`);
  return new Uint8Array(key);
}

/**
 * Seals with scrypt + AES-256-GCM (crypto's key-material envelope). The purpose travels inside
 * the ciphertext, so an envelope copied to another row (another user's TOTP secret) fails to open.
 */
export function createSecretSealer(key: Uint8Array): SecretSealer {
  if (key.length !== KEY_BYTES) throw new ApprovalError('SECRETS_UNAVAILABLE', `the approvals key must be ${KEY_BYTES} bytes`);
  const secret = new Uint8Array(key);
  return {
    async seal(purpose, data) {
      return (await encryptKeyMaterial(utf8(JSON.stringify({ p: purpose, d: toBase64(data) })), secret, SEAL_KDF)).trim();
    },
    async open(purpose, sealed) {
      let plain: Uint8Array;
      try {
        plain = await decryptKeyMaterial(sealed, secret);
      } catch (err) {
        if (err instanceof CryptoError) {
          throw new ApprovalError('SECRETS_MISMATCH', 'a sealed secret does not open with this approvals key: every replica needs the same key', { cause: err });
        }
        throw err;
      }
      const inner = JSON.parse(Buffer.from(plain).toString('utf8')) as { p?: unknown; d?: unknown };
      if (inner.p !== purpose || typeof inner.d !== 'string') throw new ApprovalError('SECRETS_MISMATCH', `a sealed secret was sealed for another purpose than ${purpose}`);
      return fromBase64(inner.d);
    },
  };
}

function readKeyFile(path: string): Uint8Array {
  const mode = statSync(path).mode;
  // Like ssh with private keys: a key others can read is no longer a secret of this service.
  if ((mode & 0o077) !== 0) throw new ApprovalError('SECRETS_UNAVAILABLE', `${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  return decodeKey(readFileSync(path, 'utf8'), path);
}

/**
 * Loads the approvals key from the environment, else from the data dir, creating it there on
 * first start (exclusively, so two processes starting on one host agree on one key).
 * @example const sealer = loadSecretSealer({ dataDir: config.data_dir })
 */
export function loadSecretSealer(options: { dataDir: string; env?: NodeJS.ProcessEnv; create?: boolean }): SecretSealer {
  const fromEnv = (options.env ?? process.env)[APPROVALS_KEY_ENV];
  if (fromEnv) return createSecretSealer(decodeKey(fromEnv, APPROVALS_KEY_ENV));
  const path = join(options.dataDir, APPROVALS_KEY_FILE);
  try {
    return createSecretSealer(readKeyFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof ApprovalError) throw err;
      throw new ApprovalError('SECRETS_UNAVAILABLE', `cannot read ${path}`, { cause: err });
    }
  }
  if (options.create === false) throw new ApprovalError('SECRETS_UNAVAILABLE', `no approvals key: ${path} does not exist and ${APPROVALS_KEY_ENV} is not set`);
  const key = randomBytes(KEY_BYTES);
  // Written whole to a private name, then linked into place: link fails if the key exists, so
  // a process starting alongside never reads a half-written file and both end with one key.
  const temporary = `${path}.${process.pid}.${Buffer.from(randomBytes(6)).toString('hex')}`;
  try {
    writeFileSync(temporary, `${Buffer.from(key).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return createSecretSealer(readKeyFile(path));
    throw new ApprovalError('SECRETS_UNAVAILABLE', `cannot create ${path}`, { cause: err });
  } finally {
    try { unlinkSync(temporary); } catch { /* never written */ }
  }
  return createSecretSealer(key);
}
