/**
 * Start-up checks: parses every policy source, validates it against the schema in Cedar's strict
 * mode, and reads each policy's annotations (@id, @effect, @reason, @obligation). Any problem
 * stops the process with Cedar's own message, located by file, line and column.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { PolicyError } from './errors.ts';
import { POLICY_ACTIONS, type PolicyAction } from './request.ts';
import type { PolicySource } from './sources.ts';

/** One policy as the engine uses it. */
export interface CompiledPolicy {
  /** The @id annotation, else `<file>#<n>` (n counts from 1 in source order). */
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** A forbid annotated @effect("hold"): it holds the action for approval instead of denying it. */
  readonly hold: boolean;
  /** The @reason annotation: a sentence a person reads in the error or the console. */
  readonly reason: string | undefined;
  /** The @obligation annotation, split on commas. */
  readonly obligations: readonly string[];
  /** The actions the policy's scope can match (slicing key); all actions when unconstrained. */
  readonly actions: readonly PolicyAction[];
  readonly source: PolicySource['origin'];
  readonly file: string;
  readonly text: string;
  /** Cedar's JSON form, from which the engine builds a hold's evaluated form. */
  readonly json: cedar.PolicyJson;
}

// Validation is deterministic in (schema, source), so a source that compiled cleanly once is
// not validated again in this process: the product's files are shared by every engine.
const checkedSchemas = new Set<string>();
const compiledSources = new Map<string, { policies: CompiledPolicy[]; warnings: string[] }>();

/** Ids the product owns; a deployment policy may not take them. */
const RESERVED_ID_PREFIXES = ['redline.', 'lattice.', 'approval.', 'invariant.', 'hold.', 'policy.'];
export const DEFAULT_DENY_ID = 'default.deny';

