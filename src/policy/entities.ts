/** Turns a checked PolicyRequest into Cedar's request: only the principal and resource entities. */
import type { CedarValueJson, Context, EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import {
  RED_LINE_CATEGORIES, type PolicyLabel, type PolicyRequest, type PolicyResource, type PolicySignal, type RedLineCategory,
} from './request.ts';

export interface CedarRequest {
  principal: EntityUidJson;
  action: EntityUidJson;
  resource: EntityUidJson;
  context: Context;
  entities: EntityJson[];
}

const UNCLASSIFIED: PolicyLabel = { level: 0, compartments: [], controls: [] };

function labelValue(label: PolicyLabel): CedarValueJson {
  return { level: label.level, compartments: [...label.compartments], controls: [...(label.controls ?? [])] };
}

function userRef(id: string): CedarValueJson {
  return { __entity: { type: 'User', id } };
}

function resourceAttrs(resource: PolicyResource): Record<string, CedarValueJson> {
  switch (resource.type) {
    case 'Model':
      return { accredited_level: resource.accreditation.level, accredited_compartments: [...resource.accreditation.compartments] };
    case 'Tool':
      return { effect: resource.effect, approvals_required: resource.approvalsRequired, approver_roles: [...resource.approverRoles] };
    case 'Portion':
      return { label: labelValue(resource.label) };
    case 'Approval':
      return {
        requester: userRef(resource.requesterId), approvers: resource.approverIds.map(userRef),
        approver_roles: [...resource.approverRoles], approvals_required: resource.approvalsRequired,
        effect: resource.effect, action: resource.action,
      };
    case 'System':
      return {};
  }
}

/** Thousandths: Cedar has only integers, and three digits are finer than any guard's calibration. */
function permille(score: number): number {
  return Math.round(score * 1000);
}

/**
 * Reduces per-message guard signals to the context's flags and scores. A flag is set when any
 * message was classified in the category; the guard's thresholds already made that call.
 */
export function summariseSignals(signals: readonly PolicySignal[]): Context {
  const flags: Record<string, boolean> = { autonomous_engagement: false };
  const scores: Record<string, number> = {};
  for (const c of RED_LINE_CATEGORIES) {
    flags[c] = false;
    scores[c] = 0;
  }
  let maxCategory: RedLineCategory | 'none' = 'none';
  let maxScore = -1;
  for (const s of signals) {
    if (s.autonomous_engagement === true) flags.autonomous_engagement = true;
    for (const c of RED_LINE_CATEGORIES) {
      const value = permille(Math.max(s.category === c ? s.score : 0, s.scores?.[c] ?? 0));
      if (value > (scores[c] ?? 0)) scores[c] = value;
    }
    if (s.category === 'none') continue;
    flags[s.category] = true;
    if (s.score > maxScore) {
      maxScore = s.score;
      maxCategory = s.category;
    }
  }
  return { signals: flags, scores, max_category: maxCategory };
}

/** Builds Cedar's request; the action entities come from the preparsed schema. */
export function toCedarRequest(request: PolicyRequest): CedarRequest {
  const { principal: p, resource: r, context = {} } = request;
  const principalAttrs: Record<string, CedarValueJson> = {
    clearance_level: p.clearance.level, compartments: [...p.clearance.compartments],
    nationality: p.nationality, roles: [...p.roles],
  };
  if (p.mfaAgeSeconds !== undefined) principalAttrs.mfa_age_seconds = p.mfaAgeSeconds;
  const principal = { type: 'User', id: p.id };
  const resource = { type: r.type, id: r.id };
  return {
    principal,
    action: { type: 'Action', id: request.action },
    resource,
    context: {
      ...summariseSignals(context.signals ?? []),
      label: labelValue(context.label ?? UNCLASSIFIED),
      totp_fresh: context.totpFresh === true,
    },
    entities: [
      { uid: principal, attrs: principalAttrs, parents: [] },
      { uid: resource, attrs: resourceAttrs(r), parents: [] },
    ],
  };
}
