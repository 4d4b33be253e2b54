/**
 * The audit log for auditors: search, one entry with its RFC 6962 inclusion proof against the
 * latest checkpoint (the page recomputes the root itself with WebCrypto), a consistency proof
 * between two checkpoints (when the log grew between the page's checkpoint and a proof's), the
 * checkpoint with the public keys that verify it (the page checks both signatures itself), and
 * pages of entries for the page's "verify everything" run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatNoteKeyId, formatNoteVerifierKey, toHex } from '../crypto/index.ts';
import { verifyCheckpoint, type AuditSearch } from '../audit/index.ts';
import type { ConsoleContext } from './context.ts';
import type { ConsoleSession } from './session.ts';

const RANGE_MAX = 1000;
const SEARCH_MAX = 200;

function str(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** Hostile input: a non-negative safe integer in decimal, or undefined. */
function index(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The signature lines of a signed note (C2SP signed-note: "— name base64"), for display. */
function signaturesOf(note: string): Array<{ name: string; key_hash: string }> {
  const sep = note.indexOf('\n\n');
  if (sep < 0) return [];
  return note.slice(sep + 2).split('\n').filter((l) => l.startsWith('\u2014 ')).map((l) => {
    const [, name = '', sig = ''] = l.split(' ');
    const raw = Buffer.from(sig, 'base64');
    return { name, key_hash: raw.subarray(0, 4).toString('hex') };
  });
}

export function registerAuditRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const auditor = async (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | undefined> => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return undefined;
    if (!session.principal.roles.some((r) => ctx.config.auditor_roles.includes(r))) {
      reply.code(403).send({ error: { message: 'Only auditors may read the audit log.', code: 'forbidden' } });
      return undefined;
    }
    if (!ctx.audit) {
      reply.code(503).send({ error: { message: 'The audit log is not configured on this gateway.', code: 'audit_unavailable' } });
      return undefined;
    }
    return session;
  };

  app.get('/api/audit/checkpoint', async (request, reply) => {
    if (!(await auditor(request, reply))) return reply;
    const log = ctx.audit!;
    const cp = await log.checkpoint();
    if (!cp) return reply.send({ size: 0, checkpoint: null });
    const v = verifyCheckpoint(cp.note, { keys: log.verifierKeys(), origin: log.origin, hashAlgorithm: log.hashAlgorithm });
    return reply.send({
      origin: log.origin, size: cp.size, root: toHex(cp.rootHash), hash: log.hashAlgorithm, created_at: cp.createdAt, note: cp.note,
      signatures: signaturesOf(cp.note), signatures_verified: v.ok, signatures_message: v.ok ? null : v.message,
      // The same keys /v1/audit/checkpoint publishes, in the verifier-key text form witnesses use.
      public_keys: log.verifierKeys().map((k) => ({ name: k.name, algorithm: k.algorithm, key_id: formatNoteKeyId(k.keyId), vkey: formatNoteVerifierKey(k) })),
    });
  });

  app.get('/api/audit/entries', async (request, reply) => {
    if (!(await auditor(request, reply))) return reply;
    const q = request.query as Record<string, unknown>;
    const limit = Math.min(index(q.limit) ?? 50, SEARCH_MAX);
    const filter: AuditSearch = {
      ...(str(q.actor) ? { actor: str(q.actor)! } : {}), ...(str(q.kind) ? { kind: str(q.kind)! } : {}),
      ...(str(q.decision) ? { decision: str(q.decision)! } : {}), ...(str(q.since, 40) ? { since: str(q.since, 40)! } : {}),
      ...(str(q.until, 40) ? { until: str(q.until, 40)! } : {}), limit,
    };
    const out: Array<{ index: number; time: string; kind: string; actor: string; decision: string | null; entry: string }> = [];
    for await (const page of ctx.audit!.search(filter)) {
      for (const e of page) if (out.length < limit) out.push({ index: e.index, time: e.time, kind: e.kind, actor: e.actor, decision: e.decision, entry: e.data });
      if (out.length >= limit) break;
    }
    return reply.send({ data: out });
  });

  app.get('/api/audit/range', async (request, reply) => {
    if (!(await auditor(request, reply))) return reply;
    const q = request.query as Record<string, unknown>;
    const from = index(q.from);
    const to = index(q.to);
    if (from === undefined || to === undefined || to <= from || to - from > RANGE_MAX) {
      return reply.code(400).send({ error: { message: `from and to: a range of 1 to ${RANGE_MAX} entries.`, code: 'invalid_request' } });
    }
    const out: string[] = [];
    for await (const page of ctx.audit!.readEntries(from, to)) for (const e of page) out.push(e.data);
    return reply.send({ from, entries: out });
  });

  app.get('/api/audit/proof/:index', async (request, reply) => {
    if (!(await auditor(request, reply))) return reply;
    const i = index((request.params as { index: string }).index);
    if (i === undefined) return reply.code(400).send({ error: { message: 'The entry index is a non-negative integer.', code: 'invalid_request' } });
    try {
      const b = await ctx.audit!.prove(i);
      return reply.send({ index: b.index, size: b.size, entry: b.entry, leaf_hash: toHex(b.leafHash), proof: b.proof.map(toHex), checkpoint: b.checkpoint });
    } catch (err) {
      if ((err as { code?: string }).code === 'INVALID_PROOF_REQUEST') return reply.code(404).send({ error: { message: (err as Error).message, code: 'not_in_checkpoint' } });
      throw err;
    }
  });

  // Consistency between two tree sizes; the page checks it against roots it already holds.
  app.get('/api/audit/consistency', async (request, reply) => {
    if (!(await auditor(request, reply))) return reply;
    const q = request.query as Record<string, unknown>;
    const from = index(q.from);
    const to = index(q.to);
    if (from === undefined || to === undefined || from > to) {
      return reply.code(400).send({ error: { message: 'from and to: tree sizes with from <= to.', code: 'invalid_request' } });
    }
    try {
      const c = await ctx.audit!.consistency(from, to);
      return reply.send({ from: c.from, to: c.to, proof: c.proof.map(toHex), from_checkpoint: c.fromCheckpoint, to_checkpoint: c.toCheckpoint });
    } catch (err) {
      if ((err as { code?: string }).code === 'INVALID_PROOF_REQUEST') return reply.code(404).send({ error: { message: (err as Error).message, code: 'not_in_log' } });
      throw err;
    }
  });
}
