/**
 * Proof generation for a log too big to rehash per request. The cache keeps the hash of every
 * complete aligned subtree of 256 leaves or more (about one hash per 128 entries) plus the leaf
 * hashes of the last, incomplete tile; any other subtree hash needs at most one tile of leaf
 * hashes from the store. Complete subtrees never change in an append-only log, so nothing expires.
 */
import { isPowerOfTwo, largestPowerOfTwoBelow, rootFromLeafHashes, type SubtreeSource } from './merkle.ts';
import type { TreeHasher } from './tree-hash.ts';
import { bytesEqual } from '../crypto/index.ts';
import { AuditError } from './errors.ts';

/** Tiles of 2^8 leaves, as in c2sp.org/tlog-tiles. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** A growable flat array of equal-length hashes (no object per hash). */
class HashList {
  private buf: Uint8Array;
  count = 0;

  constructor(private readonly hashLength: number) {
    this.buf = new Uint8Array(hashLength * 64);
  }

  push(h: Uint8Array): void {
    const at = this.count * this.hashLength;
    if (at + this.hashLength > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf.set(h, at);
    this.count += 1;
  }

  get(i: number): Uint8Array {
    return this.buf.slice(i * this.hashLength, (i + 1) * this.hashLength);
  }
}

export class SubtreeCache {
  /** levels[j]: hashes of complete aligned subtrees of 2^(TILE_HEIGHT + j) leaves. */
  private readonly levels: HashList[] = [];
  private partial: Uint8Array[] = [];
  private count = 0;

  constructor(readonly hasher: TreeHasher) {}

  get size(): number {
    return this.count;
  }

  /** Index of the first leaf not in a complete tile. */
  get partialStart(): number {
    return this.count - this.partial.length;
  }

  /** Leaf hashes from {@link partialStart} to the end. */
  partialLeaves(): readonly Uint8Array[] {
    return this.partial;
  }

  append(leafHash: Uint8Array): void {
    this.partial.push(leafHash);
    this.count += 1;
    if (this.partial.length === TILE_WIDTH) {
      const tileRoot = rootFromLeafHashes(this.partial, this.hasher);
      this.partial = [];
      this.push(0, tileRoot);
    }
  }

  private push(j: number, h: Uint8Array): void {
    let list = this.levels[j];
    if (!list) this.levels.push((list = new HashList(this.hasher.hashLength)));
    list.push(h);
    if (list.count % 2 === 0) this.push(j + 1, this.hasher.nodeHash(list.get(list.count - 2), list.get(list.count - 1)));
  }

  /** Hash of complete aligned subtree `index` of 2^level leaves (level >= TILE_HEIGHT), if cached. */
  subtree(level: number, index: number): Uint8Array | undefined {
    const list = this.levels[level - TILE_HEIGHT];
    return list && index < list.count ? list.get(index) : undefined;
  }
}

function log2(n: number): number {
  let l = 0;
  while (n > 1) {
    n /= 2;
    l += 1;
  }
  return l;
}

/** Reads the leaf hashes [from, to) of the log, e.g. from its store. */
export type LeafHashReader = (from: number, to: number) => Promise<Uint8Array[]>;

/** A SubtreeSource over a cache, fetching single tiles of leaf hashes when a proof reaches below it. */
export class CachedSubtreeSource implements SubtreeSource {
  private readonly tiles = new Map<number, readonly Uint8Array[]>();

  constructor(
    private readonly cache: SubtreeCache,
    private readonly readLeafHashes: LeafHashReader,
  ) {}

  async subtreeHash(start: number, end: number): Promise<Uint8Array> {
    const { cache } = this;
    if (!(start >= 0 && start < end && end <= cache.size)) throw new RangeError(`subtree [${start}, ${end}) is outside the tree of ${cache.size}`);
    const n = end - start;
    if (n >= TILE_WIDTH && isPowerOfTwo(n) && start % n === 0) {
      const hit = cache.subtree(log2(n), start / n);
      if (hit) return hit;
    }
    const tile = Math.floor(start / TILE_WIDTH);
    if (Math.floor((end - 1) / TILE_WIDTH) === tile) {
      const leaves = await this.tileLeaves(tile);
      const base = tile * TILE_WIDTH;
      return rootFromLeafHashes(leaves.slice(start - base, end - base), cache.hasher);
    }
    const k = largestPowerOfTwoBelow(n);
    const left = await this.subtreeHash(start, start + k);
    const right = await this.subtreeHash(start + k, end);
    return cache.hasher.nodeHash(left, right);
  }

  private async tileLeaves(tile: number): Promise<readonly Uint8Array[]> {
    const start = tile * TILE_WIDTH;
    if (start >= this.cache.partialStart) return this.cache.partialLeaves();
    let leaves = this.tiles.get(tile);
    if (!leaves) {
      leaves = await this.readLeafHashes(start, start + TILE_WIDTH);
      // The store is not trusted to be intact: a tile must hash to the root the cache computed.
      const expected = this.cache.subtree(TILE_HEIGHT, tile);
      if (leaves.length !== TILE_WIDTH || !expected || !bytesEqual(rootFromLeafHashes(leaves, this.cache.hasher), expected)) {
        throw new AuditError('STORE_CORRUPT', `leaf hashes of tile ${tile} (entries ${start}..${start + TILE_WIDTH - 1}) no longer match the log`);
      }
      if (this.tiles.size >= 16) this.tiles.delete(this.tiles.keys().next().value!);
      this.tiles.set(tile, leaves);
    }
    return leaves;
  }
}
