/** The configured models: each a backend plus what it is accredited for and who may use it. */
import { dominates, formatBanner, parseMarking, type Label } from '../markings/index.ts';
import { InferenceError } from './errors.ts';
import { createExtractiveBackend } from './extractive-backend.ts';
import { createOpenAIBackend } from './openai-backend.ts';
import type { Backend } from './types.ts';

/** What the inference part needs to know of a configured model (the config's `models[]`). */
export interface ModelSpec {
  id: string;
  backend: 'openai' | 'llamacpp' | 'extractive';
  base_url?: string;
  base_urls?: string[];
  upstream_model?: string;
  api_key_env?: string;
  accredited: string;
  retrieval: boolean;
  roles?: string[];
  retries: number;
  connect_timeout_ms: number;
  first_byte_timeout_ms: number;
  idle_timeout_ms: number;
  model_path?: string;
  context_size: number;
  threads?: number;
  max_concurrency: number;
  chat_wrapper?: string;
  description?: string;
}

export interface ModelEntry {
  readonly id: string;
  readonly backend: Backend;
  /** The highest label this backend may receive. */
  readonly accredited: Label;
  readonly accreditedText: string;
  readonly retrieval: boolean;
  /** Roles allowed to use the model; empty means every authenticated principal. */
  readonly roles: readonly string[];
  readonly kind: ModelSpec['backend'];
  readonly description: string;
}

export interface ModelRegistry {
  get(id: string): ModelEntry | undefined;
  list(): readonly ModelEntry[];
  close(): Promise<void>;
}

async function createBackend(spec: ModelSpec, env: NodeJS.ProcessEnv): Promise<Backend> {
  switch (spec.backend) {
    case 'extractive':
      return createExtractiveBackend(spec.id);
    case 'openai': {
      const apiKey = spec.api_key_env ? env[spec.api_key_env] : undefined;
      if (spec.api_key_env && apiKey === undefined) {
        throw new InferenceError('MODEL_INVALID', `model ${spec.id}: environment variable ${spec.api_key_env} is not set`);
      }
      return createOpenAIBackend({
        id: spec.id, baseUrls: spec.base_urls ?? [spec.base_url!], upstreamModel: spec.upstream_model ?? spec.id,
        ...(apiKey !== undefined ? { apiKey } : {}), retries: spec.retries, connectTimeoutMs: spec.connect_timeout_ms,
        firstByteTimeoutMs: spec.first_byte_timeout_ms, idleTimeoutMs: spec.idle_timeout_ms,
      });
    }
    case 'llamacpp': {
      // Loaded lazily: node-llama-cpp is only paid for by deployments that embed a model.
      const { createLlamaCppBackend, LLAMACPP_CHAT_WRAPPERS } = await import('./llamacpp.ts');
      const wrapper = LLAMACPP_CHAT_WRAPPERS.find((w) => w === (spec.chat_wrapper ?? 'auto'));
      if (!wrapper) throw new InferenceError('MODEL_INVALID', `model ${spec.id}: chat_wrapper must be one of ${LLAMACPP_CHAT_WRAPPERS.join(', ')}`);
      return createLlamaCppBackend({
        id: spec.id, modelPath: spec.model_path!, contextSize: spec.context_size, chatWrapper: wrapper,
        ...(spec.threads ? { threads: spec.threads } : {}), maxConcurrency: spec.max_concurrency,
      });
    }
  }
}

/** Creates every configured backend; a bad accreditation marking stops start-up. */
export async function createModelRegistry(specs: readonly ModelSpec[], env: NodeJS.ProcessEnv = process.env): Promise<ModelRegistry> {
  const entries: ModelEntry[] = [];
  try {
    for (const spec of specs) {
      let accredited: Label;
      try {
        accredited = parseMarking(spec.accredited);
      } catch (err) {
        throw new InferenceError('MODEL_INVALID', `model ${spec.id}: accredited "${spec.accredited}" is not a valid marking: ${(err as Error).message}`);
      }
      entries.push(Object.freeze({
        id: spec.id, backend: await createBackend(spec, env), accredited, accreditedText: formatBanner(accredited),
        retrieval: spec.retrieval, roles: Object.freeze([...(spec.roles ?? [])]), kind: spec.backend, description: spec.description ?? '',
      }));
    }
  } catch (err) {
    await Promise.allSettled(entries.map((e) => e.backend.close()));
    throw err;
  }
  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    get: (id) => byId.get(id),
    list: () => entries,
    async close() { await Promise.allSettled(entries.map((e) => e.backend.close())); },
  };
}

/** True when a model may be used by a principal holding `roles`. */
export function mayUseModel(entry: ModelEntry, roles: readonly string[]): boolean {
  return entry.roles.length === 0 || entry.roles.some((r) => roles.includes(r));
}

/** True when a request labelled `label` may be sent to the model (no write-down to a lower backend). */
export function isAccreditedFor(entry: ModelEntry, label: Label): boolean {
  return dominates(entry.accredited, label);
}
