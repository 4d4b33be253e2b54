/**
 * Content at rest: the prompt and answer of a request, kept when retention is on, sealed for the
 * key ring's encryption key (hybrid ML-KEM-1024 + X25519, HKDF-SHA-384, AES-256-GCM, a fresh
 * data-encryption key per record). The record's id and label are the associated data, as RFC 8785
 * canonical JSON of `{id, label}`: a record moved to another id, or relabelled in the store, does
 * not open. The audit entry names the record as `contentRef: "content:<id>"`.
 *
 * Sealing needs only the public key, so anyone who can write the store and knows the public key
 * could seal a forged record under an existing id and label. {@link checkContentDigests} closes
 * that: the entry in the Merkle log carries digests of the prompt and answer, and an opened record
 * must match them.
 */
import { openRecord, randomId, sealRecord, sha256Hex, utf8, type EncryptionKeyPair, type EncryptionPublicKey } from '../crypto/index.ts';
import { canonicalJson, type AuditEntry } from './entry.ts';
import { AuditError } from './errors.ts';

export const CONTENT_REF_PREFIX = 'content:';
const CONTENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** What a record holds: the request's messages, the answer, the model and the like, as JSON. */
export type RetainedContent = Record<string, unknown>;

/** A fresh, random record id. */
export function newContentId(): string {
  return randomId('ct_');
}

/** The audit entry's reference to a record: `content:<id>`. */
export function formatContentRef(id: string): string {
  if (!CONTENT_ID.test(id)) throw new AuditError('INVALID_RECORD', 'content id: letters, digits, _ and - (max 128)');
  return `${CONTENT_REF_PREFIX}${id}`;
}

/** The record id named by a contentRef, or undefined when it is not a `content:<id>` reference. */
export function parseContentRef(ref: string): string | undefined {
  if (!ref.startsWith(CONTENT_REF_PREFIX)) return undefined;
  const id = ref.slice(CONTENT_REF_PREFIX.length);
  return CONTENT_ID.test(id) ? id : undefined;
}

/** The associated data of a record: UTF-8 of the canonical JSON of `{id, label}`. */
export function contentAad(id: string, label: string): Uint8Array {
  return utf8(canonicalJson({ id, label }));
}

/**
 * Seals a record for the ring's public encryption key. The plaintext is `JSON.stringify(content)`,
 * not canonical JSON: member order is kept so that a member re-serialised after opening gives the
 * same bytes the entry's digest was taken over.
 */
export function sealContent(input: { id: string; label: string; content: RetainedContent; publicKey: EncryptionPublicKey }): Uint8Array {
  return sealRecord({ recipientPublicKey: input.publicKey, plaintext: utf8(JSON.stringify(input.content)), aad: contentAad(input.id, input.label) });
}

/**
 * Opens a record with the ring's key pairs (current and retired); throws
 * AuditError('CONTENT_UNREADABLE') when it was altered, moved to another id, relabelled, or sealed
 * for a key the ring does not hold.
 */
export function openContent(input: { id: string; label: string; sealed: Uint8Array; keys: readonly EncryptionKeyPair[] }): RetainedContent {
  let plaintext: Uint8Array;
  try {
    plaintext = openRecord({ recipientKeys: input.keys, sealed: input.sealed, aad: contentAad(input.id, input.label) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new AuditError('CONTENT_UNREADABLE', `content record ${input.id} does not open (${code}): it was altered, moved from another id, relabelled, or sealed for another key`, { cause: err });
  }
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as RetainedContent;
  } catch (err) {
    throw new AuditError('CONTENT_UNREADABLE', `content record ${input.id} opened but holds no JSON object`, { cause: err });
  }
}

/**
 * Compares an opened record with the digests its audit entry carries (`prompt` over the
 * serialised messages, `answer` over the answer text). Returns the names that differ; a digest the
 * entry does not carry is not checked.
 */
export function checkContentDigests(entry: Pick<AuditEntry, 'digests'>, content: RetainedContent): string[] {
  const wrong: string[] = [];
  const want = entry.digests ?? {};
  const compare = (name: string, text: string | undefined) => {
    const expected = want[name];
    if (expected === undefined) return;
    if (text === undefined || !expected.startsWith('sha256:') || `sha256:${sha256Hex(text)}` !== expected) wrong.push(name);
  };
  compare('prompt', content.messages === undefined ? undefined : JSON.stringify(content.messages));
  compare('answer', typeof content.answer === 'string' ? content.answer : undefined);
  return wrong;
}
