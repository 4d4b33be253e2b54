/** RFC 8785 (JSON Canonicalization Scheme) text and digests of tool arguments. */
import canonicalizeModule from 'canonicalize';
import { sha256Hex } from '../crypto/index.ts';
import { ApprovalError } from './errors.ts';

// canonicalize is CommonJS; its typings describe an ES default export, so normalise both shapes.
const canonicalize: (value: unknown) => string | undefined =
  typeof canonicalizeModule === 'function' ? canonicalizeModule : (canonicalizeModule as unknown as { default: (value: unknown) => string | undefined }).default;

/**
 * The RFC 8785 canonical JSON text of `value`: members sorted by UTF-16 code units, numbers in
 * ECMAScript shortest form, no insignificant whitespace. Throws ApprovalError('NOT_JSON') for
 * values JSON cannot carry (undefined, functions, NaN, Infinity).
 * @example canonicalJson({ b: 1, a: [2, 'x'] }) // '{"a":[2,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    throw new ApprovalError('NOT_JSON', 'the value cannot be represented as JSON', { cause: err });
  }
  if (text === undefined) throw new ApprovalError('NOT_JSON', 'the value cannot be represented as JSON');
  return text;
}

/**
 * Hex SHA-256 of the canonical JSON of `args`: what a receipt commits to, so two encodings of
 * the same arguments (member order, number spelling) have one digest and any change another.
 */
export function argumentsDigest(args: unknown): string {
  return sha256Hex(canonicalJson(args));
}
