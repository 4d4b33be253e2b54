/**
 * Approval receipts: a compact JWS (RFC 7515) that Enclave sends with every tool call, over
 * the tool, the SHA-256 of the RFC 8785 canonical arguments, the approvers, and a short
 * lifetime. A tool verifies it before acting; verification fails closed and returns a value.
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { constantTimeEqual, utf8 } from '../crypto/index.ts';
import { argumentsDigest } from './canonical.ts';
import { ApprovalError } from './errors.ts';

/** The HTTP header that carries the receipt to the tool. */
export const RECEIPT_HEADER = 'Enclave-Receipt';
/** JWS `typ` (RFC 7515 section 4.1.9), so a receipt is never mistaken for another token. */
export const RECEIPT_TYPE = 'enclave-receipt+jws';
export const RECEIPT_VERSION = 1;
/** The only algorithms a verifier accepts: never `none`, never HMAC (RFC 8725 section 3.1). */
export const RECEIPT_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type ReceiptAlgorithm = (typeof RECEIPT_ALGORITHMS)[number];
const MAX_RECEIPT_CHARS = 16_384;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const receiptClaimsSchema = z.strictObject({
  v: z.literal(RECEIPT_VERSION),
  iss: z.string().min(1).max(256),
  /** The approval (action) id; tools may use it as an idempotency key. */
  jti: z.string().min(1).max(128),
  kind: z.literal('action'),
  /** The requester. */
  sub: z.string().min(1).max(256),
  tool: z.string().min(1).max(64),
  args_sha256: z.string().regex(HEX64),
  /** Distinct approvers, sorted; empty when policy allowed the call without approval. */
  approvers: z.array(z.string().min(1).max(256)).max(100),
  policy_ids: z.array(z.string().min(1).max(256)).max(64),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
}).refine((c) => c.exp > c.iat, { message: 'exp must be after iat', path: ['exp'] });

export type ReceiptClaims = z.infer<typeof receiptClaimsSchema>;

export type ReceiptFailureCode =
  | 'MALFORMED' | 'UNSUPPORTED_ALGORITHM' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'MALFORMED_CLAIMS'
  | 'NOT_YET_VALID' | 'EXPIRED' | 'ISSUER_MISMATCH' | 'TOOL_MISMATCH' | 'ARGUMENTS_MISMATCH' | 'TOO_FEW_APPROVERS';

export type ReceiptVerification =
  | { valid: true; claims: ReceiptClaims; kid: string }
  | { valid: false; code: ReceiptFailureCode; message: string };

/** A public key as a JWK, a list of them, or a JWK Set. */
export type ReceiptPublicKeys = JWK | readonly JWK[] | { keys: readonly JWK[] };

export interface VerifyReceiptOptions {
  publicKeys: ReceiptPublicKeys;
  /** The tool being called: must equal the receipt's. */
  tool?: string;
  /** The arguments received: their canonical digest must equal the receipt's. */
  arguments?: unknown;
  now?: Date;
  /** Allowed clock difference with Enclave, in seconds (default 5). */
  clockToleranceSeconds?: number;
  issuer?: string;
  /** Refuse receipts with fewer distinct approvers (e.g. 2 for a kinetic tool). */
  minApprovers?: number;
}

/** The public members of a JWK, with the alg its key type implies; anything else is refused. */
export function publicReceiptJwk(jwk: JWK): JWK & { alg: ReceiptAlgorithm } {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, alg: 'EdDSA' };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, alg: 'ES256' };
  }
  throw new ApprovalError('INVALID_KEY', 'a receipt key must be an Ed25519 (OKP) or P-256 (EC) JWK');
}

/** RFC 7638 thumbprint of the public key: the receipt's `kid`. */
export async function receiptKeyId(jwk: JWK): Promise<string> {
  const { alg: _alg, ...members } = publicReceiptJwk(jwk);
  return calculateJwkThumbprint(members, 'sha256');
}

function keyList(keys: ReceiptPublicKeys): readonly JWK[] {
  if (Array.isArray(keys)) return keys as readonly JWK[];
  const set = keys as { keys?: unknown };
  return Array.isArray(set.keys) ? (set.keys as JWK[]) : [keys as JWK];
}

