/**
 * What the audit log needs from storage. src/store implements it for SQLite and PostgreSQL;
 * `createExportStore` (export-store.ts) implements it over a directory of files.
 *
 * The invariant every implementation keeps: entries 0..size-1 exist, each exactly once, in
 * index order, and `size` only grows. Sequencing happens inside the write, never before it, so
 * a crashed writer leaves no gap:
 *
 * - SQLite: `BEGIN IMMEDIATE` (takes the write lock), read the head row, call `build`, insert the
 *   rows, update the head, `COMMIT`, with `journal_mode=WAL` and `synchronous=FULL`.
 * - PostgreSQL (several replicas): in one transaction, `SELECT size, last_leaf_hash FROM
 *   audit_head WHERE id = 1 FOR UPDATE` (a single-row counter: replicas queue on the row lock),
 *   call `build`, insert the rows (`index` is the primary key, so a duplicate aborts), update the
 *   head, commit. A retried transaction calls `build` again with the new head.
 *
 * Tables (log.replicas.test.ts holds a complete reference implementation over better-sqlite3):
 *   audit_head (id = 1, size, last_leaf_hash), audit_entries (idx PRIMARY KEY, data TEXT,
 *   leaf_hash, time, kind, actor, decision; indexes on (actor, time), (decision, time), (time)),
 *   audit_checkpoints (size PRIMARY KEY, root, note TEXT, frontier, created_at).
 */

/** The end of the log: its size and the leaf hash of its last entry (null when empty). */
export interface LogHead {
  readonly size: number;
  readonly lastLeafHash: Uint8Array | null;
}

/** One entry as stored. `data` must round-trip byte for byte (TEXT, not jsonb). */
export interface StoredEntry {
  readonly index: number;
  /** RFC 8785 canonical JSON of the entry: the leaf data the tree commits to. */
  readonly data: string;
  /** RFC 6962 leaf hash of `data` (derived; verification recomputes it). */
  readonly leafHash: Uint8Array;
  /** Search columns, copied from the entry. */
  readonly time: string;
  readonly kind: string;
  readonly actor: string;
  readonly decision: string | null;
}

/** A signed checkpoint as stored. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note, byte for byte. */
  readonly note: string;
  /** Compact-range hashes at `size` (largest subtree first): lets a log resume without rereading. */
  readonly frontier: readonly Uint8Array[];
  readonly createdAt: string;
}

export interface AuditSearch {
  readonly actor?: string;
  readonly decision?: string;
  readonly kind?: string;
  /** Inclusive ISO 8601 bounds on the entry time. */
  readonly since?: string;
  readonly until?: string;
  readonly limit?: number;
}

export interface AuditStore {
  /**
   * Appends one batch atomically and durably (fsync'd / committed) before resolving. `build` gets
   * the head as seen inside the write lock and returns entries numbered head.size, head.size+1, ...;
   * it is pure and may be called again if the store retries. Resolves with the head `build` saw
   * in the committed attempt. Must reject, writing nothing, if any index already exists.
   */
  append(build: (head: LogHead) => StoredEntry[]): Promise<LogHead>;
  /** The committed head. */
  head(): Promise<LogHead>;
  /** Entries [from, to) in index order, in pages. */
  readEntries(from: number, to: number): AsyncIterable<readonly StoredEntry[]>;
  /** Leaf hashes of [from, to), in pages of concatenated hashes. */
  readLeafHashes(from: number, to: number): AsyncIterable<Uint8Array>;
  /** Entries matching every given filter, in index order, in pages. */
  searchEntries(filter: AuditSearch): AsyncIterable<readonly StoredEntry[]>;
  /**
   * Stores a checkpoint if its size exceeds every stored one and does not exceed the head;
   * returns false, storing nothing, when a checkpoint of equal or larger size already exists.
   */
  addCheckpoint(checkpoint: StoredCheckpoint): Promise<boolean>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** Every stored checkpoint by increasing size, in pages. */
  listCheckpoints(): AsyncIterable<readonly StoredCheckpoint[]>;
}
