/** Decisions of the shipped policies: red lines that no permit lifts, holds, approvals, fail-closed. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPolicyEngine, DECISION_SUPPORT, DEFAULT_DENY_ID, INVALID_REQUEST_ID, type PolicyEngine, type PolicyRequest,
} from './index.ts';
import { ALICE, chat, KINETIC_TOOL, READ_TOOL, S_PORTION, signal, SYSTEM, TS_MODEL } from './testing.ts';

const PERMIT_EVERYTHING = 'permit(principal, action, resource);';

describe('createPolicyEngine', () => {
  let shipped: PolicyEngine;
  let permissive: PolicyEngine;
  before(async () => {
    shipped = await createPolicyEngine();
    permissive = await createPolicyEngine({ policies: PERMIT_EVERYTHING });
  });

  describe('when a deployment permits everything', () => {
    const redLines: [string, PolicyRequest][] = [
      ['redline.mass_surveillance', chat({ signals: [signal('mass_surveillance')] })],
      ['redline.wmd', chat({ signals: [signal('wmd')] })],
      ['redline.prompt_injection', chat({ signals: [signal('prompt_injection')] })],
      ['redline.use_of_force', chat({ signals: [signal('use_of_force', 0.9, { autonomous_engagement: true })] })],
    ];

    it('still denies every red line, naming it', () => {
      for (const [id, request] of redLines) {
        const d = permissive.decide(request);
        assert.equal(d.effect, 'deny', id);
        assert.deepEqual(d.policyIds, [id]);
        assert.match(d.reasons[0] ?? '', /red line/);
      }
    });

    it('denies red lines on every action, not only chat', () => {
      const others: PolicyRequest[] = [
        { principal: ALICE, action: 'retrieve', resource: S_PORTION },
        { principal: ALICE, action: 'call_tool', resource: READ_TOOL },
        { principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL },
        { principal: ALICE, action: 'unmask', resource: S_PORTION },
        { principal: ALICE, action: 'admin', resource: SYSTEM },
      ];
      for (const base of others) {
        for (const [id, red] of redLines) {
          const d = permissive.decide({ ...base, context: red.context! });
          assert.equal(d.effect, 'deny', `${base.action} ${id}`);
          assert.equal(d.policyIds[0], id);
        }
      }
    });

    it('still holds kinetic tool calls and unmasking for approval', () => {
      assert.equal(permissive.decide({ principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL }).effect, 'hold');
      assert.equal(permissive.decide({ principal: ALICE, action: 'unmask', resource: S_PORTION }).effect, 'hold');
    });

    it('gives use-of-force answers only as decision support', () => {
      const d = permissive.decide(chat({ signals: [signal('use_of_force')] }));
      assert.equal(d.effect, 'allow');
      assert.deepEqual(d.obligations, [DECISION_SUPPORT]);
    });

    it('keeps the lattice: no read up, nothing above a model', () => {
      const sam = { ...ALICE, id: 'sam', clearance: { level: 2 as const, compartments: [] } };
      assert.deepEqual(permissive.decide(chat({ label: { level: 3, compartments: [] } }, sam)).policyIds, ['lattice.no_read_up']);
      const sModel = { type: 'Model' as const, id: 's', accreditation: { level: 2 as const, compartments: [] } };
      const d = permissive.decide({ principal: ALICE, action: 'chat', resource: sModel, context: { label: { level: 3, compartments: ['SI'] } } });
      assert.deepEqual(d.policyIds, ['lattice.model_accreditation']);
    });
  });

  describe('with the shipped policies only', () => {
    it('allows an analyst to chat, naming the permit', () => {
      const d = shipped.decide(chat({ signals: [{ category: 'none', score: 0.99 }] }));
      assert.deepEqual(d, {
        effect: 'allow', policyIds: ['default.analyst_chat'],
        reasons: ["analysts may chat with models accredited for the request's label"], obligations: [],
      });
    });

    it('denies use-of-force chat until a deployment permits a role', () => {
      assert.deepEqual(shipped.decide(chat({ signals: [signal('use_of_force')] })).policyIds, [DEFAULT_DENY_ID]);
    });

    it('denies as default.deny when nothing permits', () => {
      const d = shipped.decide(chat({}, { ...ALICE, roles: [] }));
      assert.deepEqual(d, { effect: 'deny', policyIds: [DEFAULT_DENY_ID], reasons: ['no policy permits this request'], obligations: [] });
    });

    it('lists red lines first when several forbids apply', () => {
      const d = shipped.decide(chat({ signals: [signal('wmd'), signal('mass_surveillance')], label: { level: 3, compartments: ['XX'] } }));
      assert.deepEqual(d.policyIds, ['redline.mass_surveillance', 'redline.wmd', 'lattice.model_accreditation', 'lattice.no_read_up']);
    });
  });

  describe('hold convention', () => {
    it('holds a permitted kinetic call with the ids and obligations of its holds', () => {
      const d = permissive.decide({ principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL });
      assert.equal(d.effect, 'hold');
      assert.deepEqual(d.policyIds, ['hold.kinetic_tool', 'hold.tool_approvals']);
      assert.deepEqual(new Set(d.obligations), new Set(['two_person_approval', 'fresh_totp', 'human_approval']));
    });

    it('denies instead of holding when no permit applies', () => {
      const d = shipped.decide({ principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL });
      assert.deepEqual(d.policyIds, [DEFAULT_DENY_ID]);
    });

    it('allows once an approval covers the request, saying which holds it satisfied', () => {
      const d = permissive.decide({ principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL, context: { approved: true } });
      assert.equal(d.effect, 'allow');
      assert.deepEqual(d.policyIds, ['<inline>#1']);
      assert.ok(d.reasons.includes('an approval satisfied hold hold.kinetic_tool'));
    });

    it('never lets an approval lift a plain forbid', () => {
      const d = permissive.decide({ principal: ALICE, action: 'call_tool', resource: KINETIC_TOOL, context: { approved: true, signals: [signal('wmd')] } });
      assert.deepEqual(d.policyIds, ['redline.wmd']);
    });

    it('holds any tool call on a use-of-force request, as decision support', () => {
      const d = permissive.decide({ principal: ALICE, action: 'call_tool', resource: READ_TOOL, context: { signals: [signal('use_of_force')] } });
      assert.equal(d.effect, 'hold');
      assert.deepEqual(d.policyIds, ['hold.use_of_force_action']);
      assert.ok(d.obligations.includes(DECISION_SUPPORT));
    });

    it('lets a deployment add its own holds', async () => {
      const engine = await createPolicyEngine({
        policies: `${PERMIT_EVERYTHING}\n@id("deploy.hold_writes") @effect("hold") forbid(principal, action == Action::"call_tool", resource is Tool) when { resource.effect == "write" };`,
      });
      const write = { ...READ_TOOL, effect: 'write' as const };
      assert.deepEqual(engine.decide({ principal: ALICE, action: 'call_tool', resource: write }).policyIds, ['deploy.hold_writes']);
    });
  });

  describe('approvals', () => {
    const approval = {
      type: 'Approval' as const, id: 'apr-1', requesterId: 'olga', approverIds: [], approverRoles: ['approver'],
      approvalsRequired: 2, effect: 'kinetic' as const, action: 'call_tool' as const,
    };
    const vera = { ...ALICE, id: 'vera', roles: ['approver'] };

    it('allows a distinct approver with a fresh TOTP code', () => {
      assert.equal(shipped.decide({ principal: vera, action: 'approve', resource: approval, context: { totpFresh: true } }).effect, 'allow');
    });

    it('denies the requester, a repeat approver, a missing role and a missing TOTP code', () => {
      const cases: [string, PolicyRequest][] = [
        ['approval.not_requester', { principal: { ...vera, id: 'olga' }, action: 'approve', resource: approval, context: { totpFresh: true } }],
        ['approval.distinct_approvers', { principal: vera, action: 'approve', resource: { ...approval, approverIds: ['vera'] }, context: { totpFresh: true } }],
        ['approval.approver_role', { principal: ALICE, action: 'approve', resource: approval, context: { totpFresh: true } }],
        ['approval.fresh_totp', { principal: vera, action: 'approve', resource: approval }],
      ];
      for (const [id, request] of cases) assert.deepEqual(permissive.decide(request).policyIds, [id]);
    });

    it('refuses a kinetic tool registered with fewer than two approvals', () => {
      const d = permissive.decide({ principal: ALICE, action: 'call_tool', resource: { ...KINETIC_TOOL, approvalsRequired: 1 } });
      assert.deepEqual(d.policyIds, ['invariant.kinetic_two_person']);
    });
  });

  describe('when the request is malformed', () => {
    const bad: [string, unknown][] = [
      ['unknown signal category', chat({ signals: [{ category: 'bioweapons' as never, score: 0.5 }] })],
      ['score out of range', chat({ signals: [{ category: 'wmd', score: 1.5 }] })],
      ['NaN score', chat({ signals: [{ category: 'none', score: Number.NaN }] })],
      ['resource type not matching the action', { principal: ALICE, action: 'chat', resource: READ_TOOL }],
      ['unknown action', { principal: ALICE, action: 'delete', resource: TS_MODEL }],
      ['unknown key', { ...chat(), extra: true }],
      ['level out of range', chat({}, { ...ALICE, clearance: { level: 4 as never, compartments: [] } })],
      ['not an object', 'allow'],
      ['null', null],
      ['prototype pollution', JSON.parse('{"__proto__": {"action": "chat"}}')],
    ];

    it('fails closed with policy.invalid_request and says why', () => {
      for (const [what, request] of bad) {
        const d = permissive.decide(request as PolicyRequest);
        assert.equal(d.effect, 'deny', what);
        assert.deepEqual(d.policyIds, [INVALID_REQUEST_ID], what);
        assert.ok((d.errors ?? []).length > 0, what);
      }
    });

    it('never throws, even on a getter that throws', () => {
      const hostile = { ...chat(), get context(): never { throw new Error('boom'); } };
      assert.equal(permissive.decide(hostile as PolicyRequest).effect, 'deny');
      const throwsNull = { ...chat(), get context(): never { throw null; } };
      assert.equal(permissive.decide(throwsNull as PolicyRequest).effect, 'deny');
    });
  });

  describe('policyVersion', () => {
    it('is stable for the same policies and changes with any policy text', async () => {
      const again = await createPolicyEngine({ policies: PERMIT_EVERYTHING });
      const other = await createPolicyEngine({ policies: `${PERMIT_EVERYTHING} ` });
      assert.match(permissive.policyVersion, /^sha256:[0-9a-f]{64}$/);
      assert.equal(again.policyVersion, permissive.policyVersion);
      assert.notEqual(other.policyVersion, permissive.policyVersion);
      assert.notEqual(shipped.policyVersion, permissive.policyVersion);
    });
  });
});
