/**
 * U.S.-person identities in an answer: each gets an opaque, stable subject (a digest, which reveals
 * nothing by itself) that a caller names in an unmasking request; identities whose unmasking was
 * approved for this caller are left as written.
 */
import { sha256Hex } from '../../crypto/index.ts';
import type { UsPersonIdentity } from '../../guards/index.ts';
import type { GatewayDeps, RequestContext } from '../context.ts';

/** The subject key of an identity: `usper:` + 128 bits of SHA-256 of the normalised name. */
export function usPersonSubject(name: string): string {
  return `usper:${sha256Hex(name.normalize('NFKC').trim().toLowerCase()).slice(0, 32)}`;
}

/** The identities to mask in this answer, and those this caller may see unmasked. */
export async function maskingFor(ctx: RequestContext, deps: GatewayDeps): Promise<{ identities: UsPersonIdentity[]; unmasked: string[] }> {
  const identities = [...ctx.usPersons].map((name) => ({ id: usPersonSubject(name), name }));
  const unmasked: string[] = [];
  if (deps.approvals && identities.length > 0) {
    for (const identity of identities) {
      if (await deps.approvals.findUnmaskGrant(ctx.principal!.id, identity.id)) unmasked.push(identity.id);
    }
  }
  return { identities, unmasked };
}
