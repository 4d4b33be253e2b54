/** Tests of the embedded backend against a real (tiny, random-weights) GGUF model the suite writes itself. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceError, type InferenceErrorCode } from './errors.ts';
import { createLlamaCppBackend, toChatHistory } from './llamacpp.ts';
import { writeTinyGguf } from './tiny-gguf.ts';
import type { Backend, BackendChunk, BackendRequest, ChatMessage } from './types.ts';

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hello there' },
];

function request(extra: Partial<BackendRequest> = {}): BackendRequest {
  return { messages: MESSAGES, temperature: 0, max_tokens: 40, signal: new AbortController().signal, ...extra };
}

function isInferenceError(code: InferenceErrorCode, mention = ''): (err: unknown) => boolean {
  return (err) => err instanceof InferenceError && err.code === code && err.message.includes(mention);
}

async function collect(chunks: AsyncIterable<BackendChunk>): Promise<BackendChunk[]> {
  const out: BackendChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('toChatHistory', () => {
  it('maps roles and appends the turn the model writes', () => {
    const history = toChatHistory([
      { role: 'developer', content: 'rules' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', content: '42', tool_call_id: 'c1' },
    ]);
    assert.deepEqual(history, [
      { type: 'system', text: 'rules' },
      { type: 'user', text: 'q' },
      { type: 'model', response: ['[tool call f({"a":1})]'] },
      { type: 'user', text: '[tool result c1]\n42' },
      { type: 'model', response: [] },
    ]);
  });
});

describe('createLlamaCppBackend', () => {
  let dir = '';
  let model = '';
  let backend: Backend;
  /** Greedy output for request(): the reference the other tests compare with. */
  let reference = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enclave-llamacpp-'));
    model = join(dir, 'tiny.gguf');
    await writeTinyGguf(model, { seed: 1 });
    backend = await createLlamaCppBackend({ id: 'tiny', modelPath: model, threads: 1, maxConcurrency: 2, contextSize: 1024, chatWrapper: 'chatML' });
    reference = (await backend.complete(request())).content ?? '';
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates the file before loading it: a broken header is an error, not a dead process', async () => {
    const broken = join(dir, 'no-ffn.gguf');
    await writeTinyGguf(broken, { omit: ['llama.feed_forward_length'] });
    await assert.rejects(createLlamaCppBackend({ id: 'x', modelPath: broken }), isInferenceError('MODEL_INVALID', 'llama.feed_forward_length'));
  });

  it('rejects a bad config at start-up', async () => {
    await assert.rejects(createLlamaCppBackend({ id: 'x', modelPath: model, maxConcurrency: 0 }), isInferenceError('MODEL_INVALID', 'maxConcurrency'));
  });

  describe('complete', () => {
    it('returns text, a finish reason and usage', async () => {
      const res = await backend.complete(request());
      assert.equal(backend.id, 'tiny');
      assert.equal(typeof res.content, 'string');
      assert.ok((res.content ?? '').length > 0);
      assert.equal(res.finish_reason, 'length');
      assert.ok(res.usage.prompt_tokens > 0);
      assert.equal(res.usage.completion_tokens, 40);
      assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + 40);
    });

    it('is deterministic at temperature 0', async () => {
      assert.equal((await backend.complete(request())).content, reference);
    });

    it('honours max_tokens', async () => {
      const res = await backend.complete(request({ max_tokens: 7 }));
      assert.equal(res.finish_reason, 'length');
      assert.equal(res.usage.completion_tokens, 7);
      assert.ok(reference.startsWith(res.content ?? 'x'));
    });

    it('samples at temperature 1 with top_p', async () => {
      const res = await backend.complete(request({ temperature: 1, top_p: 0.9 }));
      assert.equal(res.usage.completion_tokens, 40);
    });

    it('honours stop, leaving the stop text out', async () => {
      // Random weights emit stray UTF-8 bytes; node-llama-cpp drops undecodable bytes held back when a
      // stop string ends generation, so the stop chosen follows a printable character.
      const stop = [...reference.matchAll(/(?<=[!-~])[!-~]{2}/g)].map((m) => m[0])
        .find((s) => /[!-~]/.test(reference[reference.indexOf(s) - 1] ?? ''));
      assert.ok(stop !== undefined, 'the reference has three printable characters in a row');
      const res = await backend.complete(request({ stop: [stop] }));
      assert.equal(res.finish_reason, 'stop');
      assert.equal(res.content, reference.slice(0, reference.indexOf(stop)));
      assert.ok(res.usage.completion_tokens < 40);
    });

    it('counts a longer prompt as more prompt tokens', async () => {
      const short = await backend.complete(request({ max_tokens: 1 }));
      const long = await backend.complete(request({ max_tokens: 1, messages: [...MESSAGES, { role: 'user', content: 'and more' }] }));
      assert.ok(long.usage.prompt_tokens > short.usage.prompt_tokens);
    });

    it('refuses a prompt longer than the context', async () => {
      const huge = [{ role: 'user' as const, content: 'x'.repeat(1100) }];
      await assert.rejects(backend.complete(request({ messages: huge })), isInferenceError('CONTEXT_LENGTH_EXCEEDED'));
    });

    it('rejects with ABORTED when its signal is already aborted', async () => {
      await assert.rejects(backend.complete(request({ signal: AbortSignal.abort() })), isInferenceError('ABORTED'));
    });
  });

  describe('stream', () => {
    it('yields several chunks that add up to the complete() answer, then finish_reason and usage', async () => {
      const chunks = await collect(backend.stream(request()));
      const text = chunks.filter((c) => c.content !== undefined);
      assert.ok(text.length > 1);
      assert.equal(text.map((c) => c.content).join(''), reference);
      const last = chunks[chunks.length - 1];
      assert.equal(last?.finish_reason, 'length');
      assert.equal(last?.usage?.completion_tokens, 40);
      assert.ok((last?.usage?.prompt_tokens ?? 0) > 0);
    });

    it('stops with ABORTED when aborted mid-stream, and the backend stays usable', async () => {
      const ac = new AbortController();
      let received = 0;
      await assert.rejects(async () => {
        for await (const c of backend.stream(request({ max_tokens: 100_000, signal: ac.signal }))) {
          if (c.content !== undefined && ++received === 2) ac.abort();
        }
      }, isInferenceError('ABORTED'));
      assert.ok(received >= 2);
      assert.equal((await backend.complete(request())).content, reference);
    });

    it('gives its sequence back when the consumer leaves early', async () => {
      for await (const c of backend.stream(request({ max_tokens: 100_000 }))) {
        if (c.content !== undefined) break;
      }
      const both = await Promise.all([backend.complete(request()), backend.complete(request())]);
      assert.deepEqual(both.map((r) => r.usage.completion_tokens), [40, 40]);
    });
  });

  describe('concurrency', () => {
    it('runs two requests at once with maxConcurrency 2', async () => {
      const [a, b] = await Promise.all([backend.complete(request()), collect(backend.stream(request()))]);
      assert.equal(a.finish_reason, 'length');
      assert.equal(b[b.length - 1]?.finish_reason, 'length');
    });

    it('queues a third request until a sequence is free, honouring its abort signal while it waits', async () => {
      // max_tokens far above what these steps need: the tiny model never ends early (see tiny-gguf.ts).
      const s1 = backend.stream(request({ max_tokens: 100_000 }))[Symbol.asyncIterator]();
      const s2 = backend.stream(request({ max_tokens: 100_000 }))[Symbol.asyncIterator]();
      assert.ok((await s1.next()).value?.content !== undefined);
      assert.ok((await s2.next()).value?.content !== undefined);

      const ac = new AbortController();
      const waiting = backend.complete(request({ signal: ac.signal }));
      ac.abort();
      await assert.rejects(waiting, isInferenceError('ABORTED', 'waiting for a free sequence'));

      const third = backend.complete(request());
      await s1.return?.();
      assert.equal((await third).usage.completion_tokens, 40);
      await s2.return?.();
    });
  });
});

