/**
 * A compact range over [0, size): the roots of the perfect subtrees that tile it, largest first
 * (at most log2(size) + 1 hashes). Appending a leaf merges equal-height roots like a binary
 * counter, so a streaming verifier computes the tree root of a million entries with about one
 * node hash per leaf and O(log n) memory.
 */
import type { TreeHasher } from './tree-hash.ts';
import { treeHasher } from './tree-hash.ts';

function popCount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = Math.floor(n / 2);
  }
  return count;
}

export class CompactRange {
  private readonly stack: Uint8Array[];
  private count: number;

  constructor(readonly hasher: TreeHasher = treeHasher(), size = 0, frontier: readonly Uint8Array[] = []) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid tree size ${size}`);
    if (frontier.length !== popCount(size)) throw new RangeError(`a tree of size ${size} has ${popCount(size)} frontier hashes, not ${frontier.length}`);
    if (frontier.some((h) => h.length !== hasher.hashLength)) throw new RangeError('frontier hashes have the wrong length');
    this.stack = frontier.slice();
    this.count = size;
  }

  /** Number of leaves covered. */
  get size(): number {
    return this.count;
  }

  /** Adds the next leaf hash. */
  append(leafHash: Uint8Array): void {
    let h = leafHash;
    let n = this.count;
    while (n % 2 === 1) {
      h = this.hasher.nodeHash(this.stack.pop()!, h);
      n = (n - 1) / 2;
    }
    this.stack.push(h);
    this.count += 1;
  }

  /** MTH(D[0:size]): the frontier folded right to left (RFC 9162 2.1.1 splits at the largest power of two). */
  root(): Uint8Array {
    const s = this.stack;
    if (s.length === 0) return this.hasher.emptyRoot();
    let r = s[s.length - 1]!;
    for (let i = s.length - 2; i >= 0; i--) r = this.hasher.nodeHash(s[i]!, r);
    return r;
  }

  /** The subtree roots, largest first; with `size`, enough to resume appending (stored with checkpoints). */
  frontier(): Uint8Array[] {
    return this.stack.slice();
  }

  /** An independent copy. */
  clone(): CompactRange {
    return new CompactRange(this.hasher, this.count, this.stack);
  }
}
