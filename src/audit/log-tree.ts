/**
 * The audit log's view of its Merkle tree in this process: a compact range over every durable
 * entry it has seen, recent roots, and (built on first use) the subtree cache proofs need. Other
 * replicas' entries are folded in by reading leaf hashes from the store; all changes go through
 * one async lock so that a catch-up and a committed batch never interleave.
 */
import { bytesEqual } from '../crypto/index.ts';
import { CompactRange } from './compact-range.ts';
import { AuditError } from './errors.ts';
import type { AuditStore, StoredCheckpoint } from './store.ts';
import { CachedSubtreeSource, SubtreeCache } from './subtree-cache.ts';
import type { TreeHasher } from './tree-hash.ts';

const ROOT_MEMORY = 1024;

export class LogTree {
  private range: CompactRange;
  private cache: SubtreeCache | null = null;
  private source: CachedSubtreeSource | null = null;
  private readonly roots = new Map<number, Uint8Array>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly hasher: TreeHasher,
  ) {
    this.range = new CompactRange(hasher);
  }

  get size(): number {
    return this.range.size;
  }

  /**
   * Resumes from a checkpoint's frontier when it folds to the checkpoint's root; returns false
   * (and the caller must rebuild from leaf hashes and compare) when the frontier is unusable.
   */
  resumeFrom(checkpoint: StoredCheckpoint): boolean {
    try {
      const range = new CompactRange(this.hasher, checkpoint.size, checkpoint.frontier);
      if (!bytesEqual(range.root(), checkpoint.rootHash)) return false;
      this.range = range;
      this.remember(checkpoint.size, checkpoint.rootHash);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `fn` alone with respect to every other change of the tree. */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Folds in a batch this process committed at `start`; skipped when another replica wrote first. */
  addCommitted(start: number, leafHashes: readonly Uint8Array[]): Promise<void> {
    return this.exclusive(() => {
      if (start !== this.range.size) return;
      for (const h of leafHashes) this.advance(h);
      this.remember(this.range.size, this.range.root());
    });
  }

  /** Size, root and frontier as of now. */
  snapshot(): Promise<{ size: number; root: Uint8Array; frontier: Uint8Array[] }> {
    return this.exclusive(() => ({ size: this.range.size, root: this.range.root(), frontier: this.range.frontier() }));
  }

  private advance(leafHash: Uint8Array): void {
    this.range.append(leafHash);
    this.cache?.append(leafHash);
  }

  private remember(size: number, root: Uint8Array): void {
    this.roots.set(size, root);
    if (this.roots.size > ROOT_MEMORY) this.roots.delete(this.roots.keys().next().value!);
  }

  private *split(page: Uint8Array): Generator<Uint8Array> {
    for (let at = 0; at < page.length; at += this.hasher.hashLength) yield page.slice(at, at + this.hasher.hashLength);
  }

  /** Catches up with entries the store holds up to `target`. */
  syncTo(target: number): Promise<void> {
    return this.exclusive(async () => {
      if (this.range.size >= target) return;
      for await (const page of this.store.readLeafHashes(this.range.size, target)) for (const h of this.split(page)) this.advance(h);
      if (this.range.size !== target) throw new AuditError('STORE_CORRUPT', `store returned ${this.range.size} leaf hashes, expected ${target}`);
      this.remember(this.range.size, this.range.root());
    });
  }

  private async readLeafHashes(from: number, to: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const page of this.store.readLeafHashes(from, to)) out.push(...this.split(page));
    return out;
  }

  /** Catches up with the store and builds the proof cache on first use (one pass over leaf hashes). */
  async proofSource(): Promise<CachedSubtreeSource> {
    await this.syncTo((await this.store.head()).size);
    return this.exclusive(async () => {
      if (!this.source) {
        const cache = new SubtreeCache(this.hasher);
        const check = new CompactRange(this.hasher);
        for await (const page of this.store.readLeafHashes(0, this.range.size)) {
          for (const h of this.split(page)) {
            cache.append(h);
            check.append(h);
          }
        }
        if (check.size !== this.range.size || !bytesEqual(check.root(), this.range.root())) {
          throw new AuditError('STORE_CORRUPT', 'leaf hashes in the store do not give the tree this log resumed from');
        }
        this.cache = cache;
        this.source = new CachedSubtreeSource(cache, (a, b) => this.readLeafHashes(a, b));
      }
      return this.source;
    });
  }

  /** MTH of the first `size` entries. */
  async rootAt(size: number): Promise<Uint8Array> {
    const known = this.roots.get(size);
    if (known) return known;
    if (size === 0) return this.hasher.emptyRoot();
    const source = await this.proofSource();
    if (size > this.range.size) throw new AuditError('INVALID_PROOF_REQUEST', `the log has only ${this.range.size} entries`);
    return source.subtreeHash(0, size);
  }
}