describe('a backend with one sequence and no queue', () => {
  let dir = '';
  let backend: Backend;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enclave-llamacpp-one-'));
    const model = join(dir, 'tiny.gguf');
    await writeTinyGguf(model, { seed: 2, nEmbd: 16, nLayer: 1 });
    backend = await createLlamaCppBackend({ id: 'one', modelPath: model, threads: 1, maxConcurrency: 1, maxQueue: 0, contextSize: 512 });
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('picks a chat wrapper by itself (auto) and generates', async () => {
    const res = await backend.complete(request({ max_tokens: 5 }));
    assert.equal(res.usage.completion_tokens, 5);
  });

  it('answers BACKEND_BUSY when its sequence is taken, and ends an open stream with an error on close', async () => {
    const s = backend.stream(request({ max_tokens: 100_000 }))[Symbol.asyncIterator]();
    assert.ok((await s.next()).value?.content !== undefined);
    await assert.rejects(backend.complete(request()), isInferenceError('BACKEND_BUSY', 'queue is full'));
    const drained = assert.rejects(async () => { while (!(await s.next()).done); }, isInferenceError('ABORTED', 'backend closed'));
    await backend.close();
    await drained;
    await assert.rejects(backend.complete(request()), isInferenceError('BACKEND_BUSY', 'closed'));
  });
});
