/**
 * The deployment's one YAML file, validated with zod at start-up. A bad file stops the
 * process with an error naming the field and the line. Field names are a contract.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isScalar, type Document } from 'yaml';
import { z } from 'zod';
import { AUDIT_CONFIG_DEFAULTS, auditConfigSchema } from './audit-setup.ts';
import { RETENTION_CONFIG_DEFAULTS, retentionConfigSchema } from './retention.ts';
import { consoleConfigSchema } from '../console/index.ts';
import { approvalsConfigSchema, toolConfigSchema } from '../approvals/index.ts';
import { JudgeOptionsSchema } from '../guards/index.ts';
import { oidcConfigSchema } from '../identity/index.ts';
import { ServerError } from './errors.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const COUNTRY = /^[A-Z]{3}$/;

const byteSize = z.union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|kib|mib)?$/i)])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
    const n = Number(m?.[1]);
    const unit = (m?.[2] ?? '').toLowerCase();
    const mult = unit === 'kb' ? 1000 : unit === 'kib' ? 1024 : unit === 'mb' ? 1_000_000 : unit === 'mib' ? 1_048_576 : 1;
    return Math.floor(n * mult);
  });

const modelSchema = z.object({
  id: z.string().regex(ID, 'model id: letters, digits, . _ : - (max 128)'),
  backend: z.enum(['openai', 'llamacpp', 'extractive']),
  base_url: z.url().optional(),
  /** Replicas of the same upstream, tried in order on failure. */
  base_urls: z.array(z.url()).min(1).optional(),
  upstream_model: z.string().min(1).optional(),
  api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  accredited: z.string().min(1).default('UNCLASSIFIED'),
  retrieval: z.boolean().default(false),
  /** Roles that may use this model; omitted means every authenticated principal. */
  roles: z.array(z.string().regex(ID)).optional(),
  timeout_ms: z.number().int().positive().default(120_000),
  connect_timeout_ms: z.number().int().positive().default(5_000),
  first_byte_timeout_ms: z.number().int().positive().default(60_000),
  idle_timeout_ms: z.number().int().positive().default(30_000),
  retries: z.number().int().min(0).max(10).default(2),
  model_path: z.string().optional(),
  context_size: z.number().int().min(256).default(4096),
  threads: z.number().int().positive().optional(),
  max_concurrency: z.number().int().positive().max(64).default(2),
  /** llamacpp: node-llama-cpp's chat wrapper name (chatML, llama3.1, ...), or auto from the file's template. */
  chat_wrapper: z.string().regex(/^[A-Za-z0-9.]+$/).default('auto'),
  description: z.string().optional(),
}).strict().superRefine((m, ctx) => {
  if (m.backend === 'openai' && !m.base_url && !m.base_urls) ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'an openai backend needs base_url (or base_urls)' });
  if (m.backend === 'llamacpp' && !m.model_path) ctx.addIssue({ code: 'custom', path: ['model_path'], message: 'a llamacpp backend needs model_path (a local GGUF file)' });
});

const userSchema = z.object({
  id: z.string().regex(ID, 'user id: letters, digits, . _ : - (max 128)'),
  name: z.string().min(1).max(200),
  clearance: z.string().min(1).max(512),
  nationality: z.string().regex(COUNTRY, 'nationality: a three-letter country code such as USA or GBR'),
  roles: z.array(z.string().regex(ID)).default([]),
}).strict();

