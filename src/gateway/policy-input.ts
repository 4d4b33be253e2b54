/**
 * Translates markings labels and principals into the plain data the policy engine decides on.
 * Releasability becomes inverse categories (markings.md, "Access: a lattice"), restricted to the
 * one country that matters for this caller: `NOT-REL-<nationality>` is in a label's categories
 * exactly when the label is not releasable to the caller's nationality, and never in the
 * caller's own, so Cedar's containment check agrees with checkAccess without ~250 bits per set.
 */
import { mfaAgeSeconds, type Principal } from '../identity/index.ts';
import type { ModelEntry } from '../inference/index.ts';
import { checkAccess, policyControls, type Label } from '../markings/index.ts';
import type { PolicyLabel, PolicyPrincipal, PolicyResource, PolicySignal } from '../policy/index.ts';
import type { Signal } from './context.ts';

function categories(label: Label): string[] {
  return [...label.sci, ...label.sap.map((s) => `SAR-${s}`), ...label.aea];
}

/** True when `label` may be released to a national of `nationality` (REL TO / NOFORN only). */
function releasableTo(label: Label, nationality: string): boolean {
  // Against a clearance equal to the label itself, only releasability can deny.
  return checkAccess({ label, nationality }, label).allowed;
}

/** A label as policy sees it, relative to the caller's nationality. */
export function toPolicyLabel(label: Label, nationality: string): PolicyLabel {
  const compartments = categories(label);
  if (nationality !== 'USA' && !releasableTo(label, nationality)) compartments.push(`NOT-REL-${nationality}`);
  return { level: label.level, compartments, controls: [...policyControls(label)] };
}

/**
 * The principal as policy sees it. `mfaAgeSeconds` is set when it is known: an OIDC token's (or
 * a console session's, which keeps the ID token's) time of multi-factor sign-in; `nowMs` is the
 * clock it is measured against. API keys carry none, so `invariant.admin_mfa` refuses them.
 */
export function toPolicyPrincipal(p: Principal, nowMs = Date.now()): PolicyPrincipal {
  const mfa = mfaAgeSeconds(p, nowMs);
  return {
    id: p.id, clearance: { level: p.clearance.level, compartments: categories(p.clearance) }, nationality: p.nationality, roles: p.roles,
    ...(mfa !== undefined ? { mfaAgeSeconds: mfa } : {}),
  };
}

/** The guards' signals on a request, as policy reads them. */
export function toPolicySignals(signals: readonly Signal[]): PolicySignal[] {
  return signals.map((s) => ({
    category: s.category as PolicySignal['category'], score: s.score,
    ...(s.autonomousEngagement ? { autonomous_engagement: true } : {}),
  }));
}

export function toPolicyModel(model: ModelEntry, nationality: string): PolicyResource {
  const accredited = toPolicyLabel(model.accredited, nationality);
  return { type: 'Model', id: model.id, accreditation: { level: accredited.level, compartments: accredited.compartments } };
}
