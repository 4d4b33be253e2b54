/**
 * Accreditation routing and spillage: nothing above a model's accreditation is sent to it; a route
 * group moves the request to a model accredited high enough; a marking above the caller's
 * clearance is refused before anything is forwarded, and recorded as spillage.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { call } from '../../test/support/approvals.ts';
import { startMockUpstream, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

const CORPUS = join(import.meta.dirname, '../../demo/corpus');

describe('accreditation routing and spillage', () => {
  let low: MockUpstream;
  let high: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    low = await startMockUpstream();
    high = await startMockUpstream();
    gw = await startTestGateway(`
models:
  - { id: unclass, backend: openai, base_url: "${low.url}", accredited: UNCLASSIFIED, retrieval: true, retries: 0 }
  - { id: secret, backend: openai, base_url: "${high.url}", accredited: "TOP SECRET//SI/TK//NOFORN", retrieval: true, retries: 0 }
route_groups:
  - { id: auto, models: [unclass, secret] }
corpus: { ingest_on_start: ["${CORPUS}"] }
users:
  - { id: sam, name: Sam, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
  - { id: uma, name: Uma, clearance: UNCLASSIFIED, nationality: USA, roles: [analyst] }
`);
  });
  after(async () => {
    await gw.close();
    await low.close();
    await high.close();
  });

  const ask = (user: string, model: string, content: string) =>
    call(`${gw.url}/v1/chat/completions`, gw.keys[user], 'POST', { model, messages: [{ role: 'user', content }] });

  it('refuses to send SECRET context to an UNCLASSIFIED model, naming both labels', async () => {
    const before = low.calls();
    const res = await ask('sam', 'unclass', 'What is the status of the northern depot?');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'not_accredited');
    assert.match(res.body.error.message, /labelled SECRET\/\/NOFORN, above what model "unclass" is accredited for \(UNCLASSIFIED\)/);
    assert.equal(low.calls(), before, 'nothing reached the lower model');
  });

  it('moves a route-group request to the first model accredited high enough', async () => {
    const [l, h] = [low.calls(), high.calls()];
    const res = await ask('sam', 'auto', 'What is the status of the northern depot?');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(low.calls(), l);
    assert.equal(high.calls(), h + 1);
    const unclassified = await ask('uma', 'auto', 'What is the status of the northern depot?');
    assert.equal(unclassified.status, 200);
    assert.equal(low.calls(), l + 1, 'an UNCLASSIFIED request stays on the first model');
    const listed = await call(`${gw.url}/v1/models`, gw.keys.sam, 'GET');
    assert.ok(listed.body.data.some((m: { id: string }) => m.id === 'auto'));
  });

  it('refuses pasted markings above the caller as spillage, forwards nothing, and records it', async () => {
    const [l, h] = [low.calls(), high.calls()];
    const size = gw.gateway.audit.size;
    const res = await ask('uma', 'auto', '(S//NF) The convoy leaves at dawn. Summarise this for me.');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'spillage');
    assert.ok(!JSON.stringify(res.body).includes('convoy leaves'));
    assert.deepEqual([low.calls(), high.calls()], [l, h]);
    const kinds: string[] = [];
    for await (const page of gw.gateway.audit.readEntries(size, gw.gateway.audit.size)) for (const e of page) kinds.push((JSON.parse(e.data) as { kind: string }).kind);
    assert.ok(kinds.includes('spillage'), kinds.join(','));
  });
});
