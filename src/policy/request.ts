/** What a caller asks the policy engine (plain data, checked with zod) and what it answers. */
import { z } from 'zod';

export const POLICY_ACTIONS = ['chat', 'retrieve', 'call_tool', 'approve', 'unmask', 'admin'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** Guard categories; every one but `none` is a red line (docs/design.md). */
export const SIGNAL_CATEGORIES = ['none', 'mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection'] as const;
export type SignalCategory = (typeof SIGNAL_CATEGORIES)[number];
export const RED_LINE_CATEGORIES = ['mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection'] as const;
export type RedLineCategory = (typeof RED_LINE_CATEGORIES)[number];

export type ResourceType = 'Model' | 'Tool' | 'Portion' | 'Approval' | 'System';

/** The resource type each action applies to, as in schema.cedarschema. */
export const ACTION_RESOURCE: Readonly<Record<PolicyAction, ResourceType>> = {
  chat: 'Model', retrieve: 'Portion', call_tool: 'Tool', approve: 'Approval', unmask: 'Portion', admin: 'System',
};

/** 0 UNCLASSIFIED, 1 CONFIDENTIAL, 2 SECRET, 3 TOP SECRET. */
export type ClassificationLevel = 0 | 1 | 2 | 3;

export interface PolicyLabel {
  level: ClassificationLevel;
  /** Lattice categories: SCI, SAP, AEA and NOT-REL bits. */
  compartments: readonly string[];
  /** Non-lattice controls (ORCON, PROPIN, IMCON, FISA, DISPLAY ONLY). */
  controls?: readonly string[];
}

export interface PolicyPrincipal {
  id: string;
  clearance: { level: ClassificationLevel; compartments: readonly string[] };
  /** ISO 3166 alpha-3. */
  nationality: string;
  roles: readonly string[];
  /** Seconds since MFA was last completed; absent when never. */
  mfaAgeSeconds?: number;
}

export type ToolEffect = 'read' | 'write' | 'kinetic';

export type PolicyResource =
  | { type: 'Model'; id: string; accreditation: { level: ClassificationLevel; compartments: readonly string[] } }
  | { type: 'Tool'; id: string; effect: ToolEffect; approvalsRequired: number; approverRoles: readonly string[] }
  | { type: 'Portion'; id: string; label: PolicyLabel }
  | {
    type: 'Approval'; id: string; requesterId: string;
    /** Principals who have already approved. */
    approverIds: readonly string[];
    approverRoles: readonly string[]; approvalsRequired: number;
    /** The held action's effect: a tool's effect, or `unmask`. */
    effect: ToolEffect | 'unmask';
    action: PolicyAction;
  }
  | { type: 'System'; id: string };

/** One guard verdict on one message. Extra fields (evidence, layer) are ignored. */
export interface PolicySignal {
  category: SignalCategory;
  /** Confidence in `category`, 0..1. */
  score: number;
  /** Per-category scores, 0..1, when the guard has them. */
  scores?: Partial<Record<SignalCategory, number>>;
  /** use_of_force sub-signal: the request asks the system to select or engage targets without a human decision. */
  autonomous_engagement?: boolean;
}

export interface PolicyContext {
  signals?: readonly PolicySignal[];
  /** The request's label; UNCLASSIFIED with no categories when absent. */
  label?: PolicyLabel;
  /** A TOTP code was verified in this request. */
  totpFresh?: boolean;
  /**
   * A completed approval (approvals part) covers exactly this request: holds are satisfied,
   * and the decision is whatever the policies say without them.
   */
  approved?: boolean;
}

export interface PolicyRequest {
  principal: PolicyPrincipal;
  action: PolicyAction;
  resource: PolicyResource;
  context?: PolicyContext;
}

export type DecisionEffect = 'allow' | 'deny' | 'hold';

export interface Decision {
  effect: DecisionEffect;
  /** The policies that made the decision: permits for allow, forbids for deny and hold. */
  policyIds: string[];
  /** One sentence per policy id, for the error message, the console and the audit log. */
  reasons: string[];
  /** What the caller must do: e.g. `decision_support` (mark the answer), `two_person_approval`. */
  obligations: string[];
  /** Evaluation or input errors behind a fail-closed deny. */
  errors?: string[];
}

const MAX_NAME = 256;
const name = z.string().min(1).max(MAX_NAME);
const names = z.array(name).max(1024);
const level = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
const score = z.number().min(0).max(1);
const label = z.strictObject({ level, compartments: names, controls: names.optional() });

const principalSchema = z.strictObject({
  id: name,
  clearance: z.strictObject({ level, compartments: names }),
  nationality: z.string().regex(/^[A-Z]{3}$/, 'an ISO 3166 alpha-3 code'),
  roles: names,
  mfaAgeSeconds: z.number().int().min(0).optional(),
});

const count = z.number().int().min(0).max(100);
const toolEffect = z.enum(['read', 'write', 'kinetic']);

const resourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Model'), id: name, accreditation: z.strictObject({ level, compartments: names }) }),
  z.strictObject({ type: z.literal('Tool'), id: name, effect: toolEffect, approvalsRequired: count, approverRoles: names }),
  z.strictObject({ type: z.literal('Portion'), id: name, label }),
  z.strictObject({
    type: z.literal('Approval'), id: name, requesterId: name, approverIds: names, approverRoles: names,
    approvalsRequired: count, effect: z.union([toolEffect, z.literal('unmask')]), action: z.enum(POLICY_ACTIONS),
  }),
  z.strictObject({ type: z.literal('System'), id: name }),
]);

// Not strict: guards attach evidence and layer names that policy has no use for.
const signalSchema = z.object({
  category: z.enum(SIGNAL_CATEGORIES),
  score,
  scores: z.partialRecord(z.enum(SIGNAL_CATEGORIES), score).optional(),
  autonomous_engagement: z.boolean().optional(),
});

const contextSchema = z.strictObject({
  signals: z.array(signalSchema).max(10_000).optional(),
  label: label.optional(),
  totpFresh: z.boolean().optional(),
  approved: z.boolean().optional(),
});

/** Checks a request from outside (CLI, decision tables, the gateway's assembled values). */
export const policyRequestSchema: z.ZodType<PolicyRequest> = z.strictObject({
  principal: principalSchema,
  action: z.enum(POLICY_ACTIONS),
  resource: resourceSchema,
  context: contextSchema.optional(),
}).refine((r) => ACTION_RESOURCE[r.action] === r.resource.type, {
  message: 'the resource type does not match the action (chat: Model, retrieve: Portion, call_tool: Tool, approve: Approval, unmask: Portion, admin: System)',
  path: ['resource', 'type'],
});
