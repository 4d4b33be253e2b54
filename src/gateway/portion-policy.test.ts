/** Retrieval gates over the real policy engine: one evaluation per label, per-portion ids when a policy names one, MFA age. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toPrincipal, type Principal } from '../identity/index.ts';
import { parseMarking } from '../markings/index.ts';
import { createPolicyEngine, type PolicyEngine, type PolicyRequest } from '../policy/index.ts';
import { createDecisionCache } from './decision-cache.ts';
import { portionGateFor } from './portion-policy.ts';
import { toPolicyPrincipal } from './policy-input.ts';

const user = { id: 'ana', name: 'Ana', clearance: 'SECRET//NOFORN', nationality: 'USA', roles: ['analyst', 'admin'], disabled: false, updatedAt: '2026-01-01T00:00:00Z' };
const apiKeyAna: Principal = toPrincipal(user, { method: 'api_key', keyId: 'k1' });
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const oidcAna = (mfaAgoSeconds: number): Principal => toPrincipal(user, { method: 'oidc', issuer: 'https://idp.test', subject: 'ana', mfaAt: NOW / 1000 - mfaAgoSeconds });

/** The engine behind an uncached decider that counts Cedar evaluations. */
function counting(engine: PolicyEngine): { deps: { policy: PolicyEngine; decisions: ReturnType<typeof createDecisionCache> }; asked: PolicyRequest[] } {
  const asked: PolicyRequest[] = [];
  const spy: PolicyEngine = { ...engine, decide: (r) => { asked.push(r); return engine.decide(r); } };
  return { deps: { policy: engine, decisions: createDecisionCache(spy, 0) }, asked };
}

describe('portion gates', () => {
  let defaults: PolicyEngine;
  let quarantine: PolicyEngine;

  before(async () => {
    defaults = await createPolicyEngine();
    quarantine = await createPolicyEngine({
      policies: '@id("deploy.quarantine") forbid (principal, action == Action::"retrieve", resource == Portion::"doc#2.1");',
    });
  });

  it('asks Cedar once per distinct label when no policy names a portion', () => {
    assert.equal(defaults.namesEntitiesOf('Portion'), false);
    const { deps, asked } = counting(defaults);
    const gate = portionGateFor(deps, apiKeyAna);
    const secret = parseMarking('SECRET//NOFORN');
    for (let i = 1; i <= 5; i++) assert.equal(gate.allows(secret, `doc#${i}.1`), true);
    assert.equal(gate.allows(parseMarking('UNCLASSIFIED'), 'doc#6.1'), true);
    assert.equal(asked.length, 2, 'one evaluation per label');
    assert.ok(asked.every((r) => r.action === 'retrieve' && r.resource.type === 'Portion' && r.resource.id.startsWith('label:')));
    // The default permit admits no policy-only control: refused, withheld once however often asked.
    const orcon = parseMarking('SECRET//ORCON/NOFORN');
    assert.equal(gate.allows(orcon, 'doc#7.1'), false);
    assert.equal(gate.allows(orcon, 'doc#7.1'), false);
    assert.equal(gate.allows(orcon), false);
    assert.deepEqual(gate.withheld(), [{ portionId: 'doc#7.1', rule: 'default.deny' }]);
    assert.equal(asked.length, 3);
  });

  it('decides per portion when a policy names one, so a forbid on that portion drops only it', () => {
    assert.equal(quarantine.namesEntitiesOf('Portion'), true);
    const { deps, asked } = counting(quarantine);
    const gate = portionGateFor(deps, apiKeyAna);
    const secret = parseMarking('SECRET//NOFORN');
    assert.equal(gate.allows(secret, 'doc#1.1'), true);
    assert.equal(gate.allows(secret, 'doc#2.1'), false);
    assert.equal(gate.allows(secret, 'doc#3.1'), true);
    assert.deepEqual(gate.withheld(), [{ portionId: 'doc#2.1', rule: 'deploy.quarantine' }]);
    assert.deepEqual(asked.map((r) => r.resource.id), ['doc#1.1', 'doc#2.1', 'doc#3.1']);
  });

  it('never lets retrieval read above the clearance, whatever the caller asks', () => {
    const { deps } = counting(defaults);
    const gate = portionGateFor(deps, apiKeyAna);
    assert.equal(gate.allows(parseMarking('TOP SECRET//SI//NOFORN'), 'doc#9.1'), false);
    assert.equal(gate.withheld()[0]?.rule, 'lattice.portion_read_up');
  });
});

describe('MFA age as policy sees it', () => {
  let engine: PolicyEngine;
  before(async () => { engine = await createPolicyEngine(); });

  const admin = (p: Principal) => engine.decide({ principal: toPolicyPrincipal(p, NOW), action: 'admin', resource: { type: 'System', id: 'corpus.ingest' } });

  it('is the time since the OIDC sign-in, and unknown for an API key', () => {
    assert.equal(toPolicyPrincipal(oidcAna(300), NOW).mfaAgeSeconds, 300);
    assert.equal(toPolicyPrincipal(oidcAna(-30), NOW).mfaAgeSeconds, 0, 'a sign-in in the future counts as now');
    assert.equal('mfaAgeSeconds' in toPolicyPrincipal(apiKeyAna, NOW), false);
  });

  it('lets an administrator with fresh MFA administer, and refuses stale or missing MFA (invariant.admin_mfa)', () => {
    assert.equal(admin(oidcAna(600)).effect, 'allow');
    for (const p of [oidcAna(901), apiKeyAna]) {
      const d = admin(p);
      assert.equal(d.effect, 'deny');
      assert.equal(d.policyIds[0], 'invariant.admin_mfa');
    }
  });
});
