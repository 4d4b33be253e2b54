/** Finds payloads hidden in a text by encoding (base64, hex, URL escapes, HTML entities, rot13). */
import { COMMON_WORDS, ROT13_OF_COMMON, rot13 } from './words.ts';

export type PayloadKind = 'base64' | 'hex' | 'url' | 'entities' | 'rot13';

export interface EncodedPayload {
  kind: PayloadKind;
  /** [start, end) in the text searched. */
  span: [number, number];
  decoded: string;
}

// Hostile input: candidates are bounded in number and every decode is checked for readable text, so
// a long random token (a hash, a key) costs one failed decode, never a false payload.
const MAX_PAYLOADS = 8;
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /(?:(?:\\x|0x)?[0-9a-fA-F]{2}[ :,-]?){8,}/g;
const URL_RUN = /\S*(?:%[0-9a-fA-F]{2}\S*){3,}/g;
const ENTITY_RUN = /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});\s?){3,}/g;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** True when decoded bytes read as natural-language text rather than binary noise. */
export function isReadableText(text: string): boolean {
  if (text.length < 4) return false;
  let letters = 0;
  let spaces = 0;
  let bad = 0;
  for (const ch of text) {
    if (/\p{L}/u.test(ch)) letters++;
    else if (ch === ' ' || ch === '\n' || ch === '\t') spaces++;
    else if (/[\p{C}\uFFFD]/u.test(ch)) bad++;
  }
  const n = [...text].length;
  return bad === 0 && letters >= 4 && (letters + spaces) / n >= 0.75 && (spaces > 0 || letters >= 5);
}

function decodeBytes(bytes: Uint8Array): string | null {
  try {
    const text = UTF8.decode(bytes);
    return isReadableText(text) ? text : null;
  } catch {
    return null;
  }
}

function decodeBase64(run: string): string | null {
  // Plain words are valid base64 alphabet; require the mix of cases or digits that encoding yields.
  if (!/[A-Z]/.test(run) || !/[a-z]/.test(run)) return null;
  const bytes = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length >= 6 ? decodeBytes(bytes) : null;
}

function decodeHex(run: string): string | null {
  const digits = run.replace(/\\x|0x/g, '').replace(/[^0-9a-fA-F]/g, '');
  if (digits.length % 2 !== 0 || digits.length < 16) return null;
  return decodeBytes(Buffer.from(digits, 'hex'));
}

function decodeUrl(run: string): string | null {
  try {
    const text = decodeURIComponent(run.replace(/\+/g, ' '));
    return text !== run && isReadableText(text) ? text : null;
  } catch {
    return null;
  }
}

function decodeEntities(run: string): string | null {
  const text = run.replace(/&#(x[0-9a-fA-F]+|[0-9]+);\s?/g, (_m, code: string) => {
    const cp = code.startsWith('x') ? parseInt(code.slice(1), 16) : parseInt(code, 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
  return isReadableText(text) ? text : null;
}

/** A run of 16+ base64-alphabet chars, found in one linear pass (the regex alone is quadratic in word length). */
function hasLongRun(raw: string): boolean {
  let run = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const inAlphabet = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 95 || c === 45;
    run = inAlphabet ? run + 1 : 0;
    if (run >= 16) return true;
  }
  return false;
}

const DECODERS: ReadonlyArray<readonly [Exclude<PayloadKind, 'rot13'>, RegExp, (run: string) => string | null]> = [
  ['base64', BASE64_RUN, decodeBase64],
  ['hex', HEX_RUN, decodeHex],
  ['url', URL_RUN, decodeUrl],
  ['entities', ENTITY_RUN, decodeEntities],
];

/** Base64, hex, URL-escaped and HTML-entity payloads in a raw text, decoded. */
export function findEncodedPayloads(raw: string): EncodedPayload[] {
  const found: EncodedPayload[] = [];
  for (const [kind, pattern, decode] of DECODERS) {
    // Cheap pre-checks keep the common case (plain prose) to a few indexOf calls.
    if (kind === 'url' && raw.indexOf('%') < 0) continue;
    if (kind === 'entities' && raw.indexOf('&#') < 0) continue;
    if (kind === 'base64' && !hasLongRun(raw)) continue;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(raw); m !== null && found.length < MAX_PAYLOADS; m = pattern.exec(raw)) {
      const run = m[0].trim();
      const decoded = decode(run);
      if (decoded !== null) found.push({ kind, span: [m.index, m.index + m[0].length], decoded });
    }
  }
  return found;
}

/**
 * Runs of tokens that read as English only after rot13, in a lower-case folded text. Tokens that are
 * common words both ways ("or"/"be") neither start nor break a run.
 */
export function findRot13Runs(text: string): EncodedPayload[] {
  const runs: EncodedPayload[] = [];
  const token = /[a-z]+/g;
  let start = -1;
  let end = -1;
  let hits = 0;
  let count = 0;
  const close = (): void => {
    if (start >= 0 && hits >= 2 && hits / count >= 0.4 && runs.length < MAX_PAYLOADS) {
      runs.push({ kind: 'rot13', span: [start, end], decoded: rot13(text.slice(start, end)) });
    }
    start = -1;
    hits = 0;
    count = 0;
  };
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    const plain = COMMON_WORDS.has(m[0]);
    const rotated = ROT13_OF_COMMON.has(m[0]);
    if (plain && !rotated) {
      close();
      continue;
    }
    if (start < 0) start = m.index;
    end = m.index + m[0].length;
    count++;
    if (rotated && !plain) hits++;
  }
  close();
  return runs;
}
