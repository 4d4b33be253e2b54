/**
 * Retrieval and administration are Cedar decisions on a live gateway. With the shipped example
 * deployment policy (examples/policy/deployment.cedar) in policy_dir, an ORCON reader's answer
 * draws on an ORCON portion and a non-reader's never does (not in the model's prompt, the answer
 * or the search API); a deployment forbid on `retrieve` drops a portion the clearance allows and
 * records it as withheld; and an administrator whose MFA is older than 15 minutes is refused an
 * administrative action (invariant.admin_mfa) that a fresh one is allowed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';
import { startConsoleGateway, type ConsoleGateway } from '../../test/support/console.ts';
import { signInByHttp } from '../../test/support/oidc.ts';

const EXAMPLE_POLICY = join(import.meta.dirname, '../../examples/policy/deployment.cedar');

const DOCUMENT = `---
id: quarry-road
title: Quarry road logistics
---
SECRET//ORCON/NOFORN

(U) The quarry road reopened to civilian traffic this week. CANARY-QR-U

(S//NF) The quarry road bridge can carry the heavy convoy. CANARY-QR-S

(S//OC/NF) A source reports the quarry road convoy leaves at dawn. CANARY-QR-ORCON

SECRET//ORCON/NOFORN
`;

// A deployment forbid: contractors never retrieve SECRET portions, whatever their clearance.
const CONTRACTOR_FORBID = `
@id("deploy.contractor_secret")
@reason("contractors may not retrieve SECRET portions")
forbid (principal, action == Action::"retrieve", resource is Portion)
when { principal.roles.contains("contractor") && resource.label.level >= 2 };
`;

const USERS = `
users:
  - { id: oscar, name: Oscar Reader, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst, orcon_reader] }
  - { id: sam, name: Sam Analyst, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
  - { id: cody, name: Cody Contractor, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst, contractor] }
`;

interface Answer {
  choices: Array<{ message: { content: string } }>;
  enclave: { classification: string; citations: Array<{ portionMark: string }>; audit_ref?: string };
}

describe('retrieval as a policy decision on a live gateway', () => {
  let dir: string;
  let upstream: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-retrieval-policy-'));
    const policyDir = join(dir, 'policy');
    const corpusDir = join(dir, 'corpus');
    mkdirSync(policyDir);
    mkdirSync(corpusDir);
    copyFileSync(EXAMPLE_POLICY, join(policyDir, 'deployment.cedar'));
    writeFileSync(join(policyDir, 'contractors.cedar'), CONTRACTOR_FORBID);
    writeFileSync(join(corpusDir, 'quarry-road.md'), DOCUMENT);
    upstream = await startMockUpstream();
    // The model repeats its whole prompt: whatever retrieval put in context shows in the answer too.
    upstream.setBehaviour([], 'echo');
    gw = await startTestGateway(`policy_dir: ${policyDir}
models:
  - { id: general, backend: openai, base_url: "${upstream.url}", accredited: "TOP SECRET//SI/TK//NOFORN", retrieval: true, retries: 0 }
corpus:
  ingest_on_start: ["${corpusDir}"]
  top_k: 5
${USERS}`);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks as `user`; returns the answer and the prompt the model was sent. */
  async function ask(user: string, stream = false): Promise<{ status: number; text: string; prompt: string }> {
    const before = upstream.calls();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys[user]}` },
      body: JSON.stringify({ model: 'general', stream, messages: [{ role: 'user', content: 'What is the status of the quarry road convoy and bridge?' }] }),
    });
    const text = await res.text();
    assert.equal(upstream.calls(), before + 1, 'one upstream call per request');
    return { status: res.status, text, prompt: JSON.stringify(upstream.requests.at(-1)) };
  }

  async function search(user: string): Promise<string> {
    const res = await fetch(`${gw.url}/v1/corpus/search?q=quarry%20road%20convoy`, { headers: { authorization: `Bearer ${gw.keys[user]}` } });
    assert.equal(res.status, 200);
    return res.text();
  }

  /** The `details` of the audit entry an answer points at. */
  async function auditDetails(ref: string | undefined): Promise<Record<string, unknown>> {
    const index = Number(/^audit:(\d+)$/.exec(ref ?? '')?.[1]);
    assert.ok(Number.isInteger(index), `an audit reference: ${ref}`);
    for await (const page of gw.gateway.audit.search({ kind: 'request' })) {
      const entry = page.find((e) => e.index === index);
      if (entry) return (JSON.parse(entry.data) as { details?: Record<string, unknown> }).details ?? {};
    }
    assert.fail(`no audit entry ${index}`);
  }

  it('gives an ORCON reader the ORCON portion the default filter withholds', async () => {
    const { status, text, prompt } = await ask('oscar');
    assert.equal(status, 200, text);
    const answer = JSON.parse(text) as Answer;
    assert.ok(prompt.includes('CANARY-QR-ORCON'), 'the ORCON portion reached the model');
    assert.ok(answer.enclave.citations.some((c) => c.portionMark === '(S//OC/NF)'));
    assert.equal(answer.enclave.classification, 'SECRET//ORCON/NOFORN');
    assert.match(await search('oscar'), /CANARY-QR-ORCON/);
  });

  it('never gives the ORCON portion to an analyst who is not an ORCON reader', async () => {
    for (const stream of [false, true]) {
      const { status, text, prompt } = await ask('sam', stream);
      assert.equal(status, 200, text);
      assert.ok(!prompt.includes('CANARY-QR-ORCON') && !text.includes('CANARY-QR-ORCON'), 'sam never sees the ORCON portion');
      // Not vacuous: the portions the clearance and policy allow are there.
      assert.ok(prompt.includes('CANARY-QR-S') && prompt.includes('CANARY-QR-U'));
      assert.ok(!text.includes('(S//OC/NF)') && !text.includes('ORCON'));
    }
    const found = await search('sam');
    assert.match(found, /CANARY-QR-S/);
    assert.doesNotMatch(found, /CANARY-QR-ORCON|S\/\/OC/);
  });

  it('drops a portion a deployment forbid refuses, and records it as withheld', async () => {
    const { status, text, prompt } = await ask('cody');
    assert.equal(status, 200, text);
    assert.ok(prompt.includes('CANARY-QR-U'), 'the UNCLASSIFIED portion is still used');
    assert.ok(!prompt.includes('CANARY-QR-S') && !text.includes('CANARY-QR-S'), 'the SECRET portions are dropped');
    const answer = JSON.parse(text) as Answer;
    assert.equal(answer.enclave.classification, 'UNCLASSIFIED');
    const details = await auditDetails(answer.enclave.audit_ref);
    const withheld = details.withheld as Array<{ portionId: string; rule: string }>;
    assert.equal(withheld.length, 1, JSON.stringify(withheld));
    assert.match(withheld[0]!.portionId, /^quarry-road#\d+\.\d+$/);
    assert.equal(withheld[0]!.rule, 'deploy.contractor_secret');
    assert.doesNotMatch(await search('cody'), /CANARY-QR-S/);
    // The analyst without the forbid was not recorded as having anything withheld by policy.
    const sam = JSON.parse((await ask('sam')).text) as Answer;
    assert.equal((await auditDetails(sam.enclave.audit_ref)).withheld, undefined);
  });
});

describe('administrative actions as policy decisions (console)', () => {
  let gw: ConsoleGateway;
  let clock = Date.now();

  before(async () => { gw = await startConsoleGateway({ now: () => clock }); });
  after(async () => gw?.close());

  it('refuses an administrator whose MFA is older than 15 minutes (invariant.admin_mfa)', async () => {
    const { cookie, status } = await signInByHttp(gw.url, 'adam');
    assert.equal(status, 303);
    const session = await (await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).json() as { csrf_token: string };
    const ingest = () => fetch(`${gw.url}/console/api/corpus/ingest`, {
      method: 'POST', body: JSON.stringify({ path: gw.inboxDir }), headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
    });
    const fresh = await ingest();
    assert.equal(fresh.status, 200, 'just signed in: allowed');
    await fresh.text();
    // Sixteen minutes later the session is still live (30 minutes idle), but the MFA is stale.
    clock += 16 * 60_000;
    const stale = await ingest();
    assert.equal(stale.status, 403);
    const body = await stale.json() as { error: { code: string; rule: string; message: string } };
    assert.equal(body.error.rule, 'invariant.admin_mfa');
    assert.match(body.error.message, /MFA/);
    // Still signed in: the refusal is the policy's, not an expired session.
    assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).status, 200);
  });
});
