/** The /v1/audit routes over a real SQLite store and audit log, through fastify's inject. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { leafHash, verifyCheckpoint, verifyConsistency, verifyInclusion } from '../../audit/index.ts';
import { fromBase64, parseNoteVerifierKey, utf8 } from '../../crypto/index.ts';
import { bootstrapUsers, createApiKey } from '../../identity/index.ts';
import { openSqliteStore } from '../../store/index.ts';
import { openGatewayAudit, type GatewayAudit } from '../audit-setup.ts';
import { registerAuditRoutes } from './audit.ts';

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

describe('/v1/audit routes', () => {
  let dir: string;
  let store: ReturnType<typeof openSqliteStore>;
  let audit: GatewayAudit;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};
  const get = (url: string, who?: string) => app.inject({ method: 'GET', url, headers: who ? { authorization: `Bearer ${keys[who]}` } : {} });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-audit-routes-'));
    store = openSqliteStore(join(dir, 'enclave.db'));
    await bootstrapUsers(store.identities, [
      { id: 'olga', name: 'Olga Auditor', clearance: 'SECRET', nationality: 'USA', roles: ['auditor'] },
      { id: 'alice', name: 'Alice Analyst', clearance: 'SECRET', nationality: 'USA', roles: ['analyst'] },
    ]);
    for (const id of ['olga', 'alice']) keys[id] = (await createApiKey(store.identities, id, 'test')).key;
    audit = await openGatewayAudit({ data_dir: dir, audit: { origin: 'audit.test.invalid/routes', checkpoint_interval_ms: 0 } }, store, {
      env: { ENCLAVE_KEY_SECRET: 'test secret' }, scryptParams: FAST_SCRYPT,
    });
    for (let i = 0; i < 9; i++) {
      await audit.recorder.record({ kind: i % 3 === 0 ? 'decision' : 'request', actor: i % 2 ? 'alice' : 'bob', requestId: `req-${i}`, data: { decision: i % 4 === 0 ? 'deny' : 'allow', model: 'm' } });
    }
    app = Fastify();
    registerAuditRoutes(app, { store, audit: audit.log });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await audit?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a caller without a valid key with an OpenAI-shaped 401', async () => {
    const r = await get('/v1/audit/checkpoint');
    assert.equal(r.statusCode, 401);
    const e = r.json().error;
    assert.equal(e.type, 'authentication_error');
    assert.equal(e.enclave.rule, 'auth.api_key');
    assert.ok(e.enclave.request_id);
  });

  it('serves the latest signed checkpoint with keys that verify it', async () => {
    const r = await get('/v1/audit/checkpoint', 'alice');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.checkpoint.size, 9);
    assert.equal(body.public_keys.length, 2);
    const v = verifyCheckpoint(body.checkpoint.note, { keys: body.public_keys.map((k: { vkey: string }) => parseNoteVerifierKey(k.vkey)), origin: 'audit.test.invalid/routes' });
    assert.ok(v.ok, JSON.stringify(v));
  });

  describe('when the caller is not an auditor', () => {
    it('answers 403 for entries, proofs and consistency', async () => {
      for (const url of ['/v1/audit/entries', '/v1/audit/entries/0/proof', '/v1/audit/consistency?from=1']) {
        const r = await get(url, 'alice');
        assert.equal(r.statusCode, 403, url);
        assert.deepEqual(r.json().error.code, 'insufficient_role');
        assert.equal(r.json().error.enclave.rule, 'audit.auditor_role');
      }
    });
  });

  it('searches entries by user and decision, with a limit, and records the search', async () => {
    const r = await get('/v1/audit/entries?user=alice&decision=allow', 'olga');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(body.data.map((e: { index: number }) => e.index), [1, 3, 5, 7]);
    assert.ok(body.data.every((e: { entry: { actor: string } }) => e.entry.actor === 'alice'));
    const limited = (await get('/v1/audit/entries?kind=request&limit=2', 'olga')).json();
    assert.equal(limited.data.length, 2);
    assert.equal(limited.has_more, true);
    const reads = (await get('/v1/audit/entries?kind=export&user=olga', 'olga')).json();
    assert.ok(reads.data.some((e: { entry: { action: string } }) => e.entry.action === 'audit.search'));
  });

  it('rejects bad query parameters with a 400 naming the parameter', async () => {
    for (const [url, param] of [['/v1/audit/entries?kind=nope', 'kind'], ['/v1/audit/entries?limit=0', 'limit'], ['/v1/audit/entries?since=yesterday', 'since'], ['/v1/audit/entries?extra=1', null], ['/v1/audit/entries/-1/proof', 'index'], ['/v1/audit/consistency?from=1e3', 'from']] as const) {
      const r = await get(url, 'olga');
      assert.equal(r.statusCode, 400, url);
      assert.equal(r.json().error.type, 'invalid_request_error');
      if (param) assert.equal(r.json().error.param, param, url);
    }
  });

  it('proves an entry is included in the signed checkpoint', async () => {
    const r = await get('/v1/audit/entries/4/proof', 'olga');
    assert.equal(r.statusCode, 200);
    const b = r.json();
    const leaf = leafHash(utf8(b.leaf_data));
    assert.deepEqual([...leaf], [...fromBase64(b.leaf_hash)]);
    const cp = verifyCheckpoint(b.checkpoint, { keys: audit.log.verifierKeys() });
    assert.ok(cp.ok);
    assert.ok(verifyInclusion(4, b.tree_size, leaf, b.inclusion_proof.map((p: string) => fromBase64(p)), cp.checkpoint.rootHash));
    const missing = await get('/v1/audit/entries/100000/proof', 'olga');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'entry_not_found');
  });

  it('proves consistency between two sizes, and refuses a reversed range', async () => {
    const r = await get('/v1/audit/consistency?from=3&to=9', 'olga');
    assert.equal(r.statusCode, 200);
    const c = r.json();
    assert.ok(verifyConsistency(3, 9, fromBase64(c.from_root), fromBase64(c.to_root), c.consistency_proof.map((p: string) => fromBase64(p))));
    const bad = await get('/v1/audit/consistency?from=9&to=3', 'olga');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'invalid_proof_request');
  });
});
