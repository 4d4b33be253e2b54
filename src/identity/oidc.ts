/**
 * OpenID Connect: discovery, the authorization code flow with PKCE (RFC 7636), ID and access token
 * verification with jose against the provider's JWKS, and the mapping of claims to a principal.
 * Everything the provider sends is hostile input: validated with zod, never defaulted upward.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { randomToken, sha256 } from '../crypto/index.ts';
import { z } from 'zod';
import { MARKING_MAX_LENGTH, tryParseMarking } from '../markings/index.ts';
import type { Principal } from './principal.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const COUNTRY = /^[A-Z]{3}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** RFC 9068 section 2.1: the `typ` of a JWT access token, so an ID token is never accepted as one. */
export const RFC9068_ACCESS_TOKEN_TYPE = 'at+jwt';
const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

const httpsOrLoopback = z.url().refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}, 'must be https (http only on a loopback address)');

/** The `oidc:` section of the configuration. */
export const oidcConfigSchema = z.object({
  issuer: httpsOrLoopback,
  client_id: z.string().min(1).max(256),
  /** Environment variable holding a confidential client's secret; omitted: a public client (PKCE only). */
  client_secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  /** The console's callback as the provider knows it; omitted: derived from the request's host. */
  redirect_uri: httpsOrLoopback.optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).min(1).default(['openid', 'profile']),
  /** The `aud` an API caller's access token must carry; omitted: the client id. */
  audience: z.string().min(1).optional(),
  /** Which claim holds each attribute of the principal. */
  claims: z.object({
    clearance: z.string().min(1).default('clearance'),
    nationality: z.string().min(1).default('nationality'),
    roles: z.string().min(1).default('roles'),
    user_id: z.string().min(1).default('sub'),
    name: z.string().min(1).default('name'),
  }).strict().default({ clearance: 'clearance', nationality: 'nationality', roles: 'roles', user_id: 'sub', name: 'name' }),
  /** Roles for a principal whose token carries no roles claim at all. */
  default_roles: z.array(z.string().regex(ID)).default([]),
  algorithms: z.array(z.string().min(1)).min(1).default([...DEFAULT_ALGORITHMS]),
  /**
   * The `typ` an API caller's access token must carry (RFC 9068: at+jwt), so an ID token is never
   * taken for one. null accepts any typ: only for providers that cannot issue RFC 9068 tokens, and
   * only with an `audience` that differs from the client id (an ID token's audience).
   */
  access_token_typ: z.string().min(1).nullable().default(RFC9068_ACCESS_TOKEN_TYPE),
  clock_tolerance_seconds: z.number().int().min(0).max(300).default(30),
  /**
   * A token with `auth_time` but no `amr`: false (the default) counts it as no MFA, since nothing
   * says a second factor was used; true trusts the provider's own sign-in policy to have required
   * one. Set it only for a provider that enforces MFA and never sends `amr`.
   */
  mfa_without_amr: z.boolean().default(false),
  session: z.object({
    idle_minutes: z.number().int().min(1).max(24 * 60).default(30),
    absolute_hours: z.number().int().min(1).max(7 * 24).default(8),
  }).strict().default({ idle_minutes: 30, absolute_hours: 8 }),
}).strict().superRefine((c, ctx) => {
  if (c.access_token_typ === null && (c.audience ?? c.client_id) === c.client_id) {
    ctx.addIssue({ code: 'custom', path: ['audience'], message: 'with access_token_typ: null, set an audience other than the client id, or ID tokens would pass as access tokens' });
  }
});

export type OidcConfig = z.infer<typeof oidcConfigSchema>;

/** How an OIDC principal authenticated. The lead widens Principal['auth'] to include it. */
export interface OidcAuth {
  method: 'oidc';
  issuer: string;
  subject: string;
  /** Seconds since the epoch of the last multi-factor authentication (see mfaAtOf). */
  mfaAt?: number;
}

/** RFC 8176 methods that are a possession or inherence factor, i.e. more than a password. */
const SECOND_FACTORS = new Set(['otp', 'hwk', 'swk', 'sc', 'sms', 'tel', 'fpt', 'face', 'iris', 'retina', 'vbm', 'pop']);

/**
 * When the token says the user last completed MFA: its `auth_time` (OIDC Core 2), taken as
 * multi-factor when the provider says so in `amr` (RFC 8176: `mfa`, or a second factor among
 * several methods), or, only with `mfaWithoutAmr`, when it sends no `amr` at all. An `amr` naming
 * only single factors, a missing `amr` otherwise, an absent or malformed `auth_time`, or one beyond
 * the clock tolerance in the future gives undefined: MFA age unknown, which policy treats as no
 * MFA (fail closed).
 */
export function mfaAtOf(payload: JWTPayload, nowMs: number, options: { toleranceSeconds: number; mfaWithoutAmr: boolean }): number | undefined {
  const authTime = payload.auth_time;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime) || authTime <= 0) return undefined;
  if (authTime > nowMs / 1000 + options.toleranceSeconds) return undefined;
  const amr = payload.amr;
  if (amr === undefined) return options.mfaWithoutAmr ? Math.floor(authTime) : undefined;
  if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) return undefined;
  const multi = amr.includes('mfa') || (new Set(amr).size >= 2 && amr.some((m) => SECOND_FACTORS.has(m)));
  return multi ? Math.floor(authTime) : undefined;
}

