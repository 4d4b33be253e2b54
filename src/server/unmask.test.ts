/**
 * U.S.-person minimisation end to end: a tagged identity is masked in answers; a written
 * unmasking request is held for a designated official; once approved, that caller alone sees it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, enrollForTest, totpAt } from '../../test/support/approvals.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

const CORPUS = join(import.meta.dirname, '../../demo/corpus');
const QUESTION = 'Who leads the review team for the northern depot perimeter sensors?';

async function ask(gw: TestGateway, user: string): Promise<{ content: string; masked: Array<{ placeholder: string; subject: string }> }> {
  const res = await call(`${gw.url}/v1/chat/completions`, gw.keys[user], 'POST', { model: 'analyst', messages: [{ role: 'user', content: QUESTION }] });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { content: res.body.choices[0].message.content as string, masked: (res.body.enclave.masked ?? []) as Array<{ placeholder: string; subject: string }> };
}

describe('unmasking a U.S. person', () => {
  let gw: TestGateway;
  let policyDir: string;
  before(async () => {
    // The deployment lets analysts ask; the product's hold.unmask makes a designated official decide.
    policyDir = mkdtempSync(join(tmpdir(), 'enclave-policy-'));
    writeFileSync(join(policyDir, 'unmask.cedar'), '@id("deploy.analyst_unmask")\npermit (principal, action == Action::"unmask", resource is Portion) when { principal.roles.contains("analyst") };\n');
    gw = await startTestGateway(`policy_dir: "${policyDir}"
models:
  - { id: analyst, backend: extractive, accredited: "TOP SECRET//SI/TK//NOFORN", retrieval: true }
corpus: { ingest_on_start: ["${CORPUS}"] }
users:
  - { id: sam, name: Sam, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
  - { id: tess, name: Tess, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
  - { id: olivia, name: Olivia Official, clearance: "TOP SECRET//SI/TK", nationality: USA, roles: [approver] }
  - { id: oscar, name: Oscar Official, clearance: "TOP SECRET//SI/TK", nationality: USA, roles: [approver] }
`);
  });
  after(async () => {
    await gw?.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('masks the identity, holds the request, and shows it to the requester alone once approved', async () => {
    const first = await ask(gw, 'sam');
    assert.ok(!first.content.includes('John Q. Smith'), first.content);
    assert.match(first.content, /U\.S\. PERSON 1/);
    const subject = first.masked.find((m) => m.placeholder === 'U.S. PERSON 1')?.subject;
    assert.match(subject ?? '', /^usper:[0-9a-f]{32}$/);

    const short = await call(`${gw.url}/v1/unmask`, gw.keys.sam, 'POST', { subject, justification: 'need it' });
    assert.equal(short.status, 400);
    const held = await call(`${gw.url}/v1/unmask`, gw.keys.sam, 'POST', {
      subject, classification: 'SECRET//NOFORN', justification: 'The sensor review lead must be contacted to schedule the April controller replacement.',
    });
    assert.equal(held.status, 202, JSON.stringify(held.body));
    assert.equal(held.body.status, 'pending');
    assert.ok(!(await ask(gw, 'sam')).content.includes('John Q. Smith'), 'still masked while pending');

    const self = await call(`${gw.url}/v1/approvals/${held.body.id}/approve`, gw.keys.sam, 'POST', { reason: 'self' });
    assert.equal(self.status, 403, 'a requester cannot approve their own unmasking');
    for (const official of ['olivia', 'oscar']) {
      const secret = await enrollForTest({ approvals: gw.gateway.deps.store.approvals, store: gw.gateway.deps.store }, gw.dataDir, official);
      const res = await call(`${gw.url}/v1/approvals/${held.body.id}/approve`, gw.keys[official], 'POST', { reason: 'operational need stated', totp: await totpAt(secret, new Date()) });
      assert.ok(res.status === 200 || res.status === 409, JSON.stringify(res.body));
      if (res.body.status === 'approved' || res.body.status === 'executed') break;
    }
    const after = await ask(gw, 'sam');
    assert.ok(after.content.includes('John Q. Smith'), after.content);
    assert.ok(!(await ask(gw, 'tess')).content.includes('John Q. Smith'), 'another analyst still sees the mask');
  });
});
