/**
 * POST /v1/approvals/:id/approve|reject are rate limited per principal (one budget for both),
 * answering 429 in OpenAI's error shape with Retry-After; other principals from the same address,
 * and the read routes, are untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startApprovalsGateway, testTools, type ApprovalsGateway } from '../../../test/support/approvals.ts';
import { DEFAULT_APPROVAL_RATE_PER_MINUTE } from './approvals.ts';

describe('/v1/approvals rate limit', () => {
  let dir: string;
  let gw: ApprovalsGateway;
  const as = (user: string | undefined, verb: 'approve' | 'reject') =>
    call(`${gw.url}/v1/approvals/apr_none/${verb}`, user ? gw.keys[user] : undefined, 'POST', { reason: 'checking', ...(verb === 'approve' ? { totp: '123456' } : {}) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-rate-'));
    gw = await startApprovalsGateway({ storeUrl: `sqlite:${join(dir, 'enclave.db')}`, dataDir: dir, tools: testTools(() => 'http://127.0.0.1:9/tool') });
  });
  after(async () => {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 once a principal has spent its budget on approve and reject together', async () => {
    assert.equal(DEFAULT_APPROVAL_RATE_PER_MINUTE, 30);
    for (let i = 0; i < DEFAULT_APPROVAL_RATE_PER_MINUTE; i++) {
      const res = await as('carol', i % 2 ? 'reject' : 'approve');
      assert.equal(res.status, 404, `call ${i + 1} is within the budget`);
    }
    for (const verb of ['approve', 'reject'] as const) {
      const res = await fetch(`${gw.url}/v1/approvals/apr_none/${verb}`, {
        method: 'POST', headers: { authorization: `Bearer ${gw.keys.carol}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'checking' }),
      });
      assert.equal(res.status, 429, verb);
      assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      const body = await res.json() as { error: Record<string, unknown> & { enclave: Record<string, unknown> } };
      assert.equal(body.error.type, 'rate_limit_error');
      assert.equal(body.error.code, 'rate_limit_exceeded');
      assert.equal(body.error.param, null);
      assert.match(String(body.error.message), /at most 30 a minute/);
      assert.equal(body.error.enclave.rule, 'approval.rate_limit');
      assert.equal(body.error.enclave.request_id, res.headers.get('x-enclave-request-id'));
    }
  });

  it('counts per principal: another approver from the same address is not limited', async () => {
    assert.equal((await as('carol', 'approve')).status, 429);
    assert.equal((await as('dave', 'approve')).status, 404);
    assert.equal((await as('dave', 'reject')).status, 404);
  });

  it('authenticates before counting: no key gets 401, and reading the queue is not limited', async () => {
    assert.equal((await as(undefined, 'approve')).status, 401);
    assert.equal((await call(`${gw.url}/v1/approvals`, gw.keys.carol, 'GET')).status, 200);
  });
});
