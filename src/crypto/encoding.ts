/** Byte encodings used by keys, notes and envelopes; decoders are strict because their input is hostile. */
import { CryptoError } from './errors.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

/** Standard base64 (RFC 4648 section 4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes standard padded base64, rejecting anything Buffer would silently skip (whitespace,
 * URL-safe letters, missing padding) so that one byte string has exactly one accepted text form.
 */
export function fromBase64(text: string, what = 'base64'): Uint8Array {
  if (!BASE64.test(text)) throw new CryptoError('INVALID_ENCODING', `${what} is not canonical base64`);
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64') !== text) throw new CryptoError('INVALID_ENCODING', `${what} is not canonical base64`);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decodes lower-case hex of even length. */
export function fromHex(text: string, what = 'hex'): Uint8Array {
  if (!HEX.test(text)) throw new CryptoError('INVALID_ENCODING', `${what} is not lower-case hex`);
  const buf = Buffer.from(text, 'hex');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Byte-wise equality (not constant time: for public values such as hashes and key ids). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** UTF-8 bytes of text. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