export const configSchema = z.object({
  server: z.object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    tls: z.object({
      cert: z.string(),
      key: z.string(),
      client_ca: z.string().optional(),
      require_client_cert: z.boolean().default(false),
    }).strict().optional(),
    body_limit: byteSize.default(1_048_576),
    max_messages: z.number().int().positive().max(10_000).default(256),
    trust_proxy: z.boolean().default(false),
  }).strict().default({ host: '127.0.0.1', port: 8080, body_limit: 1_048_576, max_messages: 256, trust_proxy: false }),
  data_dir: z.string().min(1).default('./data'),
  /** The deployment's own Cedar policies (*.cedar); the red lines ship with the product. */
  policy_dir: z.string().min(1).optional(),
  store: z.string().min(1).optional(),
  models: z.array(modelSchema).min(1, 'configure at least one model'),
  users: z.array(userSchema).default([]),
  /**
   * Names a client may send as `model` to let Enclave pick: the first listed model the caller may
   * use and whose accreditation dominates the request's label (known after retrieval).
   */
  route_groups: z.array(z.object({
    id: z.string().regex(ID, 'route group id: letters, digits, . _ : - (max 128)'),
    models: z.array(z.string().regex(ID)).min(1),
  }).strict()).default([]),
  logging: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict()
    .default({ level: 'info' }),
  demo: z.object({
    print_keys: z.boolean().default(false),
    /**
     * DEMO ONLY: an OpenID provider started inside `enclave serve` on 127.0.0.1:<port>, whose
     * accounts are `users` and whose sign-in page lets anyone pick any of them, with no password.
     * `oidc.issuer` must be http://127.0.0.1:<port>.
     */
    identity_provider: z.object({ port: z.number().int().min(1).max(65535) }).strict().optional(),
  }).strict().default({ print_keys: false }),
  corpus: z.object({
    /** Files or folders ingested at every start (replace-by-id, so restarts are idempotent). */
    ingest_on_start: z.array(z.string().min(1)).default([]),
    /** Portions placed in a retrieval model's context per request. */
    top_k: z.number().int().min(1).max(50).default(6),
  }).strict().default({ ingest_on_start: [], top_k: 6 }),
  /**
   * Red-line guards. The thresholds ship with the product and are not configurable: red lines
   * cannot be switched off by configuration. A judge model may be asked about borderline scores.
   */
  guards: z.object({
    judge: JudgeOptionsSchema.optional(),
    /** Identifiers masked as U.S. persons in every answer, besides those tagged in the corpus. */
    identifiers: z.object({
      names: z.array(z.string().min(1)).default([]),
      emails: z.array(z.string().min(3)).default([]),
      phones: z.array(z.string().min(3)).default([]),
      ssns: z.array(z.string().regex(/^\d{3}-?\d{2}-?\d{4}$/)).default([]),
    }).strict().optional(),
  }).strict().optional(),
  /** Tools Enclave executes after policy (and approvers) allow: name, effect, endpoint, approvals. */
  tools: toolConfigSchema,
  /** Held actions: expiry, long-poll limits, TOTP lockout, receipt lifetime. */
  approvals: approvalsConfigSchema,
  /** OpenID Connect provider for console sign-in and for access tokens sent instead of API keys. */
  oidc: oidcConfigSchema.optional(),
  /** The web console at /console (needs `oidc`). */
  console: consoleConfigSchema.optional(),
  /** Inline puts the banner line at the top and bottom of each answer; header leaves the text alone. */
  banner: z.enum(['inline', 'header']).default('inline'),
  audit: auditConfigSchema.default(AUDIT_CONFIG_DEFAULTS),
  /** Prompts and answers kept sealed at rest (off by default: entries carry digests only). */
  retention: retentionConfigSchema.default(RETENTION_CONFIG_DEFAULTS),
}).strict().superRefine((c, ctx) => {
  const dup = (ids: string[], path: string) => ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `duplicate id "${id}"` });
  });
  dup(c.models.map((m) => m.id), 'models');
  const modelIds = new Set(c.models.map((m) => m.id));
  c.route_groups.forEach((g, i) => {
    if (modelIds.has(g.id)) ctx.addIssue({ code: 'custom', path: ['route_groups', i, 'id'], message: `"${g.id}" is already a model id` });
    g.models.forEach((m, j) => {
      if (!modelIds.has(m)) ctx.addIssue({ code: 'custom', path: ['route_groups', i, 'models', j], message: `no model "${m}"` });
    });
  });
  dup(c.users.map((u) => u.id), 'users');
  const idp = c.demo.identity_provider;
  if (idp) {
    const issuer = `http://127.0.0.1:${idp.port}`;
    if (!c.oidc) ctx.addIssue({ code: 'custom', path: ['oidc'], message: `the demo identity provider needs an oidc section with issuer ${issuer}` });
    else if (c.oidc.issuer !== issuer) ctx.addIssue({ code: 'custom', path: ['oidc', 'issuer'], message: `must be ${issuer}, the demo identity provider's address` });
    else if (c.oidc.client_secret_env) ctx.addIssue({ code: 'custom', path: ['oidc', 'client_secret_env'], message: 'the demo identity provider has a public client only (PKCE, no secret)' });
    if (idp.port === c.server.port) ctx.addIssue({ code: 'custom', path: ['demo', 'identity_provider', 'port'], message: 'must differ from server.port' });
  }
});

/** Relative paths in the file (data_dir, sqlite:, model_path, TLS files) resolve against the working directory. */
export type EnclaveConfig = z.infer<typeof configSchema> & { store: string };
export type ModelConfig = z.infer<typeof modelSchema>;
export type UserConfig = z.infer<typeof userSchema>;

/** Where a path in the document starts, as a 1-based line, when the YAML node exists. */
function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Replaces `${NAME}` in string scalars with the environment's value, so secrets stay out of the file. */
function interpolateEnv(doc: Document, env: NodeJS.ProcessEnv, lines: LineCounter, file: string): void {
  const visit = (node: unknown): void => {
    if (isScalar(node) && typeof node.value === 'string') {
      node.value = node.value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
        const v = env[name];
        if (v === undefined) {
          const line = node.range ? lines.linePos(node.range[0]).line : '?';
          throw new ServerError('CONFIG_INVALID', `${file}:${line}: environment variable ${name} is not set`);
        }
        return v;
      });
      return;
    }
    const items = (node as { items?: unknown[] } | null)?.items;
    if (Array.isArray(items)) for (const it of items) {
      const pair = it as { key?: unknown; value?: unknown };
      if (pair && typeof pair === 'object' && 'value' in pair && 'key' in pair) visit(pair.value);
      else visit(it);
    }
  };
  visit(doc.contents);
}

/**
 * Parses and validates configuration text. `file` names the source in errors.
 * @example parseConfig(readFileSync('enclave.yaml', 'utf8'), 'enclave.yaml')
 */
export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
}

export function parseConfig(text: string, file = 'enclave.yaml', env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): EnclaveConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ServerError('CONFIG_INVALID', `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  interpolateEnv(doc, env, lines, file);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  // Command-line flags win over the file; applied before validation so they are validated too.
  if (overrides.port !== undefined) raw.server = { ...(raw.server as object | undefined), port: overrides.port };
  if (overrides.dataDir !== undefined) raw.data_dir = overrides.dataDir;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || '(top level)';
      const line = lineOf(doc, lines, issue.path);
      return `${file}${line ? `:${line}` : ''}: ${field}: ${issue.message}`;
    });
    throw new ServerError('CONFIG_INVALID', problems.join('\n'));
  }
  const cfg = parsed.data;
  return { ...cfg, store: cfg.store ?? `sqlite:${resolve(cfg.data_dir, 'enclave.db')}` };
}

/** Reads and validates a configuration file. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): EnclaveConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ServerError('CONFIG_INVALID', `cannot read configuration ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return parseConfig(text, path, env, overrides);
}
