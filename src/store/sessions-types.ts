/**
 * Console sessions and logins in progress, as stored; both implementations pass
 * sessions.case.test.ts. The store knows nothing of principals: `principal` is opaque JSON.
 */

/** A signed-in console session. Times are epoch milliseconds. */
export interface SessionRecord {
  /** Hex SHA-256 of the cookie's secret; the secret itself is never stored. */
  idHash: string;
  userId: string;
  /** The principal as the console serialised it at sign-in. */
  principal: string;
  /** The token the browser echoes in a header on every state-changing request. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}

/** An authorization request in flight: what its callback needs to finish it. */
export interface LoginRecord {
  /** Hex SHA-256 of the `state` parameter. */
  stateHash: string;
  /** The PKCE code_verifier (RFC 7636). */
  verifier: string;
  nonce: string;
  /** A console path to return to after sign-in. */
  returnTo: string;
  expiresAt: number;
}

export interface SessionStore {
  /** Fails with StoreError('CONFLICT') when the id hash exists. */
  createSession(session: SessionRecord): Promise<void>;
  /**
   * Marks the session used at `now` and moves its idle expiry to `now + idleMs` (never past the
   * absolute expiry), in one conditional write. Undefined when there is no such session or either
   * limit has passed.
   */
  touchSession(idHash: string, now: number, idleMs: number): Promise<SessionRecord | undefined>;
  /** False when there was no such session. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session of a user (sign-out everywhere, a disabled account); returns how many. */
  deleteUserSessions(userId: string): Promise<number>;
  /** Removes sessions and logins whose limits have passed; returns how many rows went. */
  purgeExpired(now: number): Promise<number>;
  saveLogin(login: LoginRecord): Promise<void>;
  /** Removes and returns the login, once: a replayed callback finds nothing. Expired ones are not returned. */
  takeLogin(stateHash: string, now: number): Promise<LoginRecord | undefined>;
}
