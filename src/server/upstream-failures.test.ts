/** What clients see when model backends fail: retries, failover, timeouts, and streams that die. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { startMockUpstream, MOCK_ANSWER, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('upstream failures', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    const dead = await deadPort();
    gw = await startTestGateway(`
models:
  - { id: retrying, backend: openai, base_url: "${a.url}", retries: 2, first_byte_timeout_ms: 400, idle_timeout_ms: 400 }
  - { id: failover, backend: openai, base_urls: ["http://127.0.0.1:${dead}/v1", "${b.url}"], retries: 1 }
  - { id: no-retry, backend: openai, base_url: "${a.url}", retries: 0, first_byte_timeout_ms: 400, idle_timeout_ms: 400 }
`);
    client = new OpenAI({ apiKey: gw.keys.alice, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    a.setBehaviour(['fail_500']);
    const before = a.calls();
    const res = await client.chat.completions.create({ model: 'retrying', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(res.choices[0]!.message.content?.includes(MOCK_ANSWER));
    assert.equal(a.calls() - before, 2);
  });

  it('fails over to the next replica when one refuses connections', async () => {
    const before = b.calls();
    const res = await client.chat.completions.create({ model: 'failover', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(res.choices[0]!.message.content?.includes(MOCK_ANSWER));
    assert.ok(b.calls() > before);
  });

  it('answers 502 without upstream details when every attempt fails', async () => {
    a.setBehaviour([], 'fail_500');
    try {
      await assert.rejects(client.chat.completions.create({ model: 'retrying', messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === 502 && !JSON.stringify(e.error).includes('boom'));
    } finally {
      a.setBehaviour([], 'ok');
    }
  });

  it('relays an upstream 400 as 400 upstream_rejected, without retrying', async () => {
    a.setBehaviour(['reject_400']);
    const before = a.calls();
    await assert.rejects(client.chat.completions.create({ model: 'retrying', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { code?: string }).code === 'upstream_rejected');
    assert.equal(a.calls() - before, 1);
  });

  it('answers 504 when the upstream never responds', async () => {
    a.setBehaviour(['hang']);
    await assert.rejects(client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 504);
  });

  for (const behaviour of ['die_mid_stream', 'stall_mid_stream'] as const) {
    it(`ends the client's stream with an error event when the upstream ${behaviour === 'die_mid_stream' ? 'dies' : 'stalls'} mid-stream`, async () => {
      a.setBehaviour([behaviour]);
      const stream = await client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      }, (e: unknown) => e instanceof OpenAI.APIError && /failed|in time/.test(e.message));
      assert.ok(text.startsWith('UNCLASSIFIED') || text.includes('quick'), 'what arrived before the failure was relayed');
      const health = await client.models.list();
      assert.ok(health.data.length > 0, 'the gateway keeps serving');
    });
  }

  it('stops the upstream work when the client goes away mid-stream', async () => {
    const slow = await startMockUpstream({ words: 5000 });
    const gw2 = await startTestGateway(`models:\n  - { id: slow, backend: openai, base_url: "${slow.url}", retries: 0 }\n`);
    try {
      const controller = new AbortController();
      const res = await fetch(`${gw2.url}/v1/chat/completions`, {
        method: 'POST', signal: controller.signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gw2.keys.alice}` },
        body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.cancel().catch(() => {});
      const again = await fetch(`${gw2.url}/healthz`);
      assert.equal(again.status, 200);
    } finally {
      await gw2.close();
      await slow.close();
    }
  });
  it('reuses one upstream connection for consecutive streams (the response is read to its end)', async () => {
    a.setBehaviour([], 'ok');
    const before = a.connections();
    for (let i = 0; i < 3; i++) {
      const stream = await client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      assert.ok(text.includes(MOCK_ANSWER));
    }
    assert.ok(a.connections() - before <= 1, `${a.connections() - before} new connections for 3 streams`);
  });

  it('finishes a stream whose upstream sent [DONE] but never ended the response', async () => {
    a.setBehaviour(['hold_after_done']);
    const stream = await client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(text.includes(MOCK_ANSWER));
    assert.equal(finish, 'stop', 'a whole answer, not an error');
    a.setBehaviour([], 'ok');
  });
});
