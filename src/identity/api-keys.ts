/**
 * API keys: `enc_` + base64url(9-byte key id || 32-byte secret). Only SHA-256 of the whole
 * key is stored; the id (first 12 characters after the prefix) finds the row, and the hash
 * is compared in constant time, so a lookup reveals nothing about the secret part.
 */
import { constantTimeEqual, randomBytes, sha256, sha256Hex } from '../crypto/index.ts';
import type { ApiKeyRecord, IdentityStore } from '../store/index.ts';
import { IdentityError } from './errors.ts';
import { toPrincipal, type Principal } from './principal.ts';

export const API_KEY_PREFIX = 'enc_';
const ID_BYTES = 9;
const SECRET_BYTES = 32;
const ID_CHARS = 12; // base64url of 9 bytes
const KEY_CHARS = API_KEY_PREFIX.length + Math.ceil(((ID_BYTES + SECRET_BYTES) * 4) / 3);
const KEY_PATTERN = /^enc_[A-Za-z0-9_-]{55}$/;

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'disabled' };

/**
 * The key made of `raw` (ID_BYTES + SECRET_BYTES random bytes), or undefined when its id would
 * start with '-': an operator types the id on a command line (`enclave keys revoke ID`), where a
 * leading '-' reads as a flag. Refusing those draws (1 in 64) costs under 0.03 bits of the id.
 */
export function apiKeyFromRandom(raw: Uint8Array): string | undefined {
  if (raw.length !== ID_BYTES + SECRET_BYTES) throw new RangeError(`an API key is made of ${ID_BYTES + SECRET_BYTES} random bytes`);
  const encoded = Buffer.from(raw).toString('base64url');
  return encoded.startsWith('-') ? undefined : API_KEY_PREFIX + encoded;
}

/** Creates and stores a key for `userId`; the returned `key` is shown once and never stored. */
export async function createApiKey(store: IdentityStore, userId: string, label = '', now = new Date()): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!(await store.getUser(userId))) throw new IdentityError('UNKNOWN_USER', `no user "${userId}"`);
  let key: string | undefined;
  while (key === undefined) key = apiKeyFromRandom(randomBytes(ID_BYTES + SECRET_BYTES));
  const record: ApiKeyRecord = {
    id: key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + ID_CHARS), userId, hash: sha256Hex(key), label,
    createdAt: now.toISOString(), revokedAt: null,
  };
  await store.insertApiKey(record);
  return { key, record };
}

/** Extracts the bearer token from an Authorization header value. */
export function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * Authenticates a presented key. Unknown, revoked, malformed and disabled all come back as
 * values; the caller answers each with the same 401 so an attacker learns nothing.
 */
export async function authenticateApiKey(store: IdentityStore, presented: string | undefined): Promise<AuthResult> {
  if (!presented) return { ok: false, reason: 'missing' };
  if (presented.length !== KEY_CHARS || !KEY_PATTERN.test(presented)) return { ok: false, reason: 'malformed' };
  const id = presented.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + ID_CHARS);
  const record = await store.getApiKey(id);
  const expected = record ? Buffer.from(record.hash, 'hex') : new Uint8Array(32);
  const matches = constantTimeEqual(sha256(presented), expected);
  if (!record || !matches) return { ok: false, reason: 'unknown' };
  if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
  const user = await store.getUser(record.userId);
  if (!user) return { ok: false, reason: 'unknown' };
  if (user.disabled) return { ok: false, reason: 'disabled' };
  return { ok: true, principal: toPrincipal(user, { method: 'api_key', keyId: record.id }) };
}

/** Revokes a key by id; false when there was no active key with that id. */
export async function revokeApiKey(store: IdentityStore, id: string, now = new Date()): Promise<boolean> {
  return store.revokeApiKey(id, now.toISOString());
}