const fail = (code: ReceiptFailureCode, message: string): ReceiptVerification => ({ valid: false, code, message });

/**
 * Verifies a receipt: signature by one of `publicKeys` (chosen by kid, algorithm pinned to
 * the key type), claims well-formed, inside its lifetime, and, when given, for this tool,
 * these arguments, this issuer, with enough approvers. Never throws on hostile input.
 * @example
 *   const r = await verifyReceipt(req.headers['enclave-receipt'], { publicKeys: jwks, tool: 'strike', arguments: body });
 *   if (!r.valid) return res.writeHead(403).end(r.code);
 */
export async function verifyReceipt(receipt: unknown, options: VerifyReceiptOptions): Promise<ReceiptVerification> {
  // The receipt is attacker-controlled: check its shape before any parser sees it.
  if (typeof receipt !== 'string' || receipt.length > MAX_RECEIPT_CHARS || !COMPACT_JWS.test(receipt)) return fail('MALFORMED', 'not a compact JWS');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(receipt);
  } catch {
    return fail('MALFORMED', 'the protected header is not valid');
  }
  if (header.typ !== RECEIPT_TYPE) return fail('MALFORMED', `typ must be ${RECEIPT_TYPE}`);
  if (!(RECEIPT_ALGORITHMS as readonly unknown[]).includes(header.alg)) return fail('UNSUPPORTED_ALGORITHM', `algorithm ${String(header.alg)} is not accepted`);
  if (typeof header.kid !== 'string' || header.crit !== undefined) return fail('MALFORMED', 'the header needs a kid and no crit');

  let candidates: Array<JWK & { alg: ReceiptAlgorithm }> = [];
  try {
    for (const jwk of keyList(options.publicKeys)) {
      if ((await receiptKeyId(jwk)) === header.kid) candidates.push(publicReceiptJwk(jwk));
    }
  } catch (err) {
    return fail('UNKNOWN_KEY', err instanceof Error ? err.message : 'unusable public key');
  }
  candidates = candidates.filter((k) => k.alg === header.alg);
  const key = candidates[0];
  if (!key) return fail('UNKNOWN_KEY', `no trusted ${String(header.alg)} key with kid ${header.kid}`);

  let payload: Uint8Array;
  try {
    const imported = await importJWK(key, key.alg);
    ({ payload } = await compactVerify(receipt, imported, { algorithms: [key.alg] }));
  } catch {
    return fail('BAD_SIGNATURE', 'the signature does not verify');
  }
  let claims: ReceiptClaims;
  try {
    const parsed = receiptClaimsSchema.safeParse(JSON.parse(Buffer.from(payload).toString('utf8')));
    if (!parsed.success) return fail('MALFORMED_CLAIMS', parsed.error.issues[0]?.message ?? 'invalid claims');
    claims = parsed.data;
  } catch {
    return fail('MALFORMED_CLAIMS', 'the payload is not JSON');
  }

  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.clockToleranceSeconds ?? 5;
  if (claims.iat > now + tolerance) return fail('NOT_YET_VALID', 'issued in the future');
  if (now - tolerance >= claims.exp) return fail('EXPIRED', `expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (options.issuer !== undefined && claims.iss !== options.issuer) return fail('ISSUER_MISMATCH', `issued by ${claims.iss}`);
  if (options.tool !== undefined && claims.tool !== options.tool) return fail('TOOL_MISMATCH', `the receipt is for tool ${claims.tool}`);
  if ('arguments' in options) {
    let digest: string;
    try {
      digest = argumentsDigest(options.arguments);
    } catch {
      return fail('ARGUMENTS_MISMATCH', 'the arguments are not JSON');
    }
    if (!constantTimeEqual(utf8(digest), utf8(claims.args_sha256))) return fail('ARGUMENTS_MISMATCH', 'the arguments differ from the approved ones');
  }
  if (options.minApprovers !== undefined && new Set(claims.approvers).size < options.minApprovers) {
    return fail('TOO_FEW_APPROVERS', `${claims.approvers.length} approver(s), ${options.minApprovers} required`);
  }
  return { valid: true, claims, kid: header.kid };
}
