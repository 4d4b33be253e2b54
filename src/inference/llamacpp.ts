/** The `llamacpp` backend: a local GGUF model run in-process through node-llama-cpp. */
import { availableParallelism } from 'node:os';
import {
  getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper, specializedChatWrapperTypeNames,
  type ChatHistoryItem, type ChatWrapper, type Llama, type LlamaContextSequence, type LlamaModel,
} from 'node-llama-cpp';
import { z } from 'zod';
import { InferenceError } from './errors.ts';
import { validateGgufFile } from './gguf-validate.ts';
import type { Backend, BackendChunk, BackendRequest, BackendResult, ChatMessage } from './types.ts';

/** Chat wrappers a config may name; `auto` picks one from the file's template and name, once, at load. */
export const LLAMACPP_CHAT_WRAPPERS = ['auto', ...specializedChatWrapperTypeNames] as const;
export type LlamaCppChatWrapperName = (typeof LLAMACPP_CHAT_WRAPPERS)[number];

const configSchema = z.object({
  id: z.string().min(1),
  modelPath: z.string().min(1),
  contextSize: z.number().int().min(64).optional(),
  threads: z.number().int().min(1).optional(),
  maxConcurrency: z.number().int().min(1).max(64).default(1),
  maxQueue: z.number().int().min(0).default(16),
  chatWrapper: z.enum(LLAMACPP_CHAT_WRAPPERS).default('auto'),
}).strict();

export type LlamaCppConfig = z.input<typeof configSchema>;

let sharedLlama: Promise<Llama> | undefined;

/**
 * One llama.cpp runtime per process, shared by every embedded backend. Never builds or downloads
 * at run time (no egress): a missing binary is an error, not a 7-minute compile.
 */
function getSharedLlama(): Promise<Llama> {
  sharedLlama ??= getLlama({
    gpu: 'auto',
    build: 'never',
    skipDownload: true,
    progressLogs: false,
    // Contexts ask for their own thread count; this caps their sum at the cores there are.
    maxThreads: availableParallelism(),
    logLevel: LlamaLogLevel.warn,
  }).catch((err: unknown) => {
    sharedLlama = undefined;
    throw new InferenceError('UPSTREAM_ERROR', 'no usable llama.cpp binary for this platform', { cause: err });
  });
  return sharedLlama;
}

/** Free sequences and the requests waiting for one, first come first served. */
class SequencePool {
  private readonly waiters: Array<{ grant: (s: LlamaContextSequence) => void; fail: (e: Error) => void }> = [];
  private closed = false;

  constructor(private readonly free: LlamaContextSequence[], private readonly maxQueue: number) {}

