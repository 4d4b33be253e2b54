/** Properties of decisions over random principals, contexts and deployment permits. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbitraryContext, arbitraryPrincipal, arbitraryRequest, arbitrarySignal } from './arbitraries.ts';
import { createPolicyEngine, DECISION_SUPPORT, type PolicyEngine, type PolicyRequest, type PolicySignal } from './index.ts';

/** Permit conditions a deployment might write, including ones keyed on the red-line signals themselves. */
const CONDITIONS = [
  'true',
  'context.signals.wmd',
  'context.signals.mass_surveillance || context.signals.prompt_injection',
  'context.signals.autonomous_engagement',
  'context.max_category != "none"',
  'context.scores.wmd > 0',
  'principal.roles.contains("analyst")',
  'principal.clearance_level >= 0',
  'context.totp_fresh || !context.totp_fresh',
];

const permitSet = fc.uniqueArray(fc.constantFrom(...CONDITIONS), { minLength: 1, maxLength: 4 })
  .map((conditions) => conditions.map((c, i) => `@id("deploy.p${i}") permit(principal, action, resource) when { ${c} };`).join('\n'));

/** A signal that always denies: one of the deny-only red lines, or autonomous engagement. */
const denyingSignal: fc.Arbitrary<PolicySignal> = fc.oneof(
  arbitrarySignal(['mass_surveillance', 'wmd', 'prompt_injection']),
  arbitrarySignal(['use_of_force', 'none']).map((s) => ({ ...s, autonomous_engagement: true })),
);

const withRedLine: fc.Arbitrary<PolicyRequest> = fc.tuple(arbitraryRequest(), denyingSignal, fc.array(arbitrarySignal(), { maxLength: 3 }))
  .map(([request, red, others]) => ({ ...request, context: { ...request.context, signals: [...others, red] } }));

describe('policy properties', () => {
  let engines: PolicyEngine[];
  before(async () => {
    const sets = fc.sample(permitSet, { numRuns: 6, seed: 42 });
    engines = await Promise.all(['permit(principal, action, resource);', ...sets].map((policies) => createPolicyEngine({ policies })));
  });

  it('never allows or holds a request with a deny red-line signal, whatever permits are added', () => {
    for (const engine of engines) {
      fc.assert(fc.property(withRedLine, (request) => {
        const d = engine.decide(request);
        assert.equal(d.effect, 'deny');
        assert.match(d.policyIds[0] ?? '', /^redline\./);
      }), { numRuns: 150 });
    }
  });

  it('allows a permitted request without signals when the clearance and model dominate its label', () => {
    const [permitAll] = engines;
    const top = ['SI', 'TK'];
    const request = fc.tuple(
      arbitraryPrincipal, fc.constantFrom(0, 1, 2, 3), fc.subarray(top),
      fc.array(arbitrarySignal(['none']).map((s) => ({ category: s.category, score: s.score })), { maxLength: 3 }),
    ).map(([principal, ceiling, picked, signals]): PolicyRequest => {
      // A label the principal's clearance dominates, on a model accredited above it.
      const label = {
        level: Math.min(ceiling, principal.clearance.level) as 0 | 1 | 2 | 3,
        compartments: principal.clearance.compartments.filter((c) => picked.includes(c)),
      };
      const accreditation = { level: 3 as const, compartments: [...top, ...principal.clearance.compartments] };
      return { principal, action: 'chat', resource: { type: 'Model', id: 'm', accreditation }, context: { signals, label } };
    });
    fc.assert(fc.property(request, (r) => {
      const d = permitAll!.decide(r);
      assert.equal(d.effect, 'allow', JSON.stringify(d));
      assert.deepEqual(d.obligations, []);
    }), { numRuns: 200 });
  });

  it('marks every use-of-force answer it allows or holds as decision support', () => {
    const useOfForce = fc.tuple(arbitraryRequest(), arbitrarySignal(['use_of_force']))
      .map(([r, s]) => ({ ...r, context: { ...r.context, signals: [...(r.context?.signals ?? []), s] } }));
    for (const engine of engines) {
      fc.assert(fc.property(useOfForce, (request) => {
        const d = engine.decide(request);
        if (d.effect !== 'deny') assert.ok(d.obligations.includes(DECISION_SUPPORT));
      }), { numRuns: 100 });
    }
  });

  it('never allows a request whose label the caller\'s clearance does not dominate', () => {
    const [permitAll] = engines;
    fc.assert(fc.property(arbitraryRequest(arbitraryContext()), (request) => {
      const label = request.context?.label;
      const dominated = !label || (request.principal.clearance.level >= label.level
        && label.compartments.every((c) => request.principal.clearance.compartments.includes(c)));
      if (!dominated) assert.equal(permitAll!.decide(request).effect, 'deny');
    }), { numRuns: 300 });
  });

  it('answers anything at all with a decision, denying what is malformed', () => {
    const [permitAll] = engines;
    fc.assert(fc.property(fc.anything(), (input) => {
      const d = permitAll!.decide(input as PolicyRequest);
      assert.equal(d.effect, 'deny');
    }), { numRuns: 300 });
  });
});
