/**
 * A model's tool calls over HTTP, each decided by policy: a registered read tool the caller may
 * use is returned to the client (Enclave does not run it), a registered tool no policy permits is
 * stripped, a kinetic one is stripped and held for approvers, a call with arguments outside the
 * tool's schema is stripped, and a function Enclave does not know passes through. Every call is
 * annotated with its decision in `enclave.tool_calls`, streamed or not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPrincipal } from '../identity/index.ts';
import { testTools } from '../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../test/support/mock-tool.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

/** What the model asks for, in this order. */
const CALLS = [
  { id: 'call_lookup', name: 'lookup', arguments: '{"q":"fox"}' },
  { id: 'call_note', name: 'note', arguments: '{"text":"remember the fox"}' },
  { id: 'call_strike', name: 'strike', arguments: '{"target":"EF9012","rounds":2}' },
  { id: 'call_bad', name: 'strike', arguments: '{"target":"nowhere","rounds":99}' },
  { id: 'call_weather', name: 'weather', arguments: '{"city":"Oslo"}' },
];

/** A model that answers every request with CALLS, as one completion or as a stream of deltas. */
async function startToolCallingModel(): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
      const base = { id: 'chatcmpl-tools', created: 1, model: body.model };
      const toolCalls = CALLS.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          ...base, object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: toolCalls }, finish_reason: 'tool_calls', logprobs: null }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (choice: Record<string, unknown>) => res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, finish_reason: null, ...choice }] })}\n\n`);
      send({ delta: { role: 'assistant', content: '' } });
      CALLS.forEach((c, index) => {
        // Each call split over two deltas, as real models stream them.
        send({ delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] } });
        send({ delta: { tool_calls: [{ index, function: { arguments: c.arguments } }] } });
      });
      send({ delta: {}, finish_reason: 'tool_calls' });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

interface Annotation { id: string; tool: string; decision: string; policy_ids: string[]; approval_id?: string }

describe('model tool calls, each decided by policy', () => {
  let model: Awaited<ReturnType<typeof startToolCallingModel>>;
  let tool: MockTool;
  let policyDir: string;
  let gw: TestGateway;

  before(async () => {
    model = await startToolCallingModel();
    tool = await startMockTool();
    policyDir = mkdtempSync(join(tmpdir(), 'enclave-tool-policy-'));
    // Analysts may call kinetic tools (the product holds them for two approvers); no permit covers
    // write tools, so `note` is denied. Reading (lookup) is the shipped default.analyst_read_tools.
    writeFileSync(join(policyDir, 'tools.cedar'), '@id("deploy.analyst_kinetic")\npermit (principal, action == Action::"call_tool", resource is Tool) when { principal.roles.contains("analyst") && resource.effect == "kinetic" };\n');
    const tools = testTools(tool.endpoint).map((t) => ({ ...t, approver_roles: ['approver'] }));
    gw = await startTestGateway(`policy_dir: ${policyDir}
models:
  - { id: general, backend: openai, base_url: "${model.url}", accredited: SECRET, retries: 0 }
tools: ${JSON.stringify(tools)}
`);
  });
  after(async () => {
    await gw?.close();
    await model?.close();
    await tool?.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  const request = (stream: boolean) => fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys.alice}` },
    body: JSON.stringify({ model: 'general', stream, messages: [{ role: 'user', content: 'Look up the fox and make a note of it.' }] }),
  });

  /** Checks the annotations against the policy, and that the held call is an open approval request. */
  async function checkAnnotations(annotations: Annotation[] | undefined): Promise<void> {
    const byId = new Map((annotations ?? []).map((a) => [a.id, a]));
    assert.deepEqual([...byId.keys()], CALLS.map((c) => c.id), 'every call is annotated, in order');
    assert.equal(byId.get('call_lookup')!.decision, 'allow');
    assert.deepEqual(byId.get('call_lookup')!.policy_ids, ['default.analyst_read_tools']);
    assert.equal(byId.get('call_note')!.decision, 'deny');
    assert.deepEqual(byId.get('call_note')!.policy_ids, ['default.deny']);
    const held = byId.get('call_strike')!;
    assert.equal(held.decision, 'hold');
    assert.ok(held.policy_ids.includes('hold.kinetic_tool'));
    assert.equal(byId.get('call_bad')!.decision, 'invalid');
    assert.equal(byId.get('call_weather')!.decision, 'unregistered');
    const alice = toPrincipal((await gw.gateway.deps.store.identities.getUser('alice'))!, { method: 'api_key', keyId: 'test' });
    const approval = await gw.gateway.approvals.get(alice, held.approval_id!);
    assert.equal(approval?.status, 'pending');
  }

  it('returns allowed calls, strips denied, held and invalid ones, and annotates each', async () => {
    const before = model.calls();
    const res = await request(false);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(model.calls(), before + 1);
    const body = JSON.parse(text) as {
      choices: Array<{ message: { tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }; finish_reason: string }>;
      enclave: { tool_calls?: Annotation[] };
    };
    const kept = body.choices[0]!.message.tool_calls ?? [];
    assert.deepEqual(kept.map((c) => c.id), ['call_lookup', 'call_weather']);
    assert.equal(kept[0]!.function.arguments, '{"q":"fox"}', 'an allowed call is passed as the model wrote it');
    assert.equal(body.choices[0]!.finish_reason, 'tool_calls');
    await checkAnnotations(body.enclave.tool_calls);
    // Enclave executes nothing itself: allowed calls are the client's to run, held ones wait for approvers.
    assert.equal(tool.calls(), 0);
  });

  it('does the same on a stream: only allowed and unknown calls reach the client', async () => {
    const res = await request(true);
    assert.equal(res.status, 200);
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as {
      choices: Array<{ delta?: { tool_calls?: Array<{ id?: string; function?: { name?: string } }> }; finish_reason?: string | null }>;
      enclave?: { tool_calls?: Annotation[] };
    });
    const streamedIds = events.flatMap((e) => e.choices[0]?.delta?.tool_calls ?? []).map((c) => c.id);
    assert.deepEqual(streamedIds, ['call_lookup', 'call_weather']);
    const last = events.find((e) => e.enclave);
    assert.equal(last?.choices[0]?.finish_reason, 'tool_calls');
    await checkAnnotations(last?.enclave?.tool_calls);
    assert.equal(tool.calls(), 0);
  });
});
