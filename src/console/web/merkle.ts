/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * RFC 6962 / RFC 9162 Merkle tree hashing in the browser with WebCrypto: leaf and node hashes,
 * the root from an inclusion proof (RFC 9162 section 2.1.3.2), and the root of a whole log.
 * Indices are JavaScript numbers: halved with division, never with 32-bit shifts.
 */

/** RFC 6962 section 2.1: leaves and interior nodes are hashed with distinct one-byte prefixes. */
export const RFC6962_LEAF_PREFIX = 0x00;
export const RFC6962_NODE_PREFIX = 0x01;

export type HashName = 'SHA-256' | 'SHA-384';

async function digest(alg: HashName, parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest(alg, buf));
}

export function leafHash(alg: HashName, data: Uint8Array): Promise<Uint8Array> {
  return digest(alg, [Uint8Array.of(RFC6962_LEAF_PREFIX), data]);
}

export function nodeHash(alg: HashName, left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return digest(alg, [Uint8Array.of(RFC6962_NODE_PREFIX), left, right]);
}

/** RFC 9162 section 2.1.3.2; undefined when the proof has the wrong shape for (index, size). */
export async function rootFromInclusionProof(alg: HashName, index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Promise<Uint8Array | undefined> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(alg, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await nodeHash(alg, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * RFC 9162 section 2.1.4.2: true when the tree of `second` leaves with `secondRoot` extends the tree
 * of `first` leaves with `firstRoot`. Equal sizes need an empty proof and equal roots; a first size
 * of 0 is consistent with anything and needs an empty proof.
 */
export async function verifyConsistency(alg: HashName, first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): Promise<boolean> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  const length = alg === 'SHA-384' ? 48 : 32;
  if (![firstRoot, secondRoot, ...proof].every((x) => x.length === length)) return false;
  if (first === second) return proof.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // Step 2: when the first tree is a complete subtree, its root is the path's implicit first node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(alg, c, fr);
      sr = await nodeHash(alg, c, sr);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = await nodeHash(alg, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

/**
 * The Merkle tree hash of a log fed leaf by leaf: a stack of perfect subtrees, largest first,
 * folded from the right at the end (RFC 6962 section 2.1's split at the largest power of two).
 */
export class RootBuilder {
  private readonly stack: Array<{ hash: Uint8Array; size: number }> = [];
  count = 0;
  constructor(private readonly alg: HashName) {}

  async add(data: Uint8Array): Promise<void> {
    let item = { hash: await leafHash(this.alg, data), size: 1 };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === item.size) {
      const left = this.stack.pop()!;
      item = { hash: await nodeHash(this.alg, left.hash, item.hash), size: left.size * 2 };
    }
    this.stack.push(item);
    this.count++;
  }

  async root(): Promise<Uint8Array> {
    if (this.stack.length === 0) return new Uint8Array(await crypto.subtle.digest(this.alg, new Uint8Array(0)));
    let r = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = await nodeHash(this.alg, this.stack[i]!.hash, r);
    return r;
  }
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The checkpoint body of a signed note (C2SP tlog-checkpoint): origin, size, base64 root. */
export function parseCheckpointNote(note: string): { origin: string; size: number; root: Uint8Array } | undefined {
  const body = note.split('\n\n')[0] ?? '';
  const [origin, sizeText, rootText] = body.split('\n');
  if (!origin || !sizeText || !rootText || !/^(0|[1-9]\d{0,15})$/.test(sizeText)) return undefined;
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    return undefined;
  }
  // A SHA-256 or SHA-384 root, nothing else.
  return root.length === 32 || root.length === 48 ? { origin, size: Number(sizeText), root } : undefined;
}
