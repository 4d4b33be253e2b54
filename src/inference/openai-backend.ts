/**
 * Backend for any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, TGI). Retries
 * 5xx, 429 and connection failures with backoff, failing over across replicas; streams are
 * relayed chunk by chunk, and an upstream that stalls or dies mid-stream ends the stream
 * with an error instead of hanging.
 */
import type { IncomingMessage } from 'node:http';
import { InferenceError } from './errors.ts';
import { postJson, readBody } from './http-client.ts';
import type { Backend, BackendChunk, BackendRequest, BackendResult, ToolCall, Usage } from './types.ts';

export interface OpenAIBackendOptions {
  id: string;
  baseUrls: string[];
  upstreamModel: string;
  apiKey?: string;
  retries: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  /** Base delay for exponential backoff between attempts. */
  backoffMs?: number;
}

const ZERO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
const FINISH = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

function finishReason(v: unknown): BackendResult['finish_reason'] {
  return typeof v === 'string' && FINISH.has(v) ? (v as BackendResult['finish_reason']) : 'stop';
}

function usageOf(v: unknown): Usage | undefined {
  const u = v as Partial<Usage> | null | undefined;
  if (!u || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return undefined;
  return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens };
}

function retryable(err: unknown): boolean {
  return err instanceof InferenceError && (err.code === 'UPSTREAM_ERROR' || err.code === 'UPSTREAM_TIMEOUT');
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(new InferenceError('ABORTED', 'request aborted')); }, { once: true });
  });
}

/** Longest wait for an upstream's response to end after its [DONE] event. */
const DRAIN_AFTER_DONE_MS = 1000;