/** Checks the schema itself; a broken schema is a product bug, reported like a bad policy. */
export function checkSchema(schema: string): void {
  if (checkedSchemas.has(schema)) return;
  const answer = cedar.checkParseSchema(schema);
  if (answer.type === 'failure') {
    throw new PolicyError('POLICY_INVALID', `schema.cedarschema: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  checkedSchemas.add(schema);
}

/** Cedar reports byte offsets into the UTF-8 text; a person wants line:column. */
function locate(text: string, byteOffset: number | undefined): string {
  if (byteOffset === undefined) return '';
  const before = Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8');
  const lines = before.split('\n');
  return `:${lines.length}:${(lines.at(-1)?.length ?? 0) + 1}`;
}

function formatError(source: PolicySource, error: cedar.DetailedError, policy?: string): string {
  const where = `${source.name}${locate(source.text, error.sourceLocations?.[0]?.start)}`;
  const help = error.help ? ` (help: ${error.help})` : '';
  // Cedar names the policy by its generated id ("for policy `policy3`, ..."); we name it by ours.
  const message = policy ? error.message.replace(/^for policy `policy\d+`, /, '') : error.message;
  return `${where}: ${policy ? `policy ${policy}: ` : ''}${message}${help}`;
}

function entityIds(uids: cedar.EntityUidJson[]): string[] {
  return uids.map((u) => ('__entity' in u ? u.__entity.id : u.id));
}

/** The actions a policy's action constraint can match. The schema has no action groups. */
function scopeActions(constraint: cedar.ActionConstraint): PolicyAction[] {
  let ids: string[];
  if (constraint.op === 'All') return [...POLICY_ACTIONS];
  if ('slot' in constraint) return [...POLICY_ACTIONS];
  if ('entities' in constraint) ids = entityIds(constraint.entities);
  else ids = entityIds([constraint.entity]);
  return POLICY_ACTIONS.filter((a) => ids.includes(a));
}

/**
 * Cedar's policySetTextToParts returns policies sorted by their generated ids (policy0,
 * policy1, policy10, ...), so the source order is the same sort applied to those ids.
 */
function sourceOrder(count: number): number[] {
  return Array.from({ length: count }, (_, i) => `policy${i}`).sort().map((id) => Number(id.slice(6)));
}

function annotate(source: PolicySource, text: string, index: number, errors: string[]): CompiledPolicy | undefined {
  const answer = cedar.policyToJson(text);
  if (answer.type === 'failure') {
    errors.push(...answer.errors.map((e) => formatError(source, e)));
    return undefined;
  }
  const json = answer.json;
  const { effect, action, annotations = {} } = json;
  const id = annotations.id ?? `${source.name}#${index + 1}`;
  const problems: string[] = [];
  if (annotations.effect !== undefined && !(annotations.effect === 'hold' && effect === 'forbid')) {
    problems.push('@effect("hold") is the only @effect, and only on a forbid');
  }
  if (source.origin === 'deployment' && (RESERVED_ID_PREFIXES.some((p) => id.startsWith(p)) || id === DEFAULT_DENY_ID)) {
    problems.push(`the id is reserved for the product (${RESERVED_ID_PREFIXES.join(', ')} ${DEFAULT_DENY_ID})`);
  }
  errors.push(...problems.map((p) => `${source.name}: policy ${id}: ${p}`));
  return {
    id, effect, hold: annotations.effect === 'hold', reason: annotations.reason,
    obligations: (annotations.obligation ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    actions: scopeActions(action), source: source.origin, file: source.name, text, json,
  };
}

/** Parses and strictly validates one source; pushes every problem found onto `errors`. */
function compileSource(schema: string, source: PolicySource, errors: string[], warnings: string[]): CompiledPolicy[] {
  const parts = cedar.policySetTextToParts(source.text);
  if (parts.type === 'failure') {
    errors.push(...parts.errors.map((e) => formatError(source, e)));
    return [];
  }
  if (parts.policy_templates.length > 0) {
    errors.push(`${source.name}: policy templates are not supported; write static policies`);
    return [];
  }
  const order = sourceOrder(parts.policies.length);
  const bySourceIndex = new Map<number, CompiledPolicy>();
  parts.policies.forEach((text, k) => {
    const index = order[k] ?? k;
    const policy = annotate(source, text, index, errors);
    if (policy) bySourceIndex.set(index, policy);
  });
  const policies = [...bySourceIndex.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
  // Validation names policies by generated id (policyN, N in source order); report the real id.
  const idOf = (generated: string): string => bySourceIndex.get(Number(generated.slice(6)))?.id ?? generated;
  const answer = cedar.validate({ schema, policies: { staticPolicies: source.text }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') {
    errors.push(...answer.errors.map((e) => formatError(source, e)));
  } else {
    errors.push(...answer.validationErrors.map((v) => formatError(source, v.error, idOf(v.policyId))));
    warnings.push(...answer.validationWarnings.map((v) => formatError(source, v.error, idOf(v.policyId))));
  }
  return policies;
}

/**
 * Compiles every source, or throws PolicyError('POLICY_INVALID') listing every problem (one
 * per line) so an operator fixes them in one pass.
 */
export function compilePolicies(schema: string, sources: readonly PolicySource[]): { policies: CompiledPolicy[]; warnings: string[] } {
  checkSchema(schema);
  const errors: string[] = [];
  const warnings: string[] = [];
  const policies = sources.flatMap((source) => {
    const key = JSON.stringify([schema, source.origin, source.name, source.text]);
    const cached = compiledSources.get(key);
    if (cached) {
      warnings.push(...cached.warnings);
      return cached.policies;
    }
    const before = errors.length;
    const own: string[] = [];
    const compiled = compileSource(schema, source, errors, own);
    warnings.push(...own);
    if (errors.length === before) compiledSources.set(key, { policies: compiled, warnings: own });
    return compiled;
  });
  const seen = new Map<string, string>();
  for (const p of policies) {
    const first = seen.get(p.id);
    if (first !== undefined) errors.push(`${p.file}: policy ${p.id}: duplicate id (first in ${first})`);
    else seen.set(p.id, p.file);
  }
  if (errors.length > 0) {
    throw new PolicyError('POLICY_INVALID', `invalid policy:\n${errors.join('\n')}`);
  }
  return { policies, warnings };
}
