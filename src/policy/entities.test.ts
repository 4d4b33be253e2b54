/** The Cedar request built for a decision: signal reduction, and conformance to the schema. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { arbitraryRequest } from './arbitraries.ts';
import { summariseSignals, toCedarRequest } from './entities.ts';
import { POLICY_SCHEMA } from './schema.ts';
import { ALICE, chat, signal } from './testing.ts';

describe('summariseSignals', () => {
  it('is all clear with no signals', () => {
    assert.deepEqual(summariseSignals([]), {
      signals: { autonomous_engagement: false, mass_surveillance: false, use_of_force: false, wmd: false, prompt_injection: false },
      scores: { mass_surveillance: 0, use_of_force: 0, wmd: 0, prompt_injection: 0 },
      max_category: 'none',
    });
  });

  it('flags every category a message was classified in, with its highest score in thousandths', () => {
    const s = summariseSignals([signal('wmd', 0.4), { category: 'none', score: 0.9, scores: { use_of_force: 0.3 } }, signal('wmd', 0.8123)]);
    assert.deepEqual(s.signals, { autonomous_engagement: false, mass_surveillance: false, use_of_force: false, wmd: true, prompt_injection: false });
    assert.deepEqual(s.scores, { mass_surveillance: 0, use_of_force: 300, wmd: 812, prompt_injection: 0 });
    assert.equal(s.max_category, 'wmd');
  });

  it('names the highest-scoring red-line category and carries the autonomous-engagement sub-signal', () => {
    const s = summariseSignals([signal('prompt_injection', 0.6), signal('use_of_force', 0.95, { autonomous_engagement: true })]);
    assert.equal(s.max_category, 'use_of_force');
    assert.equal((s.signals as Record<string, boolean>).autonomous_engagement, true);
  });
});

describe('toCedarRequest', () => {
  it('passes only the principal and the resource as entities', () => {
    const call = toCedarRequest(chat());
    assert.deepEqual(call.entities.map((e) => e.uid), [{ type: 'User', id: 'alice' }, { type: 'Model', id: 'ts-llm' }]);
  });

  it('leaves mfa_age_seconds out when MFA never happened', () => {
    const { mfaAgeSeconds: _, ...noMfa } = ALICE;
    assert.ok(!('mfa_age_seconds' in (toCedarRequest(chat({}, noMfa)).entities[0]?.attrs ?? {})));
  });

  // The engine evaluates without the schema for speed; this checks, with Cedar's own request
  // and entity validation, that every request it can build conforms to the schema anyway.
  it('builds requests that Cedar validates against the schema, for any well-formed input', () => {
    assert.equal(cedar.preparseSchema('enclave-test-schema', POLICY_SCHEMA).type, 'success');
    assert.equal(cedar.preparsePolicySet('enclave-test-empty', { staticPolicies: {} }).type, 'success');
    fc.assert(fc.property(arbitraryRequest(), (request) => {
      const answer = cedar.statefulIsAuthorized({
        ...toCedarRequest(request), preparsedSchemaName: 'enclave-test-schema', preparsedPolicySetId: 'enclave-test-empty', validateRequest: true,
      });
      assert.equal(answer.type, 'success', JSON.stringify(answer));
    }), { numRuns: 300 });
  });
});