export type ClaimsResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'no_user_id' | 'no_clearance' | 'invalid_clearance' | 'invalid_nationality' | 'invalid_roles' };

const metadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: httpsOrLoopback,
  token_endpoint: httpsOrLoopback,
  jwks_uri: httpsOrLoopback,
  userinfo_endpoint: httpsOrLoopback.optional(),
  end_session_endpoint: httpsOrLoopback.optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type OidcMetadata = z.infer<typeof metadataSchema>;

const tokenResponseSchema = z.object({
  id_token: z.string().min(1),
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().optional(),
});

/**
 * Maps verified claims to a principal. A missing or unparseable clearance refuses the principal:
 * it is never defaulted, so a misconfigured provider cannot grant anything.
 */
export function principalFromClaims(config: OidcConfig, payload: JWTPayload, nowMs = Date.now()): ClaimsResult {
  const c = config.claims;
  const userId = payload[c.user_id];
  if (typeof userId !== 'string' || !ID.test(userId)) return { ok: false, reason: 'no_user_id' };
  const clearanceText = payload[c.clearance];
  if (typeof clearanceText !== 'string' || clearanceText.length === 0) return { ok: false, reason: 'no_clearance' };
  if (clearanceText.length > MARKING_MAX_LENGTH) return { ok: false, reason: 'invalid_clearance' };
  const parsed = tryParseMarking(clearanceText);
  if (!parsed.ok) return { ok: false, reason: 'invalid_clearance' };
  const nationality = payload[c.nationality];
  if (typeof nationality !== 'string' || !COUNTRY.test(nationality)) return { ok: false, reason: 'invalid_nationality' };
  const rawRoles = payload[c.roles];
  let roles: string[];
  if (rawRoles === undefined) roles = [...config.default_roles];
  else if (typeof rawRoles === 'string') roles = rawRoles.split(/[\s,]+/).filter((r) => r.length > 0);
  else if (Array.isArray(rawRoles) && rawRoles.every((r) => typeof r === 'string')) roles = rawRoles as string[];
  else return { ok: false, reason: 'invalid_roles' };
  if (!roles.every((r) => ID.test(r))) return { ok: false, reason: 'invalid_roles' };
  const rawName = payload[c.name] ?? payload.preferred_username;
  const name = typeof rawName === 'string' && rawName.length > 0 && rawName.length <= 200 ? rawName : userId;
  const mfaAt = mfaAtOf(payload, nowMs, { toleranceSeconds: config.clock_tolerance_seconds, mfaWithoutAmr: config.mfa_without_amr });
  const auth: OidcAuth = { method: 'oidc', issuer: String(payload.iss), subject: String(payload.sub), ...(mfaAt !== undefined ? { mfaAt } : {}) };
  return {
    ok: true,
    principal: Object.freeze({
      id: userId, name, clearance: parsed.label, clearanceText, nationality, roles: Object.freeze([...new Set(roles)]),
      auth,
    }),
  };
}

/** A PKCE pair (RFC 7636 section 4.1-4.2): a 256-bit verifier and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomToken(32);
  return { verifier, challenge: Buffer.from(sha256(verifier)).toString('base64url') };
}

export interface OidcClient {
  readonly config: OidcConfig;
  /** Fetches and caches the provider's metadata; its `issuer` must equal the configured one exactly. */
  discover(): Promise<OidcMetadata>;
  /** The URL to send the browser to. */
  /** `fresh`: the provider must authenticate the user again now (a new auth_time), as for a stale MFA. */
  authorizationUrl(input: { state: string; nonce: string; challenge: string; redirectUri: string; fresh?: boolean }): Promise<string>;
  /** Redeems a code, verifies the ID token (signature, issuer, audience, nonce) and maps its claims. */
  finishLogin(input: { code: string; verifier: string; nonce: string; redirectUri: string }): Promise<ClaimsResult>;
  /** An API caller's RFC 9068 access token as a principal; undefined for anything not valid. */
  verifyAccessToken(token: string): Promise<Principal | undefined>;
  /** The provider's sign-out URL, when it has one. */
  endSessionUrl(postLogoutRedirectUri: string): Promise<string | undefined>;
}