  acquire(signal: AbortSignal): Promise<LlamaContextSequence> {
    if (this.closed) return Promise.reject(new InferenceError('BACKEND_BUSY', 'backend is closed'));
    if (signal.aborted) return Promise.reject(new InferenceError('ABORTED', 'request aborted'));
    const seq = this.free.pop();
    if (seq) return Promise.resolve(seq);
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(new InferenceError('BACKEND_BUSY', 'all sequences busy and the queue is full'));
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (s: LlamaContextSequence) => { signal.removeEventListener('abort', onAbort); resolve(s); },
        fail: (e: Error) => { signal.removeEventListener('abort', onAbort); reject(e); },
      };
      const onAbort = (): void => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new InferenceError('ABORTED', 'request aborted while waiting for a free sequence'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Forgets the sequence's tokens first: no request's KV cache, or its timing, reaches the next. */
  async release(seq: LlamaContextSequence): Promise<void> {
    try {
      await seq.clearHistory();
    } catch {
      return; // a sequence that cannot be cleared (context disposed) is not handed out again
    }
    if (this.closed) return;
    const next = this.waiters.shift();
    if (next) next.grant(seq);
    else this.free.push(seq);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.fail(new InferenceError('BACKEND_BUSY', 'backend is closed'));
  }
}

function textOf(m: ChatMessage): string {
  return m.content ?? '';
}

/**
 * OpenAI messages to node-llama-cpp's chat history. Tool calls and results become plain text: the
 * embedded backend does not offer `tools` to the model (see createLlamaCppBackend), but it still
 * accepts conversations that carry them.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { type: 'system', text: textOf(m) };
      case 'user':
        return { type: 'user', text: textOf(m) };
      case 'assistant': {
        const calls = (m.tool_calls ?? []).map((c) => `[tool call ${c.function.name}(${c.function.arguments})]`);
        return { type: 'model', response: [[textOf(m), ...calls].filter((s) => s !== '').join('\n')] };
      }
      case 'tool':
        return { type: 'user', text: `[tool result ${m.name ?? m.tool_call_id ?? ''}]\n${textOf(m)}` };
    }
  });
  // The empty model turn is the one the model writes.
  history.push({ type: 'model', response: [] });
  return history;
}

function finishReasonOf(stopReason: string): BackendResult['finish_reason'] {
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'eogToken' || stopReason === 'stopGenerationTrigger' || stopReason === 'customStopTrigger') return 'stop';
  throw new InferenceError('ABORTED', 'generation was aborted');
}

/** Rejects as soon as `signal` aborts, so a caller never waits on native work that is slow to stop. */
function rejectOnAbort(signal: AbortSignal, reason: () => InferenceError): { promise: Promise<never>; dispose: () => void } {
  let onAbort = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(reason());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Loads a local GGUF model and serves chat completions from it.
 *
 * The file's header is validated first (a broken file would abort the process inside llama.cpp).
 * `maxConcurrency` sequences generate in parallel in one context; further requests wait in a queue
 * of `maxQueue` (then BACKEND_BUSY), honouring their abort signal while they wait. `temperature`
 * (OpenAI default 1), `top_p`, `max_tokens` (capped by the context left after the prompt) and
 * `stop` are honoured; `tools` and `tool_choice` are ignored: generic function-call syntax is not
 * what most local models were trained on, so the embedded backend never returns `tool_calls`.
 * @example const backend = await createLlamaCppBackend({ id: 'local', modelPath: '/models/m.gguf', maxConcurrency: 2 });
 */
export async function createLlamaCppBackend(config: LlamaCppConfig): Promise<Backend> {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) throw new InferenceError('MODEL_INVALID', `llamacpp backend config: ${z.prettifyError(parsed.error)}`);
  const cfg = parsed.data;
  await validateGgufFile(cfg.modelPath);
  const llama = await getSharedLlama();
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: cfg.modelPath });
  } catch (err) {
    throw new InferenceError('MODEL_INVALID', `cannot load GGUF model ${cfg.modelPath}`, { cause: err });
  }
  try {
    const context = await model.createContext({
      sequences: cfg.maxConcurrency,
      contextSize: cfg.contextSize ?? Math.min(4096, model.trainContextSize),
      threads: cfg.threads ?? Math.max(1, availableParallelism() - 1),
    });
    const chatWrapper: ChatWrapper = resolveChatWrapper(model, { type: cfg.chatWrapper, warningLogs: false });
    const sequences = Array.from({ length: cfg.maxConcurrency }, () => context.getSequence());
    const pool = new SequencePool(sequences, cfg.maxQueue);
    const closeController = new AbortController();
    const inflight = new Set<Promise<unknown>>();
    let closing: Promise<void> | undefined;

    /** Where a request is, so that an abort says whether it ever got a sequence. */
    interface Progress { waiting: boolean }
    const abortReason = (signal: AbortSignal, progress: Progress) => (): InferenceError => closeController.signal.aborted
      ? new InferenceError('ABORTED', 'backend closed during generation')
      : new InferenceError('ABORTED', progress.waiting ? 'request aborted while waiting for a free sequence' : 'request aborted', { cause: signal.reason });

    async function generate(req: BackendRequest, signal: AbortSignal, progress: Progress, onText?: (text: string) => void): Promise<BackendResult> {
      const seq = await pool.acquire(signal);
      progress.waiting = false;
      try {
        const history = toChatHistory(req.messages);
        const promptTokens = chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
        const room = seq.contextSize - promptTokens;
        if (room < 1) {
          throw new InferenceError('CONTEXT_LENGTH_EXCEEDED', `prompt is ${promptTokens} tokens; the context holds ${seq.contextSize}`);
        }
        // max_tokens absent or < 1 would let llama.cpp shift the context and generate forever.
        const maxTokens = req.max_tokens !== undefined && req.max_tokens >= 1 ? Math.min(Math.floor(req.max_tokens), room) : room;
        const temperature = req.temperature ?? 1;
        const before = seq.tokenMeter.usedOutputTokens;
        const chat = new LlamaChat({ contextSequence: seq, chatWrapper });
        try {
          const res = await chat.generateResponse(history, {
            maxTokens,
            temperature,
            ...(temperature > 0 && req.top_p !== undefined ? { topP: req.top_p } : {}),
            repeatPenalty: false, // OpenAI's default: no penalty
            customStopTriggers: (req.stop ?? []).filter((s) => s !== ''),
            signal,
            ...(onText ? { onTextChunk: onText } : {}),
          });
          const completionTokens = seq.tokenMeter.usedOutputTokens - before;
          return {
            content: res.response,
            finish_reason: finishReasonOf(res.metadata.stopReason),
            usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
          };
        } finally {
          chat.dispose({ disposeSequence: false });
        }
      } catch (err) {
        if (err instanceof InferenceError) throw err;
        if (signal.aborted) throw abortReason(req.signal, progress)();
        throw new InferenceError('UPSTREAM_ERROR', `embedded model ${cfg.id} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      } finally {
        await pool.release(seq);
      }
    }

    /** Starts a generation tracked for close(); `signal` also fires when the backend closes. */
    function start(req: BackendRequest, signal: AbortSignal, progress: Progress, onText?: (text: string) => void): Promise<BackendResult> {
      const p = generate(req, signal, progress, onText);
      const tracked = p.catch(() => {}).finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      return p;
    }

    return {
      id: cfg.id,

      async complete(req) {
        if (closing) throw new InferenceError('BACKEND_BUSY', 'backend is closed');
        const signal = AbortSignal.any([req.signal, closeController.signal]);
        const progress = { waiting: true };
        const aborted = rejectOnAbort(signal, abortReason(req.signal, progress));
        try {
          return await Promise.race([start(req, signal, progress), aborted.promise]);
        } finally {
          aborted.dispose();
        }
      },

      async *stream(req): AsyncGenerator<BackendChunk> {
        if (closing) throw new InferenceError('BACKEND_BUSY', 'backend is closed');
        // Aborted by the request, by close(), or by the consumer leaving the loop early.
        const stop = new AbortController();
        const signal = AbortSignal.any([req.signal, closeController.signal, stop.signal]);
        const pending: string[] = [];
        let wake: (() => void) | undefined;
        let outcome: { ok: true; result: BackendResult } | { ok: false; error: unknown } | undefined;
        const settle = (o: NonNullable<typeof outcome>): void => { outcome ??= o; wake?.(); };
        const progress = { waiting: true };
        const aborted = rejectOnAbort(signal, abortReason(req.signal, progress));
        aborted.promise.catch((error: unknown) => settle({ ok: false, error }));
        start(req, signal, progress, (text) => { pending.push(text); wake?.(); })
          .then((result) => settle({ ok: true, result }), (error: unknown) => settle({ ok: false, error }));
        try {
          for (;;) {
            // A failure or abort ends the stream at once, without relaying text still queued.
            if (outcome && !outcome.ok) throw outcome.error;
            const text = pending.shift();
            if (text !== undefined) {
              if (text !== '') yield { content: text };
              continue;
            }
            if (outcome) break;
            await new Promise<void>((resolve) => { wake = resolve; });
            wake = undefined;
          }
          yield { finish_reason: outcome.result.finish_reason, usage: outcome.result.usage };
        } finally {
          aborted.dispose();
          stop.abort();
        }
      },

      close() {
        closing ??= (async () => {
          pool.close();
          closeController.abort();
          await Promise.allSettled([...inflight]);
          await context.dispose();
          await model.dispose();
        })();
        return closing;
      },
    };
  } catch (err) {
    await model.dispose();
    throw err instanceof InferenceError ? err : new InferenceError('UPSTREAM_ERROR', `cannot create a context for ${cfg.modelPath}`, { cause: err });
  }
}
