/** The OpenAI-compatible API, driven by the official `openai` client against a real gateway and upstream. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, MOCK_ANSWER, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

describe('OpenAI-compatible API', () => {
  let upstream: MockUpstream;
  let gw: TestGateway;
  let alice: OpenAI;

  before(async () => {
    upstream = await startMockUpstream();
    gw = await startTestGateway(`
models:
  - { id: general, backend: openai, base_url: "${upstream.url}", upstream_model: mock-7b, accredited: "SECRET//NOFORN", retries: 0 }
  - { id: analysts-only, backend: extractive, accredited: UNCLASSIFIED, roles: [analyst] }
`);
    alice = new OpenAI({ apiKey: gw.keys.alice, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  describe('when authenticated', () => {
    it('lists only the models the caller may use', async () => {
      const ids = (await alice.models.list()).data.map((m) => m.id).sort();
      assert.deepEqual(ids, ['analysts-only', 'general']);
      const bob = new OpenAI({ apiKey: gw.keys.bob, baseURL: `${gw.url}/v1`, maxRetries: 0 });
      assert.deepEqual((await bob.models.list()).data.map((m) => m.id), ['general']);
    });

    it('answers a chat, with request id and classification headers and usage', async () => {
      const { data, response } = await alice.chat.completions
        .create({ model: 'general', messages: [{ role: 'user', content: 'hello' }], temperature: 0.2, max_tokens: 50, stop: ['END'] })
        .withResponse();
      assert.match(data.choices[0]!.message.content ?? '', new RegExp(MOCK_ANSWER.replace('.', '\\.')));
      assert.equal(data.usage?.total_tokens, 20);
      assert.match(response.headers.get('x-enclave-request-id') ?? '', /^req_/);
      assert.equal(response.headers.get('x-enclave-classification'), 'UNCLASSIFIED');
      const sent = upstream.requests.at(-1)!;
      assert.equal(sent.model, 'mock-7b');
      assert.equal(sent.temperature, 0.2);
      assert.equal(sent.max_tokens, 50);
      assert.deepEqual(sent.stop, ['END']);
    });

    it('streams a chat over SSE, ending with usage', async () => {
      const stream = await alice.chat.completions.create({
        model: 'general', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined | null;
      let finish: string | null | undefined;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      assert.ok(chunks >= 3, `expected role, content and finish chunks, got ${chunks}`);
      assert.ok(text.includes(MOCK_ANSWER), text);
      assert.equal(finish, 'stop');
      assert.equal(usage?.completion_tokens, 9);
    });

    it('passes tools and tool_choice through and returns tool calls', async () => {
      upstream.setBehaviour(['tool_call']);
      const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', description: 'look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
      const res = await alice.chat.completions.create({ model: 'general', messages: [{ role: 'user', content: 'find fox' }], tools, tool_choice: 'auto' });
      assert.deepEqual(upstream.requests.at(-1)!.tools, tools);
      assert.equal(upstream.requests.at(-1)!.tool_choice, 'auto');
      const call = res.choices[0]!.message.tool_calls?.[0];
      assert.equal(call?.type === 'function' ? call.function.name : undefined, 'lookup');
      assert.equal(res.choices[0]!.finish_reason, 'tool_calls');

      upstream.setBehaviour(['tool_call']);
      const stream = await alice.chat.completions.create({ model: 'general', messages: [{ role: 'user', content: 'find fox' }], tools, stream: true });
      let args = '';
      let name = '';
      for await (const chunk of stream) {
        for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) { args += tc.function?.arguments ?? ''; name += tc.function?.name ?? ''; }
      }
      assert.equal(name, 'lookup');
      assert.deepEqual(JSON.parse(args), { q: 'fox' });
    });
  });

  describe('when the request is refused', () => {
    it('gives 401 without a key, with a wrong key, and with a revoked key', async () => {
      const noKey = new OpenAI({ apiKey: 'not-a-key', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      await assert.rejects(noKey.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401);
      const raw = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(raw.status, 401);
      const body = await raw.json() as { error: { type: string; code: string; enclave: { request_id: string } } };
      assert.equal(body.error.type, 'authentication_error');
      assert.equal(body.error.code, 'invalid_api_key');
      assert.match(body.error.enclave.request_id, /^req_/);
      const forged = `enc_${'A'.repeat(55)}`;
      await assert.rejects(new OpenAI({ apiKey: forged, baseURL: `${gw.url}/v1`, maxRetries: 0 }).models.list(), OpenAI.AuthenticationError);

      const { createApiKey, revokeApiKey } = await import('../identity/index.ts');
      const { key, record } = await createApiKey(gw.gateway.deps.store.identities, 'alice', 'short-lived');
      const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
      assert.equal((await client.models.list()).data.length, 2);
      await revokeApiKey(gw.gateway.deps.store.identities, record.id);
      await assert.rejects(client.models.list(), OpenAI.AuthenticationError);
    });

    it('gives 400 naming the field for wrong types, and 404 for an unknown model', async () => {
      await assert.rejects(
        alice.chat.completions.create({ model: 'general', messages: [{ role: 'user', content: 'x' }], temperature: 7 }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === 'temperature');
      await assert.rejects(
        alice.chat.completions.create({ model: 'general', messages: [] }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === 'messages');
      await assert.rejects(
        alice.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { code?: string }).code === 'model_not_found');
    });

    it('gives 400 for too many messages and 413 for an oversize body', async () => {
      const many = Array.from({ length: 300 }, () => ({ role: 'user' as const, content: 'x' }));
      await assert.rejects(alice.chat.completions.create({ model: 'general', messages: many }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { code?: string }).code === 'too_many_messages');
      const huge = 'x'.repeat(2 * 1024 * 1024);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys.alice}` },
        body: JSON.stringify({ model: 'general', messages: [{ role: 'user', content: huge }] }),
      });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'body_too_large');
    });

    it('keeps serving after 1,000 malformed requests, storing nothing for them', async () => {
      const before = gw.gateway.audit.size;
      const auth = { authorization: `Bearer ${gw.keys.alice}` };
      const bad: Array<{ headers: Record<string, string>; body: string }> = [
        { headers: { 'content-type': 'application/json', ...auth }, body: '{"model": "general", "messages": [' },
        { headers: { 'content-type': 'application/json', ...auth }, body: 'null' },
        { headers: { 'content-type': 'application/json', ...auth }, body: '' },
        { headers: { 'content-type': 'text/plain', ...auth }, body: 'hello' },
        { headers: { 'content-type': 'application/json', ...auth }, body: '{"__proto__": {"admin": true}, "model": 1}' },
        { headers: { 'content-type': 'application/json' }, body: '{"model":"general","messages":[{"role":"user","content":"x"}]}' },
        { headers: { 'content-type': 'application/json', authorization: 'Bearer enc_%00\'\"; DROP TABLE api_keys;--' }, body: '{}' },
      ];
      const statuses = new Set<number>();
      for (let i = 0; i < 1000; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => {
          const b = bad[(i + j) % bad.length]!;
          return fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: b.headers, body: b.body }).then(async (r) => {
            const text = await r.text();
            assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${text}`);
            assert.ok(!/at .*\.ts:\d+/.test(text), 'no stack traces in error bodies');
            JSON.parse(text);
            return r.status;
          });
        }));
        batch.forEach((s) => statuses.add(s));
      }
      assert.deepEqual([...statuses].sort(), [400, 401, 415]);
      const res = await alice.chat.completions.create({ model: 'general', messages: [{ role: 'user', content: 'still there?' }] });
      assert.ok(res.choices[0]!.message.content?.includes(MOCK_ANSWER));
      // Unauthenticated and unparseable requests leave nothing; an authenticated caller's 400s are
      // recorded as complete request entries, like the final good request.
      const recorded: Array<{ kind: string; status?: unknown }> = [];
      for await (const page of gw.gateway.audit.readEntries(before, gw.gateway.audit.size)) {
        for (const e of page) recorded.push(JSON.parse(e.data) as { kind: string });
      }
      assert.ok(recorded.every((e) => e.kind === 'request'), JSON.stringify(recorded.slice(0, 3)));
      assert.ok(recorded.length <= 1000 + 1);
      assert.equal((await gw.gateway.audit.verify()).ok, true);
    });
  });

  describe('operations', () => {
    it('answers /healthz and exposes Prometheus metrics', async () => {
      const health = await fetch(`${gw.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /enclave_requests_total\{route="\/v1\/chat\/completions",status="200"\} \d+/);
      assert.match(metrics, /enclave_request_duration_seconds_bucket/);
      assert.match(metrics, /enclave_decisions_total\{effect="allow",rule="default.analyst_chat"\} \d+/);
      // Every stage an answered request passes through is timed, so operators can see where time goes.
      for (const stage of ['identify', 'validate', 'guard', 'decide', 'retrieve', 'route', 'upstream', 'output', 'audit']) {
        const count = new RegExp(`enclave_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)`).exec(metrics);
        assert.ok(count && Number(count[1]) > 0, `no timings for stage ${stage}`);
      }
    });
    it('answers unknown URLs with an OpenAI-shaped 404', async () => {
      const res = await fetch(`${gw.url}/v1/nope`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unknown_url');
      assert.ok(res.headers.get('x-enclave-request-id'));
    });
  });
});
