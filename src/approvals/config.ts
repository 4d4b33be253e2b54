/**
 * The `tools:` and `approvals:` sections of the configuration file. A tool's arguments are
 * described by a JSON Schema, compiled at start-up so a bad schema stops the process.
 */
import { z } from 'zod';

/** OpenAI function names: what a model can emit as a tool call. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ROLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Compiles a JSON Schema; the error names what zod could not translate. */
export function compileArgumentsSchema(schema: Record<string, unknown>): { ok: true; schema: z.ZodType } | { ok: false; message: string } {
  try {
    return { ok: true, schema: z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** One registered tool. Field names are a contract of the configuration file. */
export const toolSchema = z.object({
  name: z.string().regex(TOOL_NAME, 'tool name: letters, digits, _ and -, at most 64 (an OpenAI function name)'),
  description: z.string().max(1024).default(''),
  /** read: no side effects; write: changes something; kinetic: acts in the physical world (always two approvers and TOTP). */
  effect: z.enum(['read', 'write', 'kinetic']),
  /** Where Enclave POSTs the arguments, with the signed approval receipt in the Enclave-Receipt header. */
  endpoint: z.url({ protocol: /^https?$/, error: 'endpoint: an http:// or https:// URL' }),
  /** JSON Schema of the arguments object. */
  arguments: z.record(z.string(), z.unknown()).default({ type: 'object' }),
  approvals_required: z.number().int().min(0).max(10).default(0),
  approver_roles: z.array(z.string().regex(ROLE)).max(64).default([]),
  /** Approvers must give a fresh TOTP code; always true for kinetic tools. */
  totp_required: z.boolean().optional(),
  timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
  /** How long a held call waits for approvers; defaults to approvals.ttl_seconds. */
  approval_ttl_seconds: z.number().int().min(10).max(30 * 86_400).optional(),
  max_response_bytes: z.number().int().min(256).max(16 * 1_048_576).default(65_536),
}).strict().superRefine((t, ctx) => {
  if (t.effect === 'kinetic' && t.approvals_required < 2) {
    ctx.addIssue({ code: 'custom', path: ['approvals_required'], message: 'a kinetic tool needs at least 2 approvals (two-person integrity)' });
  }
  if (t.effect === 'kinetic' && t.totp_required === false) {
    ctx.addIssue({ code: 'custom', path: ['totp_required'], message: 'approvers of a kinetic tool always give a TOTP code' });
  }
  if (t.approvals_required > 0 && t.approver_roles.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['approver_roles'], message: 'name the roles that may approve this tool' });
  }
  if (t.arguments.type !== undefined && t.arguments.type !== 'object') {
    ctx.addIssue({ code: 'custom', path: ['arguments', 'type'], message: 'tool arguments are a JSON object: type must be "object"' });
  }
  const compiled = compileArgumentsSchema(t.arguments);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['arguments'], message: `not a usable JSON Schema: ${compiled.message}` });
});

/** The `tools:` section: a list of registered tools with unique names. */
export const toolConfigSchema = z.array(toolSchema).max(1024).default([]).superRefine((tools, ctx) => {
  const names = tools.map((t) => t.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate tool name "${n}"` });
  });
});

/** The `approvals:` section; every field has a default. */
export const approvalsConfigSchema = z.object({
  /** How long a held request waits for approvers before it expires. */
  ttl_seconds: z.number().int().min(10).max(30 * 86_400).default(3600),
  /** Longest `GET /v1/approvals/{id}?wait=` honoured. */
  max_wait_seconds: z.number().int().min(0).max(300).default(60),
  /** How often a long poll re-reads the store, to see decisions made on other replicas. */
  recheck_ms: z.number().int().min(20).max(60_000).default(1000),
  /** How often each replica expires due requests and picks up approved actions nobody ran. */
  sweep_ms: z.number().int().min(50).max(600_000).default(5000),
  /** Lifetime of a signed receipt: a tool refuses it after this. */
  receipt_ttl_seconds: z.number().int().min(10).max(3600).default(120),
  /** Who may approve a call held by a policy when the tool names no approver roles. */
  default_approver_roles: z.array(z.string().regex(ROLE)).min(1).default(['approver']),
  /** `iss` of receipts. */
  issuer: z.string().min(1).max(256).default('enclave'),
  /** The issuer shown by authenticator apps. */
  totp_issuer: z.string().min(1).max(64).default('Enclave'),
  /** TOTP steps of clock drift accepted either side of now (RFC 6238 section 5.2). */
  totp_window_steps: z.number().int().min(0).max(2).default(1),
  /** Wrong TOTP codes accepted per user within `totp_lockout_seconds` before codes are refused. */
  totp_max_failures: z.number().int().min(1).max(100).default(5),
  totp_lockout_seconds: z.number().int().min(10).max(86_400).default(300),
}).strict().prefault({});

export type ToolConfig = z.infer<typeof toolSchema>;
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;

/** The defaults, for callers that have no `approvals:` section. */
export function defaultApprovalsConfig(): ApprovalsConfig {
  return approvalsConfigSchema.parse(undefined);
}
