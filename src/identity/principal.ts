/** Who is calling: a principal with a clearance (a parsed marking), nationality and roles. */
import { parseMarking, type Label } from '../markings/index.ts';
import type { UserRecord } from '../store/index.ts';
import { IdentityError } from './errors.ts';

export interface Principal {
  readonly id: string;
  readonly name: string;
  /** The highest label this principal may see. */
  readonly clearance: Label;
  /** The clearance as configured, for display and audit. */
  readonly clearanceText: string;
  /** ISO 3166 alpha-3; releasability (REL TO) is decided against it. */
  readonly nationality: string;
  readonly roles: readonly string[];
  readonly auth: { method: 'api_key'; keyId: string } | {
    method: 'oidc'; issuer: string; subject: string;
    /**
     * When the provider last authenticated the user with multiple factors, in seconds since the
     * epoch (the token's `auth_time`; absent when the token has none, or its `amr` lists no
     * multi-factor method). Policy reads it as `mfa_age_seconds` (see mfaAgeSeconds).
     */
    mfaAt?: number;
  };
}

/**
 * Seconds since `principal` last completed MFA, rounded up (a policy's limit is never exceeded by
 * rounding); undefined when that is not known, as for API keys. A time in the future counts as now.
 * @example mfaAgeSeconds(principal, Date.now()) // 312
 */
export function mfaAgeSeconds(principal: { readonly auth?: Principal['auth'] }, nowMs: number): number | undefined {
  const auth = principal.auth;
  if (auth?.method !== 'oidc' || auth.mfaAt === undefined || !Number.isFinite(auth.mfaAt)) return undefined;
  return Math.max(0, Math.ceil(nowMs / 1000 - auth.mfaAt));
}

/**
 * Builds a principal from its stored record. A clearance that does not parse is a
 * configuration error, never a silent UNCLASSIFIED.
 */
export function toPrincipal(user: UserRecord, auth: Principal['auth']): Principal {
  let clearance: Label;
  try {
    clearance = parseMarking(user.clearance);
  } catch (err) {
    throw new IdentityError('INVALID_CLEARANCE', `user ${user.id}: clearance "${user.clearance}" is not a valid marking: ${(err as Error).message}`, { cause: err });
  }
  return Object.freeze({
    id: user.id, name: user.name, clearance, clearanceText: user.clearance,
    nationality: user.nationality, roles: Object.freeze([...user.roles]), auth,
  });
}
