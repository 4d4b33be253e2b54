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
  readonly auth: { method: 'api_key'; keyId: string } | { method: 'oidc'; issuer: string; subject: string };
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
