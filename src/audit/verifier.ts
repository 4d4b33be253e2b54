/**
 * The log verifier: recomputes the tree from the entries in one pass, checks each checkpoint's
 * signatures, its root at its size and so the checkpoints' mutual consistency, and names the
 * first bad index. Entries carry `seq` and `prev` (the previous entry's leaf hash), which is what
 * tells the failures apart:
 *
 * - position p holds seq > p, and seq p comes later: ENTRY_REORDERED at p; never: ENTRY_DELETED
 * - position p holds seq < p (an index already seen): ENTRY_INSERTED
 * - entry p's prev is not the hash of entry p-1: ENTRY_ALTERED at p-1
 * - a signed root differs from the recomputed one: ROOT_MISMATCH (an edit whose successors were
 *   rewritten to match; named from the last checkpoint that still matched)
 * - fewer entries than a checkpoint commits to: LOG_TRUNCATED
 *
 * Streaming and allocation-light: a byte scan for seq and prev and two hashes per entry, a compact
 * range of O(log n) hashes, no array of entries or leaves.
 */
import { bytesEqual, toBase64, toHex, type HashAlgorithm, type NoteVerifierKey } from '../crypto/index.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { CompactRange } from './compact-range.ts';
import { AUDIT_ENTRY_MAX_BYTES, auditEntrySchema, isCanonicalEntry } from './entry.ts';
import { TreeHasher } from './tree-hash.ts';
import { bytesSpell, scanEntryLinks } from './entry-scan.ts';

export type VerifyFailureCode =
  | 'CHECKPOINT_MALFORMED'
  | 'CHECKPOINT_SIGNATURE'
  | 'CHECKPOINT_ORIGIN'
  | 'CHECKPOINT_CONFLICT'
  | 'ENTRY_MALFORMED'
  | 'ENTRY_DELETED'
  | 'ENTRY_REORDERED'
  | 'ENTRY_INSERTED'
  | 'ENTRY_ALTERED'
  | 'ROOT_MISMATCH'
  | 'LOG_TRUNCATED'
  | 'NO_CHECKPOINT';

export type VerifyResult =
  | {
      readonly ok: true;
      readonly size: number;
      readonly root: Uint8Array;
      /** Distinct checkpoint sizes verified. */
      readonly checkpoints: number;
      /** Entries covered by a signed checkpoint; the rest (`uncovered`) are checked for order only. */
      readonly checkpointedSize: number;
      readonly uncovered: number;
    }
  | {
      readonly ok: false;
      readonly code: VerifyFailureCode;
      /** First bad entry index (for checkpoint failures, the size the checkpoint claims). */
      readonly index: number;
      readonly message: string;
      /** Position of the offending checkpoint in the input list, for checkpoint failures. */
      readonly checkpoint?: number;
    };

export type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/** A verified checkpoint reduced to what the entry pass needs. */
export interface CheckpointAnchor {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly position: number;
}

export interface CheckpointCheckOptions {
  readonly keys: readonly NoteVerifierKey[];
  readonly origin?: string;
  readonly hashAlgorithm?: HashAlgorithm;
}

/** Verifies checkpoint notes one by one and keeps only (size, root); fails on a fork. */
export class CheckpointSet {
  private readonly bySize = new Map<number, CheckpointAnchor>();
  private position = 0;

  constructor(private readonly options: CheckpointCheckOptions) {}

  /** Adds one note; returns the failure, if any. */
  add(note: string): VerifyFailure | undefined {
    const position = this.position++;
    const v = verifyCheckpoint(note, { keys: this.options.keys, origin: this.options.origin, hashAlgorithm: this.options.hashAlgorithm });
    if (!v.ok) {
      const code = v.code === 'MALFORMED' ? 'CHECKPOINT_MALFORMED' : v.code === 'WRONG_ORIGIN' ? 'CHECKPOINT_ORIGIN' : 'CHECKPOINT_SIGNATURE';
      const at = v.size === undefined ? '' : ` (tree size ${v.size})`;
      return { ok: false, code, index: v.size ?? 0, checkpoint: position, message: `checkpoint ${position}${at}: ${v.message}` };
    }
    return this.addAnchor({ size: v.checkpoint.size, rootHash: v.checkpoint.rootHash, position });
  }

  /** Adds an already verified anchor (e.g. a witnessed checkpoint checked elsewhere). */
  addAnchor(anchor: CheckpointAnchor): VerifyFailure | undefined {
    const seen = this.bySize.get(anchor.size);
    if (seen && !bytesEqual(seen.rootHash, anchor.rootHash)) {
      return {
        ok: false,
        code: 'CHECKPOINT_CONFLICT',
        index: anchor.size,
        checkpoint: anchor.position,
        message: `checkpoints ${seen.position} and ${anchor.position} are both validly signed for tree size ${anchor.size} with different roots: the log forked`,
      };
    }
    if (!seen) this.bySize.set(anchor.size, anchor);
    return undefined;
  }

  /** Anchors by increasing size. */
  anchors(): CheckpointAnchor[] {
    return [...this.bySize.values()].sort((a, b) => a.size - b.size);
  }
}

