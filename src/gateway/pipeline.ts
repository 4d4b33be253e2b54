/**
 * The request pipeline, in the order of design.md's diagram:
 *
 *   identify -> validate -> guard -> decide -> retrieve -> route -> infer -> mark -> audit
 *
 * Each stage is a small function in ./stages; a stage either enriches the context or
 * returns a Refusal, which ends the request with an OpenAI-shaped error and an audit record.
 */
import { createOutputGuard, type Guards, type GuardSignal, type OutputGuard, type RedLine } from '../guards/index.ts';
import { InferenceError, type BackendChunk } from '../inference/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from './context.ts';
import { audit } from './stages/audit.ts';
import { decide } from './stages/decide.ts';
import { guardInput } from './stages/guard.ts';
import { identify } from './stages/identify.ts';
import { inferComplete, inferStream } from './stages/infer.ts';
import { enclaveInfo, mark } from './stages/mark.ts';
import { retrieve } from './stages/retrieve.ts';
import { createToolCallAssembler, reviewToolCalls } from './stages/review-tools.ts';
import { maskingFor } from './stages/unmask.ts';
import { route } from './stages/route.ts';
import { validate } from './stages/validate.ts';

type Stage = (ctx: RequestContext, deps: GatewayDeps) => Refusal | undefined | Promise<Refusal | undefined>;

/** Everything that happens before a model sees the request. */
export const STAGES_BEFORE_INFERENCE: ReadonlyArray<readonly [string, Stage]> = [
  ['identify', identify],
  ['validate', validate],
  ['guard', guardInput],
  ['decide', decide],
  ['retrieve', retrieve],
  ['route', route],
];

export type ChatOutcome =
  | { kind: 'refused'; refusal: Refusal; error: Record<string, unknown> }
  | { kind: 'completed'; classification: string; body: Record<string, unknown> }
  | { kind: 'streaming'; classification: string; events: AsyncIterable<Record<string, unknown>> };

