/**
 * /v1/audit: the latest signed checkpoint with the keys that verify it, entry search, inclusion
 * and consistency proofs. Entries and proofs are for the `auditor` role; reading entries is
 * itself recorded in the log (kind `export`), so the log shows who looked at what.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AUDIT_KINDS, AuditError, type AuditLog, type AuditSearch } from '../../audit/index.ts';
import { formatNoteKeyId, formatNoteVerifierKey, toBase64 } from '../../crypto/index.ts';
import type { GatewayDeps } from '../../gateway/index.ts';
import type { Principal } from '../../identity/index.ts';
import { authenticate, parseInput, sendApiError } from '../http-input.ts';

export interface AuditRouteDeps {
  store: GatewayDeps['store'];
  /** Verifies OIDC access tokens sent instead of API keys. */
  oidc?: GatewayDeps['oidc'];
  audit: AuditLog;
}

export const AUDITOR_ROLE = 'auditor';
const MAX_LIMIT = 1000;

// Query strings are hostile input: digits only, bounded, before Number() sees them.
const index = z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'a non-negative whole number').transform(Number).pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));
const time = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString());
const searchQuery = z.strictObject({
  user: z.string().min(1).max(256).optional(),
  decision: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a decision such as allow, deny or hold').optional(),
  kind: z.enum(AUDIT_KINDS).optional(),
  since: time.optional(),
  until: time.optional(),
  limit: index.pipe(z.number().min(1).max(MAX_LIMIT)).optional(),
});
const proofParams = z.strictObject({ index });
const consistencyQuery = z.strictObject({ from: index, to: index.optional() });

/** Registers the audit routes; every route needs an API key, all but the checkpoint the auditor role. */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const { audit } = deps;

  async function caller(request: FastifyRequest, reply: FastifyReply, role?: string): Promise<Principal | undefined> {
    const principal = await authenticate(request, reply, deps);
    if (!principal) return undefined;
    if (role && !principal.roles.includes(role)) {
      await sendApiError(request, reply, { status: 403, type: 'permission_error', code: 'insufficient_role', rule: 'audit.auditor_role', message: `This needs the ${role} role.` });
      return undefined;
    }
    return principal;
  }

  const recordRead = (principal: Principal, request: FastifyRequest, action: string, details: Record<string, unknown>) =>
    audit.append({ kind: 'export', actor: principal.id, action, requestId: request.id, details: JSON.parse(JSON.stringify(details)) as unknown });

  app.get('/v1/audit/checkpoint', async (request, reply) => {
    if (!(await caller(request, reply))) return reply;
    const cp = await audit.checkpoint();
    return reply.send({
      object: 'audit.checkpoint',
      origin: audit.origin,
      hash_algorithm: audit.hashAlgorithm,
      checkpoint: cp ? { size: cp.size, root_hash: toBase64(cp.rootHash), note: cp.note, created_at: cp.createdAt } : null,
      public_keys: audit.verifierKeys().map((k) => ({ name: k.name, algorithm: k.algorithm, key_id: formatNoteKeyId(k.keyId), vkey: formatNoteVerifierKey(k) })),
    });
  });

  app.get('/v1/audit/entries', async (request, reply) => {
    const principal = await caller(request, reply, AUDITOR_ROLE);
    if (!principal) return reply;
    const q = await parseInput(request, reply, searchQuery, request.query, 'query');
    if (!q) return reply;
    const limit = q.limit ?? 100;
    const filter: AuditSearch = { actor: q.user, decision: q.decision, kind: q.kind, since: q.since, until: q.until, limit: limit + 1 };
    const data: Array<{ index: number; entry: unknown; leaf_hash: string }> = [];
    for await (const page of audit.search(filter)) for (const e of page) data.push({ index: e.index, entry: JSON.parse(e.data) as unknown, leaf_hash: toBase64(e.leafHash) });
    const hasMore = data.length > limit;
    if (hasMore) data.length = limit;
    await recordRead(principal, request, 'audit.search', { filter: q, returned: data.length });
    return reply.send({ object: 'list', data, has_more: hasMore });
  });

  app.get('/v1/audit/entries/:index/proof', async (request, reply) => {
    const principal = await caller(request, reply, AUDITOR_ROLE);
    if (!principal) return reply;
    const params = await parseInput(request, reply, proofParams, request.params, 'path');
    if (!params) return reply;
    try {
      const b = await audit.prove(params.index);
      await recordRead(principal, request, 'audit.prove', { index: b.index });
      return reply.send({
        object: 'audit.inclusion_proof', index: b.index, tree_size: b.size, entry: JSON.parse(b.entry) as unknown, leaf_data: b.entry,
        leaf_hash: toBase64(b.leafHash), inclusion_proof: b.proof.map(toBase64), checkpoint: b.checkpoint,
      });
    } catch (err) {
      if (!(err instanceof AuditError && err.code === 'INVALID_PROOF_REQUEST')) throw err;
      return sendApiError(request, reply, { status: 404, type: 'not_found_error', code: 'entry_not_found', param: 'index', rule: 'audit.not_checkpointed', message: err.message });
    }
  });

  app.get('/v1/audit/consistency', async (request, reply) => {
    if (!(await caller(request, reply, AUDITOR_ROLE))) return reply;
    const q = await parseInput(request, reply, consistencyQuery, request.query, 'query');
    if (!q) return reply;
    try {
      const c = await audit.consistency(q.from, q.to);
      return reply.send({
        object: 'audit.consistency_proof', from: c.from, to: c.to, from_root: toBase64(c.fromRoot), to_root: toBase64(c.toRoot),
        consistency_proof: c.proof.map(toBase64), from_checkpoint: c.fromCheckpoint, to_checkpoint: c.toCheckpoint,
      });
    } catch (err) {
      if (!(err instanceof AuditError && err.code === 'INVALID_PROOF_REQUEST')) throw err;
      return sendApiError(request, reply, { status: 400, type: 'invalid_request_error', code: 'invalid_proof_request', param: 'from', rule: 'audit.consistency_range', message: err.message });
    }
  });
}
