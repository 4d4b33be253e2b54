/**
 * Decision latency: the shipped policies plus 100 generated deployment policies, a mixed
 * workload of allows, red-line denies, holds and lattice denies. Every decision, holds included,
 * is one Cedar evaluation over the action's preparsed slice (see resolveDecision in outcome.ts).
 */
import { createPolicyEngine } from './engine.ts';
import { POLICY_ACTIONS, type PolicyRequest } from './request.ts';

export const BENCH_DEPLOYMENT_POLICIES = 100;

/** Realistic deployment policies: role permits per action, attribute conditions, a few forbids and holds. */
export function generateDeploymentPolicies(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const action = POLICY_ACTIONS[i % POLICY_ACTIONS.length]!;
    const role = `role_${i}`;
    if (i % 10 === 9) {
      out.push(`@id("bench.hold_${i}") @effect("hold") forbid (principal, action == Action::"call_tool", resource is Tool)
        when { principal.roles.contains("${role}") && resource.approvals_required > ${i % 3} };`);
    } else if (i % 10 === 8) {
      out.push(`@id("bench.forbid_${i}") forbid (principal, action, resource)
        when { principal.nationality == "X${String(i).padStart(2, '0')}" && context.scores.use_of_force > ${500 + i} };`);
    } else {
      out.push(`@id("bench.permit_${i}") permit (principal, action == Action::"${action}", resource)
        when { principal.roles.contains("${role}") && principal.clearance_level >= ${i % 4} && context.label.controls.isEmpty() };`);
    }
  }
  return out.join('\n');
}

function benchRequests(): PolicyRequest[] {
  const principal = { id: 'alice', clearance: { level: 3 as const, compartments: ['SI', 'TK'] }, nationality: 'USA', roles: ['analyst', 'role_2', 'role_6', 'operator'] };
  const model = { type: 'Model' as const, id: 'ts-llm', accreditation: { level: 3 as const, compartments: ['SI', 'TK'] } };
  const label = { level: 2 as const, compartments: ['SI'] };
  const none = [{ category: 'none' as const, score: 0.97 }, { category: 'none' as const, score: 0.91 }];
  return [
    { principal, action: 'chat', resource: model, context: { signals: none, label } },
    { principal, action: 'chat', resource: model, context: { signals: [{ category: 'wmd', score: 0.9 }], label } },
    { principal, action: 'chat', resource: model, context: { signals: [{ category: 'use_of_force', score: 0.8 }], label } },
    { principal, action: 'retrieve', resource: { type: 'Portion', id: 'doc#p1', label: { level: 2, compartments: [] } }, context: { signals: none } },
    { principal, action: 'call_tool', resource: { type: 'Tool', id: 'strike', effect: 'kinetic', approvalsRequired: 2, approverRoles: ['approver'] } },
    { principal, action: 'call_tool', resource: { type: 'Tool', id: 'lookup', effect: 'read', approvalsRequired: 0, approverRoles: [] } },
    { principal: { ...principal, clearance: { level: 1, compartments: [] } }, action: 'chat', resource: model, context: { label } },
  ];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Measures decide() latency in microseconds over a mixed workload, after a warm-up.
 * Returns p50/p99/max per decision, the load time, and the policy count.
 *
 * @example
 *   console.log(await benchPolicy()); // { decide_p50_us: ..., decide_p99_us: ..., ... }
 */
export async function benchPolicy(options: { iterations?: number } = {}): Promise<Record<string, number>> {
  const iterations = options.iterations ?? 20_000;
  const started = performance.now();
  const engine = await createPolicyEngine({ policies: generateDeploymentPolicies(BENCH_DEPLOYMENT_POLICIES) });
  const loadMs = performance.now() - started;
  const requests = benchRequests();
  for (let i = 0; i < Math.min(2_000, iterations); i++) engine.decide(requests[i % requests.length]!);
  const samples: number[] = [];
  const byEffect = { allow: 0, deny: 0, hold: 0 };
  for (let i = 0; i < iterations; i++) {
    const request = requests[i % requests.length]!;
    const t0 = process.hrtime.bigint();
    const decision = engine.decide(request);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    byEffect[decision.effect]++;
  }
  samples.sort((a, b) => a - b);
  return {
    policies: engine.policies.length,
    decisions: iterations,
    allow: byEffect.allow,
    deny: byEffect.deny,
    hold: byEffect.hold,
    load_ms: Math.round(loadMs),
    decide_p50_us: Math.round(percentile(samples, 50)),
    decide_p90_us: Math.round(percentile(samples, 90)),
    decide_p99_us: Math.round(percentile(samples, 99)),
    decide_max_us: Math.round(samples.at(-1) ?? NaN),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchPolicy());
}