/** Maps a backend failure to what the client is told: never the upstream's internals. */
export function upstreamRefusal(err: unknown): Refusal {
  if (err instanceof InferenceError) {
    switch (err.code) {
      case 'UPSTREAM_TIMEOUT': return { status: 504, type: 'server_error', code: 'upstream_timeout', rule: 'infer.timeout', message: 'The model backend did not answer in time.' };
      case 'UPSTREAM_REJECTED': return { status: 400, type: 'invalid_request_error', code: 'upstream_rejected', rule: 'infer.rejected', message: `The model backend rejected the request: ${err.message}` };
      case 'BACKEND_BUSY': return { status: 503, type: 'server_error', code: 'backend_busy', rule: 'infer.busy', message: 'The model backend is busy; retry shortly.' };
      case 'CONTEXT_LENGTH_EXCEEDED': return { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', rule: 'infer.context_length', message: 'The conversation is too long for this model.' };
      default: break;
    }
  }
  return { status: 502, type: 'server_error', code: 'upstream_error', rule: 'infer.upstream', message: 'The model backend failed to answer.' };
}

function errorBody(ctx: RequestContext, refusal: Refusal, auditRef: string | undefined): Record<string, unknown> {
  return {
    error: {
      message: refusal.message, type: refusal.type, code: refusal.code, param: refusal.param ?? null,
      enclave: { request_id: ctx.requestId, rule: refusal.rule, ...(auditRef ? { audit_ref: auditRef } : {}) },
    },
  };
}

/** Seconds since `start` (process.hrtime.bigint()), for the stage histogram. */
function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The audit stage, timed: every request's record passes through here. */
async function auditTimed(ctx: RequestContext, deps: GatewayDeps, outcome: Parameters<typeof audit>[2]): Promise<string | undefined> {
  const start = process.hrtime.bigint();
  const ref = await audit(ctx, deps, outcome);
  deps.metrics.stages.observe({ stage: 'audit' }, since(start));
  return ref;
}

async function refuse(ctx: RequestContext, deps: GatewayDeps, refusal: Refusal, error?: string): Promise<ChatOutcome> {
  const ref = await auditTimed(ctx, deps, { status: refusal.status, refusal, ...(error ? { error } : {}) });
  return { kind: 'refused', refusal, error: errorBody(ctx, refusal, ref) };
}

/**
 * The output guard for one answer: masks U.S.-person identities (corpus tags and configured
 * identifiers) and stops the answer on a red line. An answer policy allowed as decision support
 * may discuss the use of force; it is still stopped on the other red lines.
 */
async function outputGuard(ctx: RequestContext, deps: GatewayDeps): Promise<OutputGuard> {
  const decisionSupport = ctx.decision?.obligations.includes('decision_support') ?? false;
  const stopOn: RedLine[] = decisionSupport ? ['mass_surveillance', 'wmd'] : ['mass_surveillance', 'use_of_force', 'wmd'];
  const { identities, unmasked } = await maskingFor(ctx, deps);
  return createOutputGuard({
    guards: strictOutputGuards(deps.guards), usPersons: identities, unmasked, stopOn,
    ...(deps.identifiers ? { identifiers: deps.identifiers } : {}),
  });
}

/**
 * Stopping an answer mid-stream is costlier than refusing a request: the caller already passed
 * the input guards and policy. On output the classifier alone stops an answer only when it is
 * confident (score >= OUTPUT_STOP_SCORE); a compositional rule hit stops it at any score.
 * Quoted corpus text about logistics otherwise trips the statistical layer's milder scores.
 */
const OUTPUT_STOP_SCORE = 0.8;

function strictOutputGuards(guards: Guards): Guards {
  return {
    ...guards,
    classify(text, options) {
      const signal = guards.classify(text, options);
      if (signal.category === 'none' || signal.score >= OUTPUT_STOP_SCORE || signal.evidence.some((e) => e.layer === 'rules')) return signal;
      return { ...signal, category: 'none', score: 1 - signal.score };
    },
  };
}

function outputRefusal(signal: GuardSignal): Refusal {
  return {
    status: 403, type: 'permission_error', code: signal.category, rule: `guard.output.${signal.category}`,
    message: `The answer was stopped: it crossed the ${signal.category.replaceAll('_', ' ')} red line. Nothing more of it will be sent.`,
  };
}

/** Which placeholders stand for which unmaskable subjects (never the identities themselves). */
function maskedInfo(masked: ReadonlyArray<{ placeholder: string; identityId: string }>): Record<string, unknown> {
  return masked.length ? { masked: masked.map((m) => ({ placeholder: m.placeholder, subject: m.identityId })) } : {};
}

function noteUpstreamError(ctx: RequestContext, deps: GatewayDeps, err: unknown): void {
  const code = err instanceof InferenceError ? err.code : 'UNKNOWN';
  deps.metrics.upstreamErrors.inc({ model: ctx.model!.id, code });
  deps.logger.warn({ requestId: ctx.requestId, model: ctx.model!.id, code, err: err instanceof InferenceError ? err.message : 'unexpected error' }, 'model backend failed');
}

/** Runs a chat completion request through every stage. */
export async function runChat(ctx: RequestContext, deps: GatewayDeps): Promise<ChatOutcome> {
  for (const [name, stage] of STAGES_BEFORE_INFERENCE) {
    const start = process.hrtime.bigint();
    const refusal = await stage(ctx, deps);
    deps.metrics.stages.observe({ stage: name }, since(start));
    if (refusal) return refuse(ctx, deps, refusal);
  }
  const marking = mark(ctx, deps);
  const created = Math.floor(Date.now() / 1000);
  const id = `chatcmpl-${ctx.requestId}`;
  const model = ctx.model!.id;
  const upstreamTimer = deps.metrics.upstreamLatency.startTimer({ model });

  if (!ctx.request!.stream) {
    let result;
    const inferStart = process.hrtime.bigint();
    try {
      result = await inferComplete(ctx);
    } catch (err) {
      noteUpstreamError(ctx, deps, err);
      return refuse(ctx, deps, upstreamRefusal(err), err instanceof InferenceError ? err.code : 'unexpected');
    } finally {
      upstreamTimer();
      deps.metrics.stages.observe({ stage: 'upstream' }, since(inferStart));
    }
    const outputStart = process.hrtime.bigint();
    let content: string | null = null;
    let masked: ReadonlyArray<{ placeholder: string; identityId: string }> = [];
    if (result.content !== null) {
      const guard = await outputGuard(ctx, deps);
      const first = guard.push(result.content);
      const last = first.refusal ? first : guard.end();
      masked = guard.identities();
      const refusal = first.refusal ?? last.refusal;
      if (refusal) return refuse(ctx, deps, outputRefusal(refusal));
      content = marking.prefix + first.emit + last.emit + marking.suffix;
    }
    const tools = await reviewToolCalls(ctx, deps, result.tool_calls ?? []);
    const finish = result.finish_reason === 'tool_calls' && tools.kept.length === 0 ? 'stop' : result.finish_reason;
    deps.metrics.stages.observe({ stage: 'output' }, since(outputStart));
    const ref = await auditTimed(ctx, deps, { status: 200, answer: content ?? '', finishReason: finish, toolCalls: tools.annotations });
    return {
      kind: 'completed', classification: marking.banner,
      body: {
        id, object: 'chat.completion', created, model,
        choices: [{ index: 0, message: { role: 'assistant', content, ...(tools.kept.length ? { tool_calls: tools.kept } : {}) }, finish_reason: finish, logprobs: null }],
        usage: result.usage,
        enclave: { ...enclaveInfo(ctx, ref), ...maskedInfo(masked), ...(tools.annotations.length ? { tool_calls: tools.annotations } : {}) },
      },
    };
  }

  const includeUsage = ctx.request!.stream_options?.include_usage === true;
  async function* events(): AsyncGenerator<Record<string, unknown>> {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    let answer = '';
    let finish: BackendChunk['finish_reason'] = 'stop';
    let usage: BackendChunk['usage'];
    let first = true;
    const guard = await outputGuard(ctx, deps);
    // Calls of registered tools are reviewed whole before any of them reaches the client.
    const assembler = deps.approvals ? createToolCallAssembler() : undefined;
    const stopped = async function* (signal: GuardSignal) {
      const refusal = outputRefusal(signal);
      const ref = await auditTimed(ctx, deps, { status: refusal.status, refusal, answer });
      yield errorBody(ctx, refusal, ref);
    };
    const streamStart = process.hrtime.bigint();
    try {
      yield chunk({ role: 'assistant', content: marking.prefix });
      answer += marking.prefix;
      for await (const piece of inferStream(ctx)) {
        if (first) { upstreamTimer(); first = false; }
        if (piece.content || piece.tool_calls) {
          const step = piece.content ? guard.push(piece.content) : { emit: '' };
          if (step.refusal) { yield* stopped(step.refusal); return; }
          answer += step.emit;
          const relayCalls = piece.tool_calls && !assembler ? piece.tool_calls : undefined;
          if (piece.tool_calls && assembler) assembler.add(piece.tool_calls);
          if (step.emit || relayCalls) {
            yield chunk({ ...(step.emit ? { content: step.emit } : {}), ...(relayCalls ? { tool_calls: relayCalls } : {}) });
          }
        }
        if (piece.finish_reason) finish = piece.finish_reason;
        if (piece.usage) usage = piece.usage;
      }
      // For a stream this is the whole relay: the model's pace and the client's reading.
      deps.metrics.stages.observe({ stage: 'upstream' }, since(streamStart));
    } catch (err) {
      if (first) upstreamTimer();
      if (ctx.signal.aborted) {
        await auditTimed(ctx, deps, { status: 499, error: 'client_closed' });
        return;
      }
      noteUpstreamError(ctx, deps, err);
      const refusal = upstreamRefusal(err);
      const ref = await auditTimed(ctx, deps, { status: refusal.status, refusal, answer, error: err instanceof InferenceError ? err.code : 'unexpected' });
      yield errorBody(ctx, refusal, ref);
      return;
    }
    const tail = guard.end();
    if (tail.refusal) { yield* stopped(tail.refusal); return; }
    if (tail.emit) { yield chunk({ content: tail.emit }); answer += tail.emit; }
    if (marking.suffix) { yield chunk({ content: marking.suffix }); answer += marking.suffix; }
    const tools = await reviewToolCalls(ctx, deps, assembler?.calls() ?? []);
    if (tools.kept.length > 0) yield chunk({ tool_calls: tools.kept.map((c, index) => ({ index, ...c })) });
    if (assembler && finish === 'tool_calls' && tools.kept.length === 0) finish = 'stop';
    const ref = await auditTimed(ctx, deps, { status: 200, answer, finishReason: finish, toolCalls: tools.annotations });
    yield { ...chunk({}, finish), enclave: { ...enclaveInfo(ctx, ref), ...maskedInfo(guard.identities()), ...(tools.annotations.length ? { tool_calls: tools.annotations } : {}) } };
    if (includeUsage) yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } };
  }
  return { kind: 'streaming', classification: marking.banner, events: events() };
}
