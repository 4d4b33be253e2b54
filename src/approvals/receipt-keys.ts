/**
 * The receipt signing key: generated at first start, its private half sealed with the
 * approvals key and kept in the store, so every replica signs with the same key and a tool
 * trusts one published JWK Set.
 */
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { utf8 } from '../crypto/index.ts';
import { canonicalJson } from './canonical.ts';
import { RECEIPT_TYPE, RECEIPT_VERSION, publicReceiptJwk, receiptKeyId, type ReceiptAlgorithm, type ReceiptClaims } from './receipt.ts';
import type { SecretSealer } from './secrets.ts';
import type { ApprovalStore, SigningKeyRecord } from './store.ts';

export interface ReceiptSigner {
  readonly kid: string;
  readonly alg: ReceiptAlgorithm;
  /** Signs the claims (`v` is added) as a compact JWS over their canonical JSON. */
  sign(claims: Omit<ReceiptClaims, 'v'>): Promise<string>;
  /** Every key a tool should trust (the active one first), as a JWK Set. */
  jwks(): { keys: PublishedKey[] };
}

const purpose = (kid: string) => `receipt-key:${kid}`;

export type PublishedKey = JWK & { kid: string; alg: string; use: 'sig' };

function publish(keys: readonly SigningKeyRecord[]): PublishedKey[] {
  return keys.map((k) => {
    const { alg, ...members } = publicReceiptJwk(k.publicJwk as JWK);
    return { ...members, kid: k.kid, alg, use: 'sig' as const };
  });
}

/**
 * The JWK Set tools should trust, read from the store (active key first, then retired ones,
 * so receipts signed before a rotation still verify). Empty before the gateway's first start.
 */
export async function receiptJwks(store: ApprovalStore): Promise<{ keys: PublishedKey[] }> {
  return { keys: publish(await store.listSigningKeys()) };
}

async function generate(alg: ReceiptAlgorithm, sealer: SecretSealer, now: Date) {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = publicReceiptJwk(await exportJWK(pair.publicKey));
  const kid = await receiptKeyId(publicJwk);
  const privateJwk = await exportJWK(pair.privateKey);
  return {
    kid, alg, publicJwk: { ...publicJwk } as Record<string, unknown>, createdAt: now.toISOString(), retiredAt: null,
    sealedPrivateJwk: await sealer.seal(purpose(kid), utf8(JSON.stringify(privateJwk))),
  };
}

/**
 * Loads the active signing key, creating one (Ed25519 unless `alg` says ES256) when the store
 * has none. Replicas starting together may each generate one; the store keeps exactly one
 * active and every replica signs with that one.
 * @example const signer = await loadReceiptSigner(store.approvals, sealer)
 */
export async function loadReceiptSigner(store: ApprovalStore, sealer: SecretSealer, options: { alg?: ReceiptAlgorithm; now?: Date } = {}): Promise<ReceiptSigner> {
  let keys = await store.listSigningKeys();
  if (!keys.some((k) => k.retiredAt === null)) {
    await store.insertSigningKey(await generate(options.alg ?? 'EdDSA', sealer, options.now ?? new Date()));
    keys = await store.listSigningKeys();
  }
  const active = keys.find((k) => k.retiredAt === null)!;
  const alg = publicReceiptJwk(active.publicJwk as JWK).alg;
  const privateJwk = JSON.parse(Buffer.from(await sealer.open(purpose(active.kid), active.sealedPrivateJwk)).toString('utf8')) as JWK;
  const privateKey = await importJWK(privateJwk, alg);
  const published = publish(keys);
  return Object.freeze({
    kid: active.kid,
    alg,
    async sign(claims: Omit<ReceiptClaims, 'v'>) {
      const payload = utf8(canonicalJson({ v: RECEIPT_VERSION, ...claims }));
      return new CompactSign(payload).setProtectedHeader({ alg, typ: RECEIPT_TYPE, kid: active.kid }).sign(privateKey);
    },
    jwks: () => ({ keys: published.map((k) => ({ ...k })) }),
  });
}
