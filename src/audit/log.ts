/**
 * The audit log: group-committed appends, periodic signed checkpoints, proofs. An append
 * resolves only once the batch holding it is durable; appends arriving while a batch is being
 * written join the next one, so requests do not queue behind each other's fsync. Checkpoints
 * are computed from durable state only and never signed if inconsistent with the latest one.
 */
import { bytesEqual, formatNoteVerifierKey, utf8, type HashAlgorithm, type NoteSigner, type NoteVerifierKey } from '../crypto/index.ts';
import { signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import { finishEntry, prepareEntry, type PreparedEntry } from './entry.ts';
import { AuditError } from './errors.ts';
import { createExportStore, isExportDirectory } from './export-store.ts';
import { generateConsistencyProof, generateInclusionProof, verifyConsistency, verifyInclusion } from './merkle.ts';
import type { AuditSearch, AuditStore, LogHead, StoredCheckpoint, StoredEntry } from './store.ts';
import { LogTree } from './log-tree.ts';
import { TreeHasher } from './tree-hash.ts';
import type { VerifyResult } from './verifier.ts';
import { verifyLog } from './verify-run.ts';

export interface CheckpointKeys {
  /** The current bundle's signers: Ed25519 and ML-DSA-87, named after the origin. */
  readonly signers: readonly NoteSigner[];
  /** Every key that may have signed this log's checkpoints, current and retired. */
  readonly verifiers: readonly NoteVerifierKey[];
}

export interface AuditLogOptions {
  readonly store: AuditStore;
  /** Checkpoint origin line and key name, e.g. `audit.example.mil/enclave`. */
  readonly origin: string;
  readonly keys: CheckpointKeys;
  /** Signs off the event loop (startCheckpointSigner); `keys.signers` sign inline otherwise. Closed by close(). */
  readonly signer?: CheckpointSigner;
  readonly hashAlgorithm?: HashAlgorithm;
  /** Most entries per group commit (default 256). */
  readonly maxBatchSize?: number;
  /** Checkpoint period when the log grew (default 1000 ms; 0 disables the timer). */
  readonly checkpointIntervalMs?: number;
  readonly now?: () => Date;
  /** Called with background checkpoint failures. */
  readonly onError?: (err: unknown) => void;
  /** Called by close(), after the final checkpoint (e.g. to close the store). */
  readonly closeStore?: () => Promise<void>;
}

export interface AppendReceipt {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly time: string;
}

export interface InclusionBundle {
  readonly index: number;
  readonly size: number;
  readonly entry: string;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly checkpoint: string;
}

export interface ConsistencyBundle {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: Uint8Array;
  readonly toRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly fromCheckpoint: string | null;
  readonly toCheckpoint: string | null;
}

interface Pending {
  readonly prepared: PreparedEntry;
  readonly resolve: (r: AppendReceipt) => void;
  readonly reject: (e: unknown) => void;
}

export class AuditLog {
  readonly origin: string;
  readonly hashAlgorithm: HashAlgorithm;
  private readonly store: AuditStore;
  private readonly hasher: TreeHasher;
  private readonly tree: LogTree;
  private queue: Pending[] = [];
  private writing: Promise<void> | null = null;
  private checkpointing: Promise<StoredCheckpoint | null> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: AuditLogOptions) {
    this.origin = options.origin;
    this.store = options.store;
    this.hashAlgorithm = options.hashAlgorithm ?? 'sha256';
    this.hasher = new TreeHasher(this.hashAlgorithm);
    this.tree = new LogTree(this.store, this.hasher);
  }

  /** Opens the log over a store: resumes from the latest checkpoint's frontier, then catches up. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog(options);
    await log.resume();
    const interval = options.checkpointIntervalMs ?? 1000;
    if (interval > 0) {
      log.timer = setInterval(() => {
        if (!log.closed && !log.checkpointing) log.checkpoint().catch((err) => options.onError?.(err));
      }, interval);
      log.timer.unref();
    }
    return log;
  }

  private async resume(): Promise<void> {
    const latest = await this.store.latestCheckpoint();
    if (latest) {
      const v = verifyCheckpoint(latest.note, { keys: this.options.keys.verifiers, origin: this.origin, hashAlgorithm: this.hashAlgorithm });
      if (!v.ok) throw new AuditError('CONFIG_MISMATCH', `the latest stored checkpoint does not verify with this log's origin and keys: ${v.message}`);
    }
    const head = await this.store.head();
    if (latest && head.size < latest.size) {
      throw new AuditError('STORE_CORRUPT', `the store holds ${head.size} entries but checkpoint ${latest.size} was signed: entries were removed`);
    }
    if (latest && !this.tree.resumeFrom(latest)) {
      // No usable frontier: rebuild from the stored leaf hashes, which must give the signed root.
      await this.tree.syncTo(latest.size);
      if (!bytesEqual((await this.tree.snapshot()).root, latest.rootHash)) {
        throw new AuditError('STORE_CORRUPT', `the stored leaf hashes do not give the root of checkpoint ${latest.size}`);
      }
    }
    await this.tree.syncTo(head.size);
  }

  /** Entries durable and folded into this process's tree. */
  get size(): number {
    return this.tree.size;
  }

  /** Public keys that verify this log's checkpoints, as note verifier keys. */
  verifierKeys(): readonly NoteVerifierKey[] {
    return this.options.keys.verifiers;
  }

  /** Appends a record; resolves with its index once durable. Throws AuditError('INVALID_RECORD'). */
  append(record: unknown): Promise<AppendReceipt> {
    if (this.closed) return Promise.reject(new AuditError('CLOSED', 'audit log is closed'));
    let prepared: PreparedEntry;
    try {
      prepared = prepareEntry(record, (this.options.now ?? (() => new Date()))());
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ prepared, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatchSize ?? 256);
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = null;
      this.pump();
    });
  }

  private build(head: LogHead, batch: readonly Pending[]): StoredEntry[] {
    if (head.size > 0 && !head.lastLeafHash) throw new AuditError('STORE_CORRUPT', 'store head has no last leaf hash');
    let prev = head.lastLeafHash;
    return batch.map(({ prepared }, i) => {
      const index = head.size + i;
      const data = finishEntry(prepared, index, prev);
      const leafHash = this.hasher.leafHash(utf8(data));
      prev = leafHash;
      const r = prepared.record;
      return { index, data, leafHash, time: r.time, kind: r.kind, actor: r.actor, decision: r.decision ?? null };
    });
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    let built: StoredEntry[] = [];
    try {
      const head = await this.store.append((h) => (built = this.build(h, batch)));
      if (built.length !== batch.length || built[0]?.index !== head.size) throw new AuditError('STORE_CORRUPT', 'store committed a different batch than it built');
      // Another replica may have appended in between: then the tree catches up from the store later.
      await this.tree.addCommitted(head.size, built.map((e) => e.leafHash));
      batch.forEach((p, i) => p.resolve({ index: built[i]!.index, leafHash: built[i]!.leafHash, time: p.prepared.record.time }));
    } catch (err) {
      const e = err instanceof AuditError ? err : new AuditError('APPEND_FAILED', 'audit append failed; nothing was acknowledged', { cause: err });
      for (const p of batch) p.reject(e);
    }
  }

  /**
   * Signs a checkpoint of the durable log if it grew since the latest one; returns the latest.
   * Refuses (CHECKPOINT_INCONSISTENT) if the log no longer contains the latest checkpoint's tree.
   */
  checkpoint(): Promise<StoredCheckpoint | null> {
    this.checkpointing ??= this.signCheckpoint().finally(() => {
      this.checkpointing = null;
    });
    return this.checkpointing;
  }

  private async signCheckpoint(): Promise<StoredCheckpoint | null> {
    await this.tree.syncTo((await this.store.head()).size);
    const snapshot = await this.tree.snapshot();
    const latest = await this.store.latestCheckpoint();
    if (snapshot.size === 0 || (latest && latest.size >= snapshot.size)) return latest;
    if (latest && !bytesEqual(await this.tree.rootAt(latest.size), latest.rootHash)) {
      throw new AuditError('CHECKPOINT_INCONSISTENT', `the log no longer contains the tree of checkpoint ${latest.size}: refusing to sign`);
    }
    const body = { origin: this.origin, size: snapshot.size, rootHash: snapshot.root };
    const note = this.options.signer
      ? await this.options.signer.sign(body).catch((err: unknown) => {
          // A dead signing thread must not stop checkpoints: the same keys sign inline.
          this.options.onError?.(err);
          return signCheckpoint(body, this.options.keys.signers);
        })
      : signCheckpoint(body, this.options.keys.signers);
    const cp: StoredCheckpoint = { size: snapshot.size, rootHash: snapshot.root, note, frontier: snapshot.frontier, createdAt: (this.options.now ?? (() => new Date()))().toISOString() };
    return (await this.store.addCheckpoint(cp)) ? cp : this.store.latestCheckpoint();
  }

  /** The latest stored checkpoint. */
  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.store.latestCheckpoint();
  }

  /** Entry, inclusion proof and checkpoint for entry `index`, against the latest checkpoint. */
  async prove(index: number): Promise<InclusionBundle> {
    const cp = await this.checkpoint();
    if (!cp || !Number.isSafeInteger(index) || index < 0 || index >= cp.size) {
      throw new AuditError('INVALID_PROOF_REQUEST', `entry ${index} is not in the latest checkpoint (size ${cp?.size ?? 0})`);
    }
    const source = await this.tree.proofSource();
    const proof = await generateInclusionProof(index, cp.size, source);
    let entry: StoredEntry | undefined;
    for await (const page of this.store.readEntries(index, index + 1)) entry = page[0];
    if (!entry) throw new AuditError('STORE_CORRUPT', `entry ${index} is missing from the store`);
    const leafHash = this.hasher.leafHash(utf8(entry.data));
    if (!verifyInclusion(index, cp.size, leafHash, proof, cp.rootHash, this.hasher)) {
      throw new AuditError('STORE_CORRUPT', `entry ${index} as stored is not the entry checkpoint ${cp.size} signed`);
    }
    return { index, size: cp.size, entry: entry.data, leafHash, proof, checkpoint: cp.note };
  }

  /** Consistency proof from size `from` to `to` (default: the latest checkpoint), with their checkpoints if stored. */
  async consistency(from: number, to?: number): Promise<ConsistencyBundle> {
    const latest = await this.checkpoint();
    const second = to ?? latest?.size ?? 0;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(second) || from < 0 || from > second || second > this.tree.size) {
      throw new AuditError('INVALID_PROOF_REQUEST', `no consistency proof from ${from} to ${second} in a log of ${this.tree.size}`);
    }
    const source = await this.tree.proofSource();
    const proof = await generateConsistencyProof(from, second, source);
    const fromRoot = await this.tree.rootAt(from);
    const toRoot = await this.tree.rootAt(second);
    if (!verifyConsistency(from, second, fromRoot, toRoot, proof, this.hasher)) throw new AuditError('STORE_CORRUPT', 'generated consistency proof does not verify');
    let fromCheckpoint: string | null = null;
    let toCheckpoint: string | null = latest && latest.size === second ? latest.note : null;
    for await (const page of this.store.listCheckpoints()) {
      for (const cp of page) {
        if (cp.size === from) fromCheckpoint = cp.note;
        if (cp.size === second) toCheckpoint = cp.note;
      }
    }
    return { from, to: second, fromRoot, toRoot, proof, fromCheckpoint, toCheckpoint };
  }

  /** Entries [from, to), in pages. */
  readEntries(from: number, to: number): AsyncIterable<readonly StoredEntry[]> {
    return this.store.readEntries(from, to);
  }

  /** Entries matching a filter, in pages. */
  search(filter: AuditSearch): AsyncIterable<readonly StoredEntry[]> {
    return this.store.searchEntries(filter);
  }

  /** Verifies the whole log as stored, exactly as `verify --export` does on a bundle. */
  async verify(options: { strict?: boolean } = {}): Promise<VerifyResult> {
    const { store } = this;
    // verifyLog reads every checkpoint before the first entry, so the head read here covers them all.
    async function* entries() {
      const { size } = await store.head();
      for await (const page of store.readEntries(0, size)) yield page.map((e) => e.data);
    }
    async function* notes() {
      for await (const page of store.listCheckpoints()) for (const cp of page) yield cp.note;
    }
    return verifyLog({ entries: entries(), checkpoints: notes(), keys: this.options.keys.verifiers, origin: this.origin, hashAlgorithm: this.hashAlgorithm, strict: options.strict });
  }

  /** Writes a self-contained bundle of everything up to a fresh checkpoint into a new directory. */
  async export(dir: string): Promise<{ size: number; checkpoints: number }> {
    if (await isExportDirectory(dir)) throw new AuditError('EXPORT_FORMAT', `${dir} already holds an export`);
    const cp = await this.checkpoint();
    const size = cp?.size ?? 0;
    const out = await createExportStore(dir, { origin: this.origin, hashAlgorithm: this.hashAlgorithm });
    try {
      await out.importEntries(this.store.readEntries(0, size));
      let checkpoints = 0;
      for await (const page of this.store.listCheckpoints()) checkpoints += await out.importCheckpoints(page.filter((c) => c.size <= size));
      await out.writePublicKeys(this.options.keys.verifiers.map(formatNoteVerifierKey));
      return { size, checkpoints };
    } finally {
      await out.close();
    }
  }

  /**
   * Drains pending appends, stops the timer and signs a final checkpoint, so every acknowledged
   * entry is covered (`checkpoint: false` for read-only users such as CLI queries).
   */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    while (this.writing) await this.writing;
    await this.checkpointing?.catch(() => undefined);
    try {
      if (options.checkpoint !== false) await this.signCheckpoint();
    } finally {
      await this.options.signer?.close();
      await this.options.closeStore?.();
    }
  }
}
