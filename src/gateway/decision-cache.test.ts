/** The decision memo returns exactly what the engine returns, for identical and differing requests. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPolicyEngine, type PolicyEngine, type PolicyRequest } from '../policy/index.ts';
import { createDecisionCache } from './decision-cache.ts';

const categories = ['none', 'mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection'] as const;

const requestArb: fc.Arbitrary<PolicyRequest> = fc.record({
  roles: fc.subarray(['analyst', 'commander', 'engineer']),
  level: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
  labelLevel: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
  category: fc.constantFrom(...categories),
}).map(({ roles, level, labelLevel, category }) => ({
  principal: { id: 'p', clearance: { level, compartments: [] }, nationality: 'USA', roles },
  action: 'chat' as const,
  resource: { type: 'Model' as const, id: 'm', accreditation: { level: 3 as const, compartments: [] } },
  context: { signals: category === 'none' ? [] : [{ category, score: 0.9 }], label: { level: labelLevel, compartments: [] } },
}));

describe('decision cache', () => {
  let engine: PolicyEngine;
  before(async () => { engine = await createPolicyEngine(); });

  it('agrees with the engine on every request, cached or not', () => {
    const cache = createDecisionCache(engine, 8);
    fc.assert(fc.property(fc.array(requestArb, { minLength: 1, maxLength: 30 }), (requests) => {
      for (const r of [...requests, ...requests]) assert.deepEqual(cache.decide(r), engine.decide(r));
    }), { numRuns: 30 });
    assert.ok(cache.size <= 8, 'the cache stays bounded');
  });

  it('never lets a cached allow answer a request that differs only by a red-line signal', () => {
    const cache = createDecisionCache(engine);
    const base: PolicyRequest = {
      principal: { id: 'p', clearance: { level: 3, compartments: [] }, nationality: 'USA', roles: ['analyst'] },
      action: 'chat', resource: { type: 'Model', id: 'm', accreditation: { level: 3, compartments: [] } },
      context: { signals: [], label: { level: 0, compartments: [] } },
    };
    assert.equal(cache.decide(base).effect, 'allow');
    const denied = cache.decide({ ...base, context: { ...base.context, signals: [{ category: 'wmd', score: 0.99 }] } });
    assert.equal(denied.effect, 'deny');
    assert.equal(denied.policyIds[0], 'redline.wmd');
  });
});
