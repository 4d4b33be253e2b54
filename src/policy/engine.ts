/**
 * The policy engine: loads and validates every policy once at start-up, preparses them into
 * Cedar's cache (one slice per action), and decides each request without parsing anything again.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { sha256Hex } from '../crypto/index.ts';
import { compilePolicies, type CompiledPolicy } from './compile.ts';
import { toCedarRequest, type CedarRequest } from './entities.ts';
import { PolicyError } from './errors.ts';
import { failClosed, INVALID_REQUEST_ID, POLICY_ERROR_ID, resolveDecision, type CedarOutcome } from './outcome.ts';
import { POLICY_ACTIONS, policyRequestSchema, type Decision, type PolicyAction, type PolicyRequest, type ResourceType } from './request.ts';
import { POLICY_SCHEMA } from './schema.ts';
import { readPolicySources, type PolicySource } from './sources.ts';

export interface PolicyEngineOptions {
  /** A deployment's policy_dir: every `*.cedar` file in it is loaded after the product's. */
  policyDir?: string;
  /** Extra policy text (tests, `enclave policy explain`), loaded last. */
  policies?: string;
}

/** A loaded policy, for `enclave policy validate`, the status page and the audit log. */
export interface PolicyInfo {
  id: string;
  effect: 'permit' | 'forbid' | 'hold';
  file: string;
  source: PolicySource['origin'];
  reason: string | undefined;
}

export interface PolicyEngine {
  /** `sha256:` + hex over the schema and every loaded policy text, in load order. */
  readonly policyVersion: string;
  readonly policies: readonly PolicyInfo[];
  /** Strict-mode validation warnings (e.g. a policy that can never apply). */
  readonly warnings: readonly string[];
  /** Decides one request. Never throws: anything malformed or erroring is a deny. */
  decide(request: PolicyRequest): Decision;
  /**
   * Whether some loaded policy names a particular entity of `type` (`resource == Portion::"..."`,
   * or such a literal in a condition). When none does, the decision on a resource depends only on
   * its attributes, so resources with equal attributes may share one decision (the retriever asks
   * once per label, not once per portion).
   */
  namesEntitiesOf(type: ResourceType): boolean;
}

/** The entity types a policy names by uid anywhere in its JSON form (scope or condition). */
function namedEntityTypes(json: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(json)) {
    for (const v of json) namedEntityTypes(v, into);
  } else if (json !== null && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (typeof o.type === 'string' && typeof o.id === 'string') into.add(o.type);
    for (const v of Object.values(o)) namedEntityTypes(v, into);
  }
  return into;
}

function hashHex(value: unknown): string {
  return sha256Hex(JSON.stringify(value));
}

/**
 * One Cedar evaluation. The schema is not passed: every policy was validated against it at
 * load, and toCedarRequest builds entities and context of exactly the schema's types from a
 * zod-checked request (entities.test.ts checks that against Cedar's own request validation).
 * Passing it would make Cedar re-check them on every call, about 100 µs here.
 */
function authorize(call: CedarRequest, policySetId: string): CedarOutcome {
  const answer = cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: policySetId });
  if (answer.type === 'failure') return { kind: 'error', errors: answer.errors.map((e) => e.message) };
  const { decision, diagnostics } = answer.response;
  // Cedar skips a policy whose evaluation errors; a skipped forbid could let a request through.
  if (diagnostics.errors.length > 0) {
    return { kind: 'error', errors: diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`) };
  }
  return { kind: decision, policyIds: diagnostics.reason };
}

/** A hold is evaluated as a permit: see resolveDecision for why one evaluation then suffices. */
function evaluatedForm(p: CompiledPolicy): string | cedar.PolicyJson {
  return p.hold ? { ...p.json, effect: 'permit' } : p.text;
}

function preparse(id: string, policies: readonly CompiledPolicy[]): void {
  const staticPolicies: Record<string, string | cedar.PolicyJson> = {};
  for (const p of policies) staticPolicies[p.id] = evaluatedForm(p);
  const answer = cedar.preparsePolicySet(id, { staticPolicies });
  if (answer.type === 'failure') {
    throw new PolicyError('POLICY_INVALID', `cannot preparse policies: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
}

/**
 * Loads the product's policies and a deployment's, validates them against the schema in strict
 * mode, and preparses them. Throws PolicyError('POLICY_INVALID') with Cedar's message (file,
 * line, column) on any bad policy, so a misconfiguration stops start-up.
 *
 * @example
 *   const engine = await createPolicyEngine({ policyDir: config.policy_dir });
 *   const decision = engine.decide({ principal, action: 'chat', resource, context });
 */
export async function createPolicyEngine(options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
  const schema = POLICY_SCHEMA;
  const sources = await readPolicySources(options);
  const { policies, warnings } = compilePolicies(schema, sources);
  const policyVersion = `sha256:${hashHex([schema, ...sources.map((s) => [s.origin, s.name, s.text])])}`;

  // A policy whose action scope excludes an action can never be satisfied for it, so each
  // action's slice decides exactly as the whole set would, and evaluates fewer policies.
  // Cedar caches preparsed sets by name; naming them by content means an identical engine
  // reuses its slot instead of growing the cache.
  const slices = {} as Record<PolicyAction, string>;
  for (const action of POLICY_ACTIONS) {
    slices[action] = `${policyVersion}:${action}`;
    preparse(slices[action], policies.filter((p) => p.actions.includes(action)));
  }
  const byId = new Map(policies.map((p) => [p.id, p]));
  const named = new Set<string>();
  for (const p of policies) namedEntityTypes(p.json, named);

  function decide(request: PolicyRequest): Decision {
    // Inside the try: zod reads the caller's object, whose getters may throw.
    try {
      const parsed = policyRequestSchema.safeParse(request);
      if (!parsed.success) {
        return failClosed(INVALID_REQUEST_ID, parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`));
      }
      const { action, context } = parsed.data;
      return resolveDecision({
        outcome: authorize(toCedarRequest(parsed.data), slices[action]),
        byId,
        approved: context?.approved === true,
        useOfForce: (context?.signals ?? []).some((s) => s.category === 'use_of_force'),
      });
    } catch (err) {
      return failClosed(POLICY_ERROR_ID, [err instanceof Error ? err.message : String(err)]);
    }
  }

  return Object.freeze({
    policyVersion,
    policies: Object.freeze(policies.map((p) => Object.freeze({
      id: p.id, effect: p.hold ? 'hold' as const : p.effect, file: p.file, source: p.source, reason: p.reason,
    }))),
    warnings: Object.freeze([...warnings]),
    decide,
    namesEntitiesOf: (type: ResourceType) => named.has(type),
  });
}