/** Errors while talking to the provider (unreachable, malformed answers); never a token's content. */
export class OidcError extends Error {
  override readonly name = 'OidcError';
  constructor(readonly code: 'DISCOVERY_FAILED' | 'TOKEN_EXCHANGE_FAILED' | 'ID_TOKEN_INVALID', message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${new URL(url).origin}`);
  return res.json();
}

/**
 * Builds a client for one provider. Discovery is lazy, so the gateway starts while the provider
 * is down; the console then says sign-in is unavailable.
 * @example const oidc = createOidcVerifier(oidcConfigSchema.parse(config.oidc)); await oidc.verifyAccessToken(token)
 */
export function createOidcVerifier(config: OidcConfig, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): OidcClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secret = config.client_secret_env ? (options.env ?? process.env)[config.client_secret_env] : undefined;
  if (config.client_secret_env && !secret) throw new OidcError('DISCOVERY_FAILED', `environment variable ${config.client_secret_env} is not set`);
  let cached: Promise<{ meta: OidcMetadata; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;

  const load = () => {
    cached ??= (async () => {
      const url = `${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      let meta: OidcMetadata;
      try {
        meta = metadataSchema.parse(await fetchJson(url, {}, timeoutMs));
      } catch (err) {
        throw new OidcError('DISCOVERY_FAILED', `OpenID discovery at ${url} failed`, { cause: err });
      }
      // OpenID Connect Discovery 1.0 section 4.3: the issuer must match exactly.
      if (meta.issuer !== config.issuer) throw new OidcError('DISCOVERY_FAILED', `provider says issuer "${meta.issuer}", configured "${config.issuer}"`);
      if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) {
        throw new OidcError('DISCOVERY_FAILED', 'provider does not support PKCE S256');
      }
      return { meta, jwks: createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: timeoutMs }) };
    })();
    // A failed discovery is retried on the next call rather than cached.
    cached.catch(() => { cached = undefined; });
    return cached;
  };
  const verifyOptions = { issuer: config.issuer, algorithms: config.algorithms, clockTolerance: config.clock_tolerance_seconds };

  return {
    config,
    async discover() {
      return (await load()).meta;
    },
    async authorizationUrl({ state, nonce, challenge, redirectUri, fresh = false }) {
      const { meta } = await load();
      const url = new URL(meta.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code', client_id: config.client_id, redirect_uri: redirectUri, scope: config.scopes.join(' '),
        state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
        // OIDC Core 3.1.2.1: with max_age the ID token must carry auth_time, which policy reads as
        // the MFA time (mfaAtOf). A console session never outlives this, so it rarely forces a new sign-in.
        // fresh: max_age=0 and prompt=login (OIDC Core 3.1.2.1) make the provider sign the user in again.
        max_age: fresh ? '0' : String(config.session.absolute_hours * 3600),
        ...(fresh ? { prompt: 'login' } : {}),
      }).toString();
      return url.toString();
    },
    async finishLogin({ code, verifier, nonce, redirectUri }) {
      const { meta, jwks } = await load();
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: config.client_id });
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      if (secret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(config.client_id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      let tokens: z.infer<typeof tokenResponseSchema>;
      try {
        tokens = tokenResponseSchema.parse(await fetchJson(meta.token_endpoint, { method: 'POST', headers, body }, timeoutMs));
      } catch (err) {
        throw new OidcError('TOKEN_EXCHANGE_FAILED', 'the provider refused the authorization code', { cause: err });
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(tokens.id_token, jwks, { ...verifyOptions, audience: config.client_id, requiredClaims: ['sub', 'nonce'] }));
      } catch (err) {
        throw new OidcError('ID_TOKEN_INVALID', 'the ID token did not verify', { cause: err });
      }
      // OIDC Core 3.1.3.7: nonce binds the token to this login; azp names us when there are several audiences.
      if (payload.nonce !== nonce) throw new OidcError('ID_TOKEN_INVALID', 'the ID token nonce does not match');
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== config.client_id) throw new OidcError('ID_TOKEN_INVALID', 'the ID token azp is not this client');
      let claims: JWTPayload = payload;
      if (payload[config.claims.clearance] === undefined && meta.userinfo_endpoint) {
        const info = await fetchJson(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } }, timeoutMs)
          .catch(() => undefined) as JWTPayload | undefined;
        // OIDC Core 5.3.2: userinfo must be about the same subject, or it is ignored.
        // When the user authenticated, and how, is taken from the signed ID token only.
        if (info && typeof info === 'object' && info.sub === payload.sub) {
          const { auth_time: _authTime, amr: _amr, ...attributes } = info;
          claims = { ...attributes, ...payload };
        }
      }
      return principalFromClaims(config, claims);
    },
    async verifyAccessToken(token) {
      let payload: JWTPayload;
      try {
        const { jwks } = await load();
        ({ payload } = await jwtVerify(token, jwks, { ...verifyOptions, audience: config.audience ?? config.client_id, ...(config.access_token_typ ? { typ: config.access_token_typ } : {}), requiredClaims: ['sub', 'exp'] }));
      } catch (err) {
        if (err instanceof joseErrors.JOSEError || err instanceof OidcError) return undefined;
        throw err;
      }
      const mapped = principalFromClaims(config, payload);
      return mapped.ok ? mapped.principal : undefined;
    },
    async endSessionUrl(postLogoutRedirectUri) {
      const meta = await load().then((l) => l.meta, () => undefined);
      if (!meta?.end_session_endpoint) return undefined;
      const url = new URL(meta.end_session_endpoint);
      url.search = new URLSearchParams({ client_id: config.client_id, post_logout_redirect_uri: postLogoutRedirectUri }).toString();
      return url.toString();
    },
  };
}
