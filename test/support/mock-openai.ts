/**
 * A real OpenAI-compatible HTTP server on loopback for tests and benchmarks: it counts calls
 * and can be told to fail, hang or die mid-stream, so the gateway's handling of each is tested
 * against actual sockets. `echo` answers with every message it was given (system context
 * included), as a model that obeys "repeat everything you were told" perfectly would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type MockBehaviour =
  | 'ok'
  | 'tool_call'
  | 'fail_500'
  | 'hang'
  | 'die_mid_stream'
  | 'stall_mid_stream'
  | 'hold_after_done'
  | 'reject_400'
  | 'echo';

export interface MockUpstream {
  readonly url: string;
  /** Every chat request body received, in order. */
  readonly requests: Array<Record<string, unknown>>;
  calls(): number;
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than calls). */
  connections(): number;
  /** Behaviour for the next requests; a queue is consumed one per request, then `fallback`. */
  setBehaviour(queue: MockBehaviour[], fallback?: MockBehaviour): void;
  close(): Promise<void>;
}

const ANSWER = 'The quick brown fox jumps over the lazy dog.';

/** The whole prompt, every message in order with its role: what `echo` answers. */
export function echoOf(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown; content?: unknown }>) : [];
  return messages.map((m) => `${String(m.role)}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? null)}`).join('\n\n');
}

function completion(body: Record<string, unknown>, toolCall: boolean, content: string = ANSWER) {
  const message = toolCall
    ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"fox"}' } }] }
    : { role: 'assistant', content };
  return {
    id: 'chatcmpl-mock', object: 'chat.completion', created: 1, model: body.model,
    choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 11, completion_tokens: 9, total_tokens: 20 },
  };
}

function sse(res: http.ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

export interface MockTiming {
  /** Chunks in a streamed answer. */
  words?: number;
  /** Time before the first byte of an answer (a model's prompt processing); default 0. */
  firstTokenMs?: number;
  /** Time per generated word (a model's decoding); a non-streamed answer waits for all of them. */
  tokenMs?: number;
  /**
   * An answer is as many words as the request's `max_tokens` (capped at 1,000), as a real model's
   * answers vary in length. With every answer the same length, closed-loop clients stay in lockstep
   * and reach the gateway as one burst per round. The length comes from the request, not from a
   * generator in the mock, so a benchmark that sends the same sequence of requests to each gateway
   * gives each the same sequence of answer lengths.
   */
  wordsFromMaxTokens?: boolean;
}

const pause = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** Starts the mock on 127.0.0.1 with a free port; `timing` makes it answer at a model's pace. */
export async function startMockUpstream(options: MockTiming = {}): Promise<MockUpstream> {
  const firstTokenMs = options.firstTokenMs ?? 0;
  const tokenMs = options.tokenMs ?? 0;
  const requests: Array<Record<string, unknown>> = [];
  let queue: MockBehaviour[] = [];
  let fallback: MockBehaviour = 'ok';
  const sockets = new Set<import('node:net').Socket>();
  let accepted = 0;
  const words = ANSWER.split(' ');
  const baseWords = options.words ? Array.from({ length: options.words }, (_, i) => words[i % words.length]!) : words;
  const answerWords = (body: Record<string, unknown>): string[] => {
    const max = body.max_tokens;
    if (!options.wordsFromMaxTokens || typeof max !== 'number' || !Number.isInteger(max) || max < 1) return baseWords;
    return Array.from({ length: Math.min(max, 1000) }, (_, i) => words[i % words.length]!);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      requests.push(body);
      const behaviour = queue.shift() ?? fallback;
      if (behaviour === 'hang') return; // never answers
      if (behaviour === 'fail_500') { res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}'); return; }
      if (behaviour === 'reject_400') { res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad tool schema"}}'); return; }
      void answer(res, body, behaviour);
    });
  });

  async function answer(res: http.ServerResponse, body: Record<string, unknown>, behaviour: MockBehaviour): Promise<void> {
    const streamWords = answerWords(body);
    await pause(firstTokenMs);
    if (!body.stream) {
      await pause(tokenMs * streamWords.length);
      const content = behaviour === 'echo' ? echoOf(body) : ANSWER;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(body, behaviour === 'tool_call', content)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1, model: body.model };
    sse(res, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (behaviour === 'tool_call') {
      sse(res, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] }, finish_reason: null }] });
      sse(res, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":"fox"}' } }] }, finish_reason: null }] });
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
    } else if (behaviour === 'echo') {
      // Small pieces, so a marking or a canary is split across chunks as a real model's tokens would be.
      const text = echoOf(body);
      for (let i = 0; i < text.length; i += 7) sse(res, { ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + 7) }, finish_reason: null }] });
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    } else {
      const breaks = behaviour === 'die_mid_stream' || behaviour === 'stall_mid_stream';
      for (const [i, w] of streamWords.entries()) {
        if (breaks && i >= 3) break;
        if (i > 0) await pause(tokenMs);
        sse(res, { ...base, choices: [{ index: 0, delta: { content: i === 0 ? w : ` ${w}` }, finish_reason: null }] });
      }
      if (behaviour === 'die_mid_stream') { res.socket?.destroy(); return; }
      if (behaviour === 'stall_mid_stream') return; // keeps the socket open, sends nothing more
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    }
    const so = body.stream_options as { include_usage?: boolean } | undefined;
    if (so?.include_usage) sse(res, { ...base, choices: [], usage: { prompt_tokens: 11, completion_tokens: streamWords.length, total_tokens: 11 + streamWords.length } });
    sse(res, '[DONE]');
    if (behaviour === 'hold_after_done') return; // says it is done but never ends the response
    res.end();
  }
  server.on('connection', (s) => { accepted++; sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    calls: () => requests.length,
    connections: () => accepted,
    setBehaviour(q, fb = 'ok') { queue = [...q]; fallback = fb; },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const MOCK_ANSWER = ANSWER;