export interface LogVerifierOptions {
  readonly hashAlgorithm?: HashAlgorithm;
  /** Verified (size, root) pairs by increasing size. */
  readonly anchors: readonly CheckpointAnchor[];
  /** Also validate every entry against the schema and its canonical (JCS) form. Slower. */
  readonly strict?: boolean;
  /** Accept a non-empty log with no checkpoint at all (nothing then vouches for its content). */
  readonly allowUncheckpointed?: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Full validation for strict mode: UTF-8, JSON, the entry schema and the canonical (JCS) form. */
function isStrictEntry(data: Uint8Array): boolean {
  try {
    const text = decoder.decode(data);
    return auditEntrySchema.safeParse(JSON.parse(text)).success && isCanonicalEntry(text);
  } catch {
    return false;
  }
}

/** Consumes entries in order (`push`), then `finish` gives the result. */
export class LogVerifier {
  private readonly hasher: TreeHasher;
  private readonly range: CompactRange;
  private readonly anchors: readonly CheckpointAnchor[];
  private nextAnchor = 0;
  private lastGoodSize = 0;
  private prevLeafHash: Uint8Array | null = null;
  private position = 0;
  private failure: VerifyFailure | undefined;
  /** Set when position p held a later seq: look for seq p further on to tell reorder from delete. */
  private missing: { index: number; found: number; at?: number } | undefined;

  constructor(private readonly options: LogVerifierOptions) {
    this.hasher = new TreeHasher(options.hashAlgorithm ?? 'sha256');
    this.range = new CompactRange(this.hasher);
    this.anchors = options.anchors;
    this.checkAnchors();
  }

  /** Entries consumed so far. */
  get size(): number {
    return this.position;
  }

  private fail(code: VerifyFailureCode, index: number, message: string): false {
    this.failure = { ok: false, code, index, message };
    return false;
  }

  /** Feeds the next entry's bytes; returns false once the outcome is known and feeding can stop. */
  push(data: Uint8Array): boolean {
    if (this.failure) return false;
    const p = this.position;
    this.position += 1;
    const links = data.length > AUDIT_ENTRY_MAX_BYTES ? ({ ok: false, error: `longer than ${AUDIT_ENTRY_MAX_BYTES} bytes` } as const) : scanEntryLinks(data);
    if (this.missing) {
      if (links.ok && links.seq === this.missing.index) {
        this.missing.at = p;
        return false;
      }
      return true;
    }
    if (!links.ok) return this.fail('ENTRY_MALFORMED', p, `entry at position ${p} is unreadable: ${links.error}`);
    const { seq } = links;
    if (seq > p) {
      this.missing = { index: p, found: seq };
      return true;
    }
    if (seq < p) {
      // Positions 0..p-1 checked out, so this is an extra entry claiming an index already seen;
      // when the claimant is the entry just before, either of the two may be the insertion.
      const index = seq === p - 1 ? seq : p;
      return this.fail('ENTRY_INSERTED', index, `entry ${seq} appears again at position ${p}: an entry was inserted at index ${index}`);
    }
    if (this.prevLeafHash === null ? links.prevStart !== -1 : !bytesSpell(data, links.prevStart, links.prevEnd, toBase64(this.prevLeafHash))) {
      if (p === 0) return this.fail('ENTRY_MALFORMED', 0, 'entry 0 must not link to a previous entry');
      return this.fail('ENTRY_ALTERED', p - 1, `entry ${p - 1} was altered: entry ${p} records a different hash for it`);
    }
    if (this.options.strict && !isStrictEntry(data)) return this.fail('ENTRY_MALFORMED', p, `entry ${p} is not a canonical audit entry`);
    const leaf = this.hasher.leafHash(data);
    this.range.append(leaf);
    this.prevLeafHash = leaf;
    return this.checkAnchors();
  }

  private checkAnchors(): boolean {
    const size = this.range.size;
    while (this.nextAnchor < this.anchors.length && this.anchors[this.nextAnchor]!.size <= size) {
      const anchor = this.anchors[this.nextAnchor]!;
      if (anchor.size === size) {
        const root = this.range.root();
        if (!bytesEqual(root, anchor.rootHash)) {
          return this.fail(
            'ROOT_MISMATCH',
            this.lastGoodSize,
            `checkpoint ${anchor.position} signs root ${toHex(anchor.rootHash).slice(0, 16)}… for tree size ${size}, but the entries give ${toHex(root).slice(0, 16)}…: an entry in ${this.lastGoodSize}..${size - 1} was changed`,
          );
        }
        this.lastGoodSize = size;
      }
      this.nextAnchor += 1;
    }
    return true;
  }

  /** The outcome after the last entry. */
  finish(): VerifyResult {
    if (this.missing) {
      const { index, found, at } = this.missing;
      return at === undefined
        ? { ok: false, code: 'ENTRY_DELETED', index, message: `entry ${index} is missing: position ${index} holds entry ${found}` }
        : { ok: false, code: 'ENTRY_REORDERED', index, message: `entries were reordered: position ${index} holds entry ${found}, and entry ${index} is at position ${at}` };
    }
    if (this.failure) return this.failure;
    const size = this.range.size;
    const beyond = this.anchors.find((a) => a.size > size);
    if (beyond) {
      return { ok: false, code: 'LOG_TRUNCATED', index: size, checkpoint: beyond.position, message: `the log ends at ${size} entries, but checkpoint ${beyond.position} commits to ${beyond.size}` };
    }
    if (size > 0 && this.anchors.length === 0 && !this.options.allowUncheckpointed) {
      return { ok: false, code: 'NO_CHECKPOINT', index: 0, message: `${size} entries and no valid checkpoint: nothing vouches for their content` };
    }
    return { ok: true, size, root: this.range.root(), checkpoints: new Set(this.anchors.map((a) => a.size)).size, checkpointedSize: this.lastGoodSize, uncovered: size - this.lastGoodSize };
  }
}
