/**
 * Storage shapes for the audit log. They mirror src/audit/store.ts structurally (the store part
 * sits below audit and must not import it), so an {@link AuditEntryStore} is an `AuditStore`.
 */

/** The end of the log: its size and the leaf hash of its last entry (null when empty). */
export interface AuditHeadRecord {
  readonly size: number;
  readonly lastLeafHash: Uint8Array | null;
}

/** One entry. `data` is stored as TEXT and returned byte for byte: the tree commits to it. */
export interface AuditEntryRecord {
  readonly index: number;
  readonly data: string;
  readonly leafHash: Uint8Array;
  readonly time: string;
  readonly kind: string;
  readonly actor: string;
  readonly decision: string | null;
}

/** A signed checkpoint; `frontier` is the compact range at `size`, largest subtree first. */
export interface AuditCheckpointRecord {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
  readonly frontier: readonly Uint8Array[];
  readonly createdAt: string;
}

/** Every given filter must match; times are inclusive ISO 8601 bounds compared as text. */
export interface AuditSearchFilter {
  readonly actor?: string;
  readonly decision?: string;
  readonly kind?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: number;
}

/** The audit storage contract (see src/audit/store.ts for the invariants each method keeps). */
export interface AuditEntryStore {
  append(build: (head: AuditHeadRecord) => AuditEntryRecord[]): Promise<AuditHeadRecord>;
  head(): Promise<AuditHeadRecord>;
  readEntries(from: number, to: number): AsyncIterable<readonly AuditEntryRecord[]>;
  readLeafHashes(from: number, to: number): AsyncIterable<Uint8Array>;
  searchEntries(filter: AuditSearchFilter): AsyncIterable<readonly AuditEntryRecord[]>;
  addCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean>;
  latestCheckpoint(): Promise<AuditCheckpointRecord | null>;
  listCheckpoints(): AsyncIterable<readonly AuditCheckpointRecord[]>;
}

/** Rows per page of entries, of leaf hashes and of checkpoints. */
export const AUDIT_ENTRY_PAGE = 500;
export const AUDIT_HASH_PAGE = 4096;
export const AUDIT_CHECKPOINT_PAGE = 1000;

/** Splits a concatenated frontier into hashes of the root's length (32 for SHA-256, 48 for SHA-384). */
export function splitFrontier(bytes: Uint8Array, hashLength: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + hashLength <= bytes.length; i += hashLength) out.push(bytes.subarray(i, i + hashLength));
  return out;
}

/** Concatenates hashes into one buffer, for a BLOB / BYTEA column. */
export function joinHashes(hashes: readonly Uint8Array[]): Buffer {
  return Buffer.concat(hashes.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)));
}
