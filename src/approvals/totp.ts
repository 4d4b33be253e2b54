/**
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, what authenticator apps use) for
 * approvers. Secrets are sealed at rest and shown once, at enrolment, as an otpauth:// URI.
 * Each time step is accepted once per user (RFC 6238 section 5.2), enforced by a conditional
 * write in the store so two replicas cannot both accept one code; repeated wrong codes lock
 * the user out for a while.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import { utf8 } from '../crypto/index.ts';
import { ApprovalError } from './errors.ts';
import type { SecretSealer } from './secrets.ts';
import type { ApprovalStore, IdentityStore } from './store.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 section 4 recommends 160-bit secrets. */
const SECRET_BYTES = 20;

const purpose = (userId: string) => `totp:${userId}`;

export type TotpCheck =
  | { ok: true; step: number }
  | { ok: false; reason: 'malformed' | 'not_enrolled' | 'invalid' | 'replayed' | 'locked' };

export interface TotpPolicy {
  windowSteps: number;
  maxFailures: number;
  lockoutSeconds: number;
}

/**
 * Enrols `userId`: generates a secret, seals and stores it, and returns the otpauth:// URI to
 * show once (it is never printed again). Refuses to replace an enrolment unless `replace`.
 * @example const { uri } = await enrollTotp({ store, identities, sealer }, 'carol', { issuer: 'Enclave' })
 */
export async function enrollTotp(
  deps: { store: ApprovalStore; identities: IdentityStore; sealer: SecretSealer },
  userId: string,
  options: { issuer: string; replace?: boolean; now?: Date },
): Promise<{ uri: string }> {
  if (!(await deps.identities.getUser(userId))) throw new ApprovalError('UNKNOWN_USER', `no user "${userId}"`);
  const secret = generateSecret({ length: SECRET_BYTES });
  const sealedSecret = await deps.sealer.seal(purpose(userId), utf8(secret));
  const stored = await deps.store.putTotp({ userId, sealedSecret, createdAt: (options.now ?? new Date()).toISOString() }, options.replace === true);
  if (!stored) throw new ApprovalError('TOTP_EXISTS', `${userId} already has a TOTP secret; replace it explicitly (--force)`);
  return { uri: generateURI({ issuer: options.issuer, label: userId, secret, period: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS }) };
}

/**
 * Checks a code for `userId` at `now`. A valid code's time step is consumed, so the same code
 * (or an older one) is refused afterwards as `replayed`.
 */
export async function verifyTotpCode(
  deps: { store: ApprovalStore; sealer: SecretSealer },
  userId: string,
  code: string,
  options: TotpPolicy & { now: Date },
): Promise<TotpCheck> {
  if (!/^[0-9]{6}$/.test(code)) return { ok: false, reason: 'malformed' };
  const record = await deps.store.getTotp(userId);
  if (!record) return { ok: false, reason: 'not_enrolled' };
  const nowMs = options.now.getTime();
  const lockedUntil = record.lastFailureAt ? Date.parse(record.lastFailureAt) + options.lockoutSeconds * 1000 : 0;
  if (record.failures >= options.maxFailures && nowMs < lockedUntil) return { ok: false, reason: 'locked' };

  const secret = Buffer.from(await deps.sealer.open(purpose(userId), record.sealedSecret)).toString('utf8');
  const result = await verify({
    secret, token: code, period: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS,
    epoch: Math.floor(nowMs / 1000), epochTolerance: options.windowSteps * TOTP_PERIOD_SECONDS,
  });
  if (!result.valid) {
    await deps.store.noteTotpFailure(userId, options.now.toISOString(), options.lockoutSeconds);
    return { ok: false, reason: 'invalid' };
  }
  const step = (result as { timeStep: number }).timeStep;
  if (!(await deps.store.advanceTotpStep(userId, step))) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}
