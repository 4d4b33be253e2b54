/** The registry of tools Enclave executes, built once from the validated `tools:` section. */
import type { z } from 'zod';
import { compileArgumentsSchema, toolSchema, type ToolConfig } from './config.ts';
import { ApprovalError } from './errors.ts';

export type ToolEffect = 'read' | 'write' | 'kinetic';

export interface RegisteredTool {
  readonly name: string;
  readonly description: string;
  readonly effect: ToolEffect;
  readonly endpoint: string;
  readonly approvalsRequired: number;
  readonly approverRoles: readonly string[];
  readonly totpRequired: boolean;
  readonly timeoutMs: number;
  readonly approvalTtlSeconds: number | undefined;
  readonly maxResponseBytes: number;
  /** The JSON Schema as configured, for the console and clients. */
  readonly argumentsJsonSchema: Readonly<Record<string, unknown>>;
  readonly argumentsSchema: z.ZodType;
}

export type ArgumentsCheck = { ok: true } | { ok: false; param: string; message: string };

export interface ToolRegistry {
  get(name: string): RegisteredTool | undefined;
  list(): readonly RegisteredTool[];
}

/**
 * Validates `args` against the tool's schema. The caller keeps the arguments exactly as given
 * (not zod's output), so what approvers see, what the receipt covers and what the tool gets
 * are one value.
 */
export function checkArguments(tool: RegisteredTool, args: unknown): ArgumentsCheck {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { ok: false, param: 'arguments', message: 'arguments must be a JSON object' };
  }
  const parsed = tool.argumentsSchema.safeParse(args);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return { ok: false, param: path ? `arguments.${path}` : 'arguments', message: `arguments${path ? `.${path}` : ''}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Builds the registry from configured tools (parsed by toolConfigSchema, or raw: they are
 * parsed again here, so a registry is never built from an unchecked entry).
 * @example const tools = createToolRegistry(config.tools)
 */
export function createToolRegistry(configs: readonly ToolConfig[]): ToolRegistry {
  const byName = new Map<string, RegisteredTool>();
  configs.forEach((raw, i) => {
    const parsed = toolSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApprovalError('CONFIG_INVALID', `tools.${i}.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const t = parsed.data;
    if (byName.has(t.name)) throw new ApprovalError('CONFIG_INVALID', `tools.${i}.name: duplicate tool name "${t.name}"`);
    const compiled = compileArgumentsSchema(t.arguments);
    if (!compiled.ok) throw new ApprovalError('CONFIG_INVALID', `tools.${i}.arguments: ${compiled.message}`);
    byName.set(t.name, Object.freeze({
      name: t.name, description: t.description, effect: t.effect, endpoint: t.endpoint,
      approvalsRequired: t.approvals_required, approverRoles: Object.freeze([...t.approver_roles]),
      totpRequired: t.effect === 'kinetic' || t.totp_required === true, timeoutMs: t.timeout_ms,
      approvalTtlSeconds: t.approval_ttl_seconds, maxResponseBytes: t.max_response_bytes,
      argumentsJsonSchema: Object.freeze({ ...t.arguments }), argumentsSchema: compiled.schema,
    }));
  });
  const list = Object.freeze([...byName.values()]);
  return { get: (name) => byName.get(name), list: () => list };
}
