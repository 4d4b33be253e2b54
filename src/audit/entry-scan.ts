/**
 * Reads `seq` and `prev` out of an entry's bytes without building a JS object: the verifier's
 * per-entry hot path (about 4x cheaper than decoding and JSON.parse for a typical entry). It
 * walks the top-level object exactly, skipping nested values by string-aware bracket matching;
 * it does not validate the JSON grammar inside skipped values, because integrity rests on the
 * hash of the bytes, not on parsing them (`--strict` validates every entry fully).
 */

export type EntryLinks =
  | { readonly ok: true; readonly seq: number; readonly prevStart: number; readonly prevEnd: number }
  | { readonly ok: false; readonly error: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

class ScanError extends Error {}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i]!)) i++;
  return i;
}

/** Index just past the closing quote of the string opening at `i` (native indexOf, then escape parity). */
function skipString(b: Uint8Array, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q === -1) throw new ScanError('unterminated string');
    let k = q - 1;
    while (k > i && b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = skipString(b, i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new ScanError('unterminated object or array');
  }
  const start = i;
  while (i < b.length) {
    const d = b[i]!;
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    i++;
  }
  if (i === start) throw new ScanError('missing value');
  return i;
}

const isKey = (b: Uint8Array, start: number, end: number, key: string) => {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + k] !== key.charCodeAt(k)) return false;
  return true;
};

function scan(b: Uint8Array): EntryLinks {
  let seq = -1;
  let prevStart = -1;
  let prevEnd = -1;
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_BRACE) throw new ScanError('not a JSON object');
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACE) i++;
  else {
    for (;;) {
      if (b[i] !== QUOTE) throw new ScanError('expected a member name');
      const keyEnd = skipString(b, i);
      const keyStart = i + 1;
      i = skipSpace(b, keyEnd);
      if (b[i] !== COLON) throw new ScanError('expected ":"');
      i = skipSpace(b, i + 1);
      if (isKey(b, keyStart, keyEnd - 1, 'seq')) {
        if (seq !== -1) throw new ScanError('duplicate seq');
        const start = i;
        let value = 0;
        while (i < b.length && b[i]! >= ZERO && b[i]! <= NINE) value = value * 10 + (b[i++]! - ZERO);
        const digits = i - start;
        if (digits === 0 || digits > 16 || (digits > 1 && b[start] === ZERO) || !Number.isSafeInteger(value)) throw new ScanError('seq is not a non-negative integer');
        seq = value;
      } else if (isKey(b, keyStart, keyEnd - 1, 'prev')) {
        if (prevStart !== -1 || b[i] !== QUOTE) throw new ScanError('prev is not a single string');
        prevStart = i + 1;
        i = skipString(b, i);
        prevEnd = i - 1;
        for (let k = prevStart; k < prevEnd; k++) if (b[k] === BACKSLASH) throw new ScanError('prev is not base64');
      } else {
        i = skipValue(b, i);
      }
      i = skipSpace(b, i);
      if (b[i] === COMMA) {
        i = skipSpace(b, i + 1);
        continue;
      }
      if (b[i] === CLOSE_BRACE) {
        i++;
        break;
      }
      throw new ScanError('expected "," or "}"');
    }
  }
  if (skipSpace(b, i) !== b.length) throw new ScanError('trailing bytes after the object');
  if (seq === -1) throw new ScanError('no seq');
  return { ok: true, seq, prevStart, prevEnd };
}

/** Finds the top-level `seq` (required) and `prev` (byte range, -1 when absent) of an entry. */
export function scanEntryLinks(bytes: Uint8Array): EntryLinks {
  try {
    return scan(bytes);
  } catch (err) {
    if (err instanceof ScanError) return { ok: false, error: err.message };
    throw err;
  }
}

/** True if bytes [start, end) spell exactly `text` (ASCII). */
export function bytesSpell(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (bytes[start + k] !== text.charCodeAt(k)) return false;
  return true;
}
