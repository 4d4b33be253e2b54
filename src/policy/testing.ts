/** Request builders shared by the policy part's tests and benchmark; not part of the public surface. */
import type { PolicyContext, PolicyPrincipal, PolicyRequest, PolicyResource, PolicySignal, RedLineCategory } from './request.ts';

type ResourceOf<T extends PolicyResource['type']> = Extract<PolicyResource, { type: T }>;

export const ALICE: PolicyPrincipal = {
  id: 'alice', clearance: { level: 3, compartments: ['SI', 'TK'] }, nationality: 'USA', roles: ['analyst'], mfaAgeSeconds: 60,
};

export const TS_MODEL: ResourceOf<'Model'> = { type: 'Model', id: 'ts-llm', accreditation: { level: 3, compartments: ['SI', 'TK'] } };
export const KINETIC_TOOL: ResourceOf<'Tool'> = { type: 'Tool', id: 'strike', effect: 'kinetic', approvalsRequired: 2, approverRoles: ['approver'] };
export const READ_TOOL: ResourceOf<'Tool'> = { type: 'Tool', id: 'lookup', effect: 'read', approvalsRequired: 0, approverRoles: [] };
export const S_PORTION: ResourceOf<'Portion'> = { type: 'Portion', id: 'doc-1#p1', label: { level: 2, compartments: [] } };
export const SYSTEM: ResourceOf<'System'> = { type: 'System', id: 'enclave' };

/** One guard signal in a red-line category, as the guards emit it. */
export function signal(category: RedLineCategory, score = 0.9, extra: Partial<PolicySignal> = {}): PolicySignal {
  return { category, score, ...extra };
}

export function chat(context: PolicyContext = {}, principal: PolicyPrincipal = ALICE): PolicyRequest {
  return { principal, action: 'chat', resource: TS_MODEL, context };
}
