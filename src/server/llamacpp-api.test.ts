/** An embedded GGUF model served through the whole gateway, driven by the `openai` client. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { writeTinyGguf } from '../inference/tiny-gguf.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

describe('llamacpp backend through the API', () => {
  let dir: string;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-gguf-'));
    const model = join(dir, 'tiny.gguf');
    await writeTinyGguf(model, { seed: 7 });
    gw = await startTestGateway(`models:\n  - { id: tiny, backend: llamacpp, model_path: "${model}", threads: 1, context_size: 1024, max_concurrency: 2, chat_wrapper: chatML, accredited: SECRET }\n`);
    client = new OpenAI({ apiKey: gw.keys.alice, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers deterministically at temperature 0, with usage', async () => {
    const ask = () => client.chat.completions.create({ model: 'tiny', temperature: 0, max_tokens: 12, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello' }] });
    const [a, b] = [await ask(), await ask()];
    assert.equal(a.choices[0]!.message.content, b.choices[0]!.message.content);
    assert.equal(a.choices[0]!.finish_reason, 'length');
    assert.equal(a.usage?.completion_tokens, 12);
    assert.ok((a.usage?.prompt_tokens ?? 0) > 0);
  });

  it('streams the same answer it completes', async () => {
    const req = { model: 'tiny', temperature: 0, max_tokens: 12, messages: [{ role: 'user' as const, content: 'hello' }] };
    const done = await client.chat.completions.create(req);
    let text = '';
    let chunks = 0;
    for await (const c of await client.chat.completions.create({ ...req, stream: true })) {
      text += c.choices[0]?.delta.content ?? '';
      chunks++;
    }
    assert.ok(chunks > 3);
    assert.equal(text, done.choices[0]!.message.content);
  });
});