/** Splits an SSE byte stream into `data:` payloads, enforcing an idle timeout between chunks. */
async function* readSse(res: IncomingMessage, idleTimeoutMs: number): AsyncGenerator<string> {
  let buffer = '';
  let timer = setTimeout(() => res.destroy(new InferenceError('UPSTREAM_TIMEOUT', 'upstream stalled mid-stream')), idleTimeoutMs);
  res.setEncoding('utf8');
  try {
    for await (const chunk of res) {
      clearTimeout(timer);
      timer = setTimeout(() => res.destroy(new InferenceError('UPSTREAM_TIMEOUT', 'upstream stalled mid-stream')), idleTimeoutMs);
      buffer += chunk as string;
      if (buffer.length > 4 * 1024 * 1024) throw new InferenceError('UPSTREAM_ERROR', 'upstream sent an oversize event');
      let sep: RegExpExecArray | null;
      while ((sep = /\r?\n\r?\n/.exec(buffer))) {
        const event = buffer.slice(0, sep.index);
        buffer = buffer.slice(sep.index + sep[0].length);
        const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (data) yield data;
      }
    }
  } catch (err) {
    if (err instanceof InferenceError) throw err;
    throw new InferenceError('UPSTREAM_ERROR', 'upstream connection lost mid-stream', { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Creates an OpenAI-compatible backend. */
export function createOpenAIBackend(opts: OpenAIBackendOptions): Backend {
  const urls = opts.baseUrls.map((u) => new URL(`${u.replace(/\/+$/, '')}/chat/completions`));
  const headers: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const backoff = opts.backoffMs ?? 50;
  let next = 0;

  function payload(req: BackendRequest, stream: boolean): string {
    return JSON.stringify({
      model: opts.upstreamModel, messages: req.messages, stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.top_p !== undefined ? { top_p: req.top_p } : {}),
      ...(req.max_tokens !== undefined ? { max_tokens: req.max_tokens } : {}),
      ...(req.stop !== undefined ? { stop: req.stop } : {}),
      ...(req.tools !== undefined ? { tools: req.tools } : {}),
      ...(req.tool_choice !== undefined ? { tool_choice: req.tool_choice } : {}),
    });
  }

  /** Sends with retries and failover; resolves with a 2xx response. */
  async function send(req: BackendRequest, body: string): Promise<IncomingMessage> {
    let lastError: unknown;
    const start = next++ % urls.length;
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      if (attempt > 0) await delay(Math.random() * Math.min(2000, backoff * 2 ** attempt), req.signal);
      const url = urls[(start + attempt) % urls.length]!;
      try {
        const res = await postJson(url, body, { headers, signal: req.signal, connectTimeoutMs: opts.connectTimeoutMs, firstByteTimeoutMs: opts.firstByteTimeoutMs });
        if (res.status >= 200 && res.status < 300) return res.body;
        const text = await readBody(res.body, 64 * 1024).catch(() => '');
        if (res.status >= 500 || res.status === 429) {
          lastError = new InferenceError('UPSTREAM_ERROR', `upstream ${url.host} answered ${res.status}`);
          continue;
        }
        let message = `upstream answered ${res.status}`;
        try { message = String((JSON.parse(text) as { error?: { message?: unknown } }).error?.message ?? message); } catch { /* not JSON */ }
        throw new InferenceError('UPSTREAM_REJECTED', message.slice(0, 500));
      } catch (err) {
        if (!retryable(err)) throw err;
        lastError = err;
      }
    }
    throw lastError instanceof InferenceError ? lastError : new InferenceError('UPSTREAM_ERROR', 'upstream unavailable', { cause: lastError });
  }

  return {
    id: opts.id,
    async complete(req) {
      const res = await send(req, payload(req, false));
      let json: { choices?: Array<{ message?: { content?: string | null; tool_calls?: ToolCall[] }; finish_reason?: string }>; usage?: unknown };
      try {
        json = JSON.parse(await readBody(res)) as typeof json;
      } catch (err) {
        if (err instanceof InferenceError) throw err;
        throw new InferenceError('UPSTREAM_ERROR', 'upstream sent invalid JSON', { cause: err });
      }
      const choice = json.choices?.[0];
      if (!choice) throw new InferenceError('UPSTREAM_ERROR', 'upstream sent no choices');
      return {
        content: choice.message?.content ?? null,
        ...(choice.message?.tool_calls?.length ? { tool_calls: choice.message.tool_calls } : {}),
        finish_reason: finishReason(choice.finish_reason),
        usage: usageOf(json.usage) ?? ZERO_USAGE,
      };
    },
    async *stream(req) {
      const res = await send(req, payload(req, true));
      let finished = false;
      // Leaving the loop at [DONE] would destroy the response before its end arrived, and with it
      // the keep-alive socket: every stream would then pay a new upstream connection. So the rest
      // of the response is read (and ignored) up to its end, for at most DRAIN_AFTER_DONE_MS.
      let done = false;
      let drain: NodeJS.Timeout | undefined;
      try {
        for await (const data of readSse(res, opts.idleTimeoutMs)) {
          if (done) continue;
          if (data === '[DONE]') {
            done = true;
            drain = setTimeout(() => res.destroy(), DRAIN_AFTER_DONE_MS);
            continue;
          }
          let json: { choices?: Array<{ delta?: { content?: string | null; tool_calls?: BackendChunk['tool_calls'] }; finish_reason?: string | null }>; usage?: unknown; error?: { message?: string } };
          try {
            json = JSON.parse(data) as typeof json;
          } catch (err) {
            throw new InferenceError('UPSTREAM_ERROR', 'upstream sent an invalid stream event', { cause: err });
          }
          if (json.error) throw new InferenceError('UPSTREAM_ERROR', 'upstream reported an error mid-stream');
          const choice = json.choices?.[0];
          const chunk: BackendChunk = {};
          if (choice?.delta?.content) chunk.content = choice.delta.content;
          if (choice?.delta?.tool_calls?.length) chunk.tool_calls = choice.delta.tool_calls;
          if (choice?.finish_reason) { chunk.finish_reason = finishReason(choice.finish_reason); finished = true; }
          const usage = usageOf(json.usage);
          if (usage) chunk.usage = usage;
          if (Object.keys(chunk).length > 0) yield chunk;
        }
      } catch (err) {
        // After [DONE] the answer is whole: an upstream that then stalls or drops the socket costs nothing.
        if (!done) throw err;
      } finally {
        clearTimeout(drain);
      }
      if (done) return;
      if (!finished) throw new InferenceError('UPSTREAM_ERROR', 'upstream closed the stream before finishing');
    },
    async close() { /* keep-alive sockets are shared and unref'd by the agent */ },
  };
}
