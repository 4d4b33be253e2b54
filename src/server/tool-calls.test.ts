/** Tool calls a model returns: a registered kinetic tool is never handed back; it is held for approvers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { toPrincipal } from '../identity/index.ts';
import { startMockUpstream, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

type Annotated = { enclave: { tool_calls?: Array<{ id: string; tool: string; decision: string; approval_id?: string }> } };

describe('model tool calls under policy', () => {
  let upstream: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  let policyDir: string;

  before(async () => {
    upstream = await startMockUpstream();
    // The deployment lets analysts call tools; the product's holds still apply to kinetic ones.
    policyDir = mkdtempSync(join(tmpdir(), 'enclave-policy-'));
    writeFileSync(join(policyDir, 'tools.cedar'), '@id("deploy.analyst_tools")\npermit (principal, action == Action::"call_tool", resource is Tool) when { principal.roles.contains("analyst") };\n');
    // The mock model calls `lookup`; here it is registered as a kinetic tool needing two approvers.
    gw = await startTestGateway(`policy_dir: ${policyDir}
models:
  - { id: general, backend: openai, base_url: "${upstream.url}", accredited: SECRET, retries: 0 }
tools:
  - { name: lookup, effect: kinetic, endpoint: "http://127.0.0.1:9/never-called", approvals_required: 2, approver_roles: [approver] }
`);
    client = new OpenAI({ apiKey: gw.keys.alice, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('strips the held call, opens an approval and says so', async () => {
    upstream.setBehaviour(['tool_call']);
    const res = await client.chat.completions.create({ model: 'general', messages: [{ role: 'user', content: 'find fox' }], tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] });
    assert.equal(res.choices[0]!.message.tool_calls, undefined);
    assert.equal(res.choices[0]!.finish_reason, 'stop');
    const [note] = (res as unknown as Annotated).enclave.tool_calls ?? [];
    assert.equal(note?.decision, 'hold');
    assert.ok(note?.approval_id);
    const alice = toPrincipal((await gw.gateway.deps.store.identities.getUser('alice'))!, { method: 'api_key', keyId: 'test' });
    assert.equal((await gw.gateway.approvals.get(alice, note!.approval_id!))?.status, 'pending');
  });

  it('does the same on a stream: no held call reaches the client', async () => {
    upstream.setBehaviour(['tool_call']);
    const stream = await client.chat.completions.create({ model: 'general', stream: true, messages: [{ role: 'user', content: 'find fox' }], tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] });
    let calls = 0;
    let annotation: Annotated['enclave']['tool_calls'];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      calls += chunk.choices[0]?.delta.tool_calls?.length ?? 0;
      finish = chunk.choices[0]?.finish_reason ?? finish;
      annotation ??= (chunk as unknown as Partial<Annotated>).enclave?.tool_calls;
    }
    assert.equal(calls, 0);
    assert.equal(finish, 'stop');
    assert.equal(annotation?.[0]?.decision, 'hold');
  });
});
