/** fast-check generators of well-formed policy requests, for the policy part's property tests only. */
import fc from 'fast-check';
import {
  POLICY_ACTIONS, SIGNAL_CATEGORIES, type ClassificationLevel, type PolicyAction, type PolicyContext, type PolicyLabel,
  type PolicyPrincipal, type PolicyRequest, type PolicyResource, type PolicySignal,
} from './request.ts';

const level = fc.constantFrom<ClassificationLevel>(0, 1, 2, 3);
const compartments = fc.uniqueArray(fc.constantFrom('SI', 'TK', 'HCS', 'NOT-REL-GBR', 'SAR-BP'), { maxLength: 4 });
const roles = fc.uniqueArray(fc.constantFrom('analyst', 'commander', 'operator', 'approver', 'admin', 'orcon_reader'), { maxLength: 4 });
const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const label: fc.Arbitrary<PolicyLabel> = fc.record({
  level, compartments, controls: fc.uniqueArray(fc.constantFrom('ORCON', 'PROPIN', 'FISA'), { maxLength: 2 }),
});

export const arbitraryPrincipal: fc.Arbitrary<PolicyPrincipal> = fc.record({
  id,
  clearance: fc.record({ level, compartments }),
  nationality: fc.constantFrom('USA', 'GBR', 'CAN'),
  roles,
  mfaAgeSeconds: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }),
}, { requiredKeys: ['id', 'clearance', 'nationality', 'roles'] });

const toolEffect = fc.constantFrom('read' as const, 'write' as const, 'kinetic' as const);

function arbitraryResource(action: PolicyAction): fc.Arbitrary<PolicyResource> {
  switch (action) {
    case 'chat':
      return fc.record({ type: fc.constant('Model' as const), id, accreditation: fc.record({ level, compartments }) });
    case 'retrieve':
    case 'unmask':
      return fc.record({ type: fc.constant('Portion' as const), id, label });
    case 'call_tool':
      return fc.record({
        type: fc.constant('Tool' as const), id, effect: toolEffect, approvalsRequired: fc.nat({ max: 3 }), approverRoles: roles,
      });
    case 'approve':
      return fc.record({
        type: fc.constant('Approval' as const), id, requesterId: id, approverIds: fc.uniqueArray(id, { maxLength: 3 }),
        approverRoles: roles, approvalsRequired: fc.nat({ max: 3 }),
        effect: fc.constantFrom('read' as const, 'write' as const, 'kinetic' as const, 'unmask' as const),
        action: fc.constantFrom('call_tool' as const, 'unmask' as const),
      });
    case 'admin':
      return fc.record({ type: fc.constant('System' as const), id });
  }
}

/** A guard signal; `categories` narrows which categories appear. */
export function arbitrarySignal(categories: readonly PolicySignal['category'][] = SIGNAL_CATEGORIES): fc.Arbitrary<PolicySignal> {
  return fc.record({
    category: fc.constantFrom(...categories),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    autonomous_engagement: fc.option(fc.boolean(), { nil: undefined }),
  }, { requiredKeys: ['category', 'score'] });
}

export function arbitraryContext(signal: fc.Arbitrary<PolicySignal> = arbitrarySignal()): fc.Arbitrary<PolicyContext> {
  return fc.record({
    signals: fc.array(signal, { maxLength: 4 }),
    label,
    totpFresh: fc.boolean(),
    approved: fc.boolean(),
  }, { requiredKeys: [] });
}

/** Any well-formed request: every action with a resource of the type it applies to. */
export function arbitraryRequest(context: fc.Arbitrary<PolicyContext> = arbitraryContext()): fc.Arbitrary<PolicyRequest> {
  return fc.constantFrom(...POLICY_ACTIONS).chain((action) => fc.record({
    principal: arbitraryPrincipal, action: fc.constant(action), resource: arbitraryResource(action), context,
  }));
}
