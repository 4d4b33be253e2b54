/**
 * Console sessions: an opaque 256-bit cookie whose SHA-256 keys the stored session, a CSRF token
 * per session (synchronizer token, echoed in a header), and idle and absolute limits enforced by
 * the store's conditional touch, so every replica agrees on when a session ends.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, randomToken, sha256Hex } from '../crypto/index.ts';
import type { Principal } from '../identity/index.ts';
import { tryParseMarking } from '../markings/index.ts';
import type { SessionStore } from './session-store.ts';

export const CSRF_HEADER = 'x-csrf-token';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** Enclave terminates TLS itself: every request gets Secure __Host- cookies (RFC 6265bis 4.1.3.2). */
  tls: boolean;
}

export interface ConsoleSession {
  readonly idHash: string;
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
}

interface StoredPrincipal {
  id: string;
  name: string;
  clearanceText: string;
  nationality: string;
  roles: string[];
  auth: unknown;
}

/**
 * Whether the browser reached the deployment over HTTPS: TLS terminated here, or at a proxy that
 * says so in X-Forwarded-Proto, which fastify reads into request.protocol only with trustProxy
 * (server.trust_proxy), so a client cannot claim it past a gateway that does not trust proxies.
 */
export function isSecureRequest(request: FastifyRequest, policy: SessionPolicy): boolean {
  return policy.tls || request.protocol === 'https';
}

/** The session cookie's name: `__Host-` binds it to this origin, path / and Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-enclave_session' : 'enclave_session';
}

export function loginCookieName(secure: boolean): string {
  return secure ? '__Host-enclave_login' : 'enclave_login';
}

export function cookieOptions(secure: boolean, maxAgeSeconds: number) {
  return { path: '/', httpOnly: true, secure, sameSite: 'lax' as const, maxAge: maxAgeSeconds };
}

function serialise(p: Principal): string {
  const stored: StoredPrincipal = { id: p.id, name: p.name, clearanceText: p.clearanceText, nationality: p.nationality, roles: [...p.roles], auth: p.auth };
  return JSON.stringify(stored);
}

/** Rebuilds the principal; a clearance that no longer parses ends the session rather than guessing. */
function restore(json: string): Principal | undefined {
  const s = JSON.parse(json) as StoredPrincipal;
  const parsed = tryParseMarking(s.clearanceText);
  if (!parsed.ok) return undefined;
  return Object.freeze({
    id: s.id, name: s.name, clearance: parsed.label, clearanceText: s.clearanceText, nationality: s.nationality,
    roles: Object.freeze([...s.roles]), auth: s.auth as Principal['auth'],
  });
}

/** Starts a session for `principal` and returns the cookie value to set (shown to nobody else). */
export async function startSession(store: SessionStore, principal: Principal, policy: SessionPolicy, now: number): Promise<{ cookie: string; session: ConsoleSession }> {
  const cookie = randomToken(32);
  const idHash = sha256Hex(cookie);
  const absoluteExpiresAt = now + policy.absoluteMs;
  const record = {
    idHash, userId: principal.id, principal: serialise(principal), csrfToken: randomToken(32),
    createdAt: now, lastSeenAt: now, idleExpiresAt: Math.min(now + policy.idleMs, absoluteExpiresAt), absoluteExpiresAt,
  };
  await store.createSession(record);
  return { cookie, session: { idHash, principal, csrfToken: record.csrfToken, idleExpiresAt: record.idleExpiresAt, absoluteExpiresAt } };
}

/** The request's live session, touched (idle limit slides); undefined when absent, unknown or expired. */
export async function loadSession(store: SessionStore, request: FastifyRequest, policy: SessionPolicy, now: number): Promise<ConsoleSession | undefined> {
  const cookie = request.cookies[sessionCookieName(isSecureRequest(request, policy))];
  // Hostile input: only the exact shape randomToken(32) produces is looked up.
  if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
  const record = await store.touchSession(sha256Hex(cookie), now, policy.idleMs);
  if (!record) return undefined;
  const principal = restore(record.principal);
  if (!principal) return undefined;
  return { idHash: record.idHash, principal, csrfToken: record.csrfToken, idleExpiresAt: record.idleExpiresAt, absoluteExpiresAt: record.absoluteExpiresAt };
}

/**
 * A state-changing request must echo the session's CSRF token in a header (which another origin
 * cannot set without CORS, and cannot read to copy), and, when the browser says where it came
 * from, come from this origin.
 */
export function checkCsrf(request: FastifyRequest, session: ConsoleSession): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) return false;
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || presented.length !== session.csrfToken.length) return false;
  return constantTimeEqual(Buffer.from(presented), Buffer.from(session.csrfToken));
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'lax' });
}
