/**
 * Decision tables: a deployment's own list of requests and the decisions it expects, run by
 * `enclave policy test FILE.yaml` against the loaded policies.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import type { PolicyEngine } from './engine.ts';
import { PolicyError } from './errors.ts';
import { INVALID_REQUEST_ID } from './outcome.ts';
import { policyRequestSchema, type Decision, type DecisionEffect, type PolicyRequest } from './request.ts';

/** One row's expectation: the effect, and optionally a policy id among those that decided and the exact obligations. */
export interface PolicyExpectation {
  effect: DecisionEffect;
  policy?: string;
  obligations?: string[];
}

export interface PolicyTableResult {
  name: string;
  passed: boolean;
  expected: PolicyExpectation;
  /** Absent when the row itself is malformed. */
  decision?: Decision;
  /** Why the row failed, one sentence each; empty when it passed. */
  problems: string[];
}

export interface PolicyTableReport {
  results: PolicyTableResult[];
  passed: number;
  failed: number;
}

// The request's parts are checked by policyRequestSchema below, with its precise messages.
const part = z.unknown().refine((v) => v !== undefined, { message: 'required' });

const rowSchema = z.object({
  name: z.string().min(1),
  principal: part,
  action: part,
  resource: part,
  context: z.unknown().optional(),
  expected: z.enum(['allow', 'deny', 'hold']),
  policy: z.string().min(1).optional(),
  obligations: z.array(z.string()).optional(),
});

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
}

/** The rows of a table: a YAML list, or a mapping whose `decisions` is that list (other keys may hold anchors). */
function readRows(yamlText: string): unknown[] {
  let doc: unknown;
  try {
    doc = parse(yamlText, { merge: true, maxAliasCount: 1000 });
  } catch (err) {
    throw new PolicyError('POLICY_TABLE_INVALID', `decision table is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (Array.isArray(doc)) return doc;
  if (doc !== null && typeof doc === 'object' && Array.isArray((doc as { decisions?: unknown }).decisions)) {
    return (doc as { decisions: unknown[] }).decisions;
  }
  throw new PolicyError('POLICY_TABLE_INVALID', 'a decision table is a YAML list of rows, or a mapping with a `decisions` list');
}

function check(expected: PolicyExpectation, decision: Decision): string[] {
  const problems: string[] = [];
  const got = `${decision.effect} [${decision.policyIds.join(', ')}]`;
  if (decision.effect !== expected.effect) problems.push(`expected ${expected.effect}, got ${got}`);
  if (expected.policy !== undefined && !decision.policyIds.includes(expected.policy)) {
    problems.push(`expected policy ${expected.policy} among the deciding policies, got ${got}`);
  }
  if (expected.obligations !== undefined) {
    const want = [...new Set(expected.obligations)].sort().join(', ');
    const have = [...new Set(decision.obligations)].sort().join(', ');
    if (want !== have) problems.push(`expected obligations [${want}], got [${have}]`);
  }
  if (problems.length > 0 && decision.errors?.length) problems.push(`engine errors: ${decision.errors.join('; ')}`);
  return problems;
}

function runRow(engine: PolicyEngine, raw: unknown, index: number): PolicyTableResult {
  const fallbackName = `row ${index + 1}`;
  const row = rowSchema.safeParse(raw);
  if (!row.success) {
    const name = (raw as { name?: unknown } | null)?.name;
    return {
      name: typeof name === 'string' ? name : fallbackName, passed: false,
      expected: { effect: 'deny' }, problems: [`malformed row: ${issues(row.error)}`],
    };
  }
  const { name, expected: effect, policy, obligations, principal, action, resource, context } = row.data;
  const expected: PolicyExpectation = { effect, ...(policy && { policy }), ...(obligations && { obligations }) };
  const request = { principal, action, resource, ...(context !== undefined && { context }) };
  const valid = policyRequestSchema.safeParse(request);
  // A malformed request is a mistake in the table, unless the row tests the fail-closed deny.
  if (!valid.success && policy !== INVALID_REQUEST_ID) {
    return { name, passed: false, expected, problems: [`invalid request: ${issues(valid.error)}`] };
  }
  const decision = engine.decide(request as PolicyRequest);
  const problems = check(expected, decision);
  return { name, passed: problems.length === 0, expected, decision, problems };
}

/**
 * Runs every row of a decision table against an engine. Row failures are results; a table
 * that is not YAML or not a list throws PolicyError('POLICY_TABLE_INVALID').
 *
 * @example
 *   const report = runPolicyTable(engine, readFileSync('decisions.yaml', 'utf8'));
 *   if (report.failed > 0) for (const r of report.results) if (!r.passed) console.log(r.name, r.problems);
 */
export function runPolicyTable(engine: PolicyEngine, yamlText: string): PolicyTableReport {
  const results = readRows(yamlText).map((raw, i) => runRow(engine, raw, i));
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed };
}
