/**
 * Content at rest, as stored: sealed prompt-and-answer records that audit entries point at
 * (`contentRef: "content:<id>"`). The store only keeps bytes; sealing and opening happen in the
 * audit part, with the id and label as associated data. Both implementations pass
 * content.case.test.ts.
 */

/** One sealed record. */
export interface ContentRecord {
  /** Random, unique; named by the audit entry's contentRef. */
  readonly id: string;
  /** The record's classification (banner form), bound into the ciphertext as associated data. */
  readonly label: string;
  /** Epoch milliseconds; the retention period counts from here. */
  readonly createdAt: number;
  /** The sealed record (src/crypto sealed-record layout), never plaintext. */
  readonly sealed: Uint8Array;
}

export interface ContentStore {
  /** Writes a record once: fails with StoreError('CONFLICT') when the id exists (no silent overwrite). */
  put(record: ContentRecord): Promise<void>;
  get(id: string): Promise<ContentRecord | undefined>;
  /** Deletes every record created strictly before `before` (epoch ms); returns how many went. */
  deleteOlderThan(before: number): Promise<number>;
}
