/** OIDC against a real provider (oidc-provider on loopback): PKCE login, ID and access tokens, claim mapping. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { createOidcVerifier, createPkcePair, oidcConfigSchema, principalFromClaims, type OidcClient } from './oidc.ts';
import { authorizeByHttp, OIDC_AUDIENCE, OIDC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../../test/support/oidc.ts';

const REDIRECT = 'http://127.0.0.1:9/console/auth/callback';

describe('oidc', () => {
  let idp: TestOidcProvider;
  let client: OidcClient;

  before(async () => {
    idp = await startOidcProvider([
      { id: 'ana', name: 'Ana Analyst', clearance: 'SECRET//NOFORN', nationality: 'USA', roles: ['analyst'] },
      { id: 'nocl', name: 'No Clearance', nationality: 'USA', roles: ['analyst'] },
      { id: 'badcl', name: 'Bad Clearance', clearance: 'ULTRA SECRET', nationality: 'USA' },
    ]);
    await idp.configure([REDIRECT]);
    // The test provider sends auth_time but no amr, as the demo's does: trusted here so that the
    // auth_time round trip is tested; without the option such a token carries no MFA (unit test below).
    client = createOidcVerifier(oidcConfigSchema.parse({ issuer: idp.issuer, client_id: OIDC_CLIENT_ID, audience: OIDC_AUDIENCE, default_roles: ['reader'], mfa_without_amr: true }));
  });
  after(async () => idp.close());

  /** Runs the authorization code flow and returns the code and state the callback would get. */
  async function authorize(login: string, challenge: string, state = 'state-1', nonce = 'nonce-1') {
    const url = await client.authorizationUrl({ state, nonce, challenge, redirectUri: REDIRECT });
    const back = new URL(await authorizeByHttp(url, login, (u) => u.startsWith(REDIRECT)));
    return { code: back.searchParams.get('code')!, state: back.searchParams.get('state') };
  }

  async function tokensFor(login: string): Promise<{ access_token: string; id_token: string }> {
    const pkce = createPkcePair();
    const { code } = await authorize(login, pkce.challenge);
    const meta = await client.discover();
    const res = await fetch(meta.token_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkce.verifier, client_id: OIDC_CLIENT_ID }),
    });
    assert.equal(res.status, 200);
    return await res.json() as { access_token: string; id_token: string };
  }

  describe('sign-in with PKCE', () => {
    it('maps the ID token claims to a principal', async () => {
      const pkce = createPkcePair();
      const { code, state } = await authorize('ana', pkce.challenge);
      assert.equal(state, 'state-1');
      const result = await client.finishLogin({ code, verifier: pkce.verifier, nonce: 'nonce-1', redirectUri: REDIRECT });
      assert.ok(result.ok);
      assert.equal(result.principal.id, 'ana');
      assert.equal(result.principal.name, 'Ana Analyst');
      assert.equal(result.principal.clearanceText, 'SECRET//NOFORN');
      assert.equal(result.principal.nationality, 'USA');
      assert.deepEqual(result.principal.roles, ['analyst']);
      // max_age makes the provider say when the user signed in: policy reads it as the MFA time.
      assert.equal(result.principal.auth.method, 'oidc');
      const mfaAt = result.principal.auth.method === 'oidc' ? result.principal.auth.mfaAt : undefined;
      assert.ok(mfaAt !== undefined && Math.abs(mfaAt - Date.now() / 1000) < 60, `auth_time ${mfaAt}`);
    });

    it('fails when the code verifier does not match the challenge', async () => {
      const { code } = await authorize('ana', createPkcePair().challenge);
      await assert.rejects(client.finishLogin({ code, verifier: createPkcePair().verifier, nonce: 'nonce-1', redirectUri: REDIRECT }), { code: 'TOKEN_EXCHANGE_FAILED' });
    });

    it('fails when the nonce is not the one this login sent', async () => {
      const pkce = createPkcePair();
      const { code } = await authorize('ana', pkce.challenge, 's', 'nonce-A');
      await assert.rejects(client.finishLogin({ code, verifier: pkce.verifier, nonce: 'nonce-B', redirectUri: REDIRECT }), { code: 'ID_TOKEN_INVALID' });
    });

    it('refuses a user whose clearance claim is missing or not a marking', async () => {
      for (const [login, reason] of [['nocl', 'no_clearance'], ['badcl', 'invalid_clearance']] as const) {
        const pkce = createPkcePair();
        const { code } = await authorize(login, pkce.challenge);
        assert.deepEqual(await client.finishLogin({ code, verifier: pkce.verifier, nonce: 'nonce-1', redirectUri: REDIRECT }), { ok: false, reason });
      }
    });
  });

  describe('verifyAccessToken', () => {
    it('accepts the provider\'s RFC 9068 access token', async () => {
      const { access_token } = await tokensFor('ana');
      const p = await client.verifyAccessToken(access_token);
      assert.equal(p?.id, 'ana');
      assert.equal(p?.clearanceText, 'SECRET//NOFORN');
    });

    it('refuses an ID token presented as an access token', async () => {
      const { id_token } = await tokensFor('ana');
      assert.equal(await client.verifyAccessToken(id_token), undefined);
    });

    it('refuses a token signed by another key, and garbage', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ clearance: 'TOP SECRET', nationality: 'USA' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'test-rs256' })
        .setIssuer(idp.issuer).setAudience(OIDC_AUDIENCE).setSubject('ana').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      assert.equal(await client.verifyAccessToken(forged), undefined);
      assert.equal(await client.verifyAccessToken('not.a.jwt'), undefined);
    });

    it('refuses a token for another audience', async () => {
      const other = createOidcVerifier(oidcConfigSchema.parse({ issuer: idp.issuer, client_id: OIDC_CLIENT_ID, audience: 'urn:other' }));
      const { access_token } = await tokensFor('ana');
      assert.equal(await other.verifyAccessToken(access_token), undefined);
    });
  });

  describe('principalFromClaims', () => {
    const config = oidcConfigSchema.parse({ issuer: 'https://idp.example.mil', client_id: 'c', default_roles: ['reader'], claims: { clearance: 'clr', user_id: 'upn' } });
    it('uses the configured claim names and default roles', () => {
      const r = principalFromClaims(config, { iss: 'https://idp.example.mil', sub: 'x', upn: 'jdoe', clr: 'TOP SECRET//SI', nationality: 'GBR' });
      assert.ok(r.ok);
      assert.equal(r.principal.id, 'jdoe');
      assert.deepEqual(r.principal.roles, ['reader']);
    });
    it('refuses malformed nationality and roles rather than guessing', () => {
      assert.deepEqual(principalFromClaims(config, { upn: 'j', clr: 'SECRET', nationality: 'us' }), { ok: false, reason: 'invalid_nationality' });
      assert.deepEqual(principalFromClaims(config, { upn: 'j', clr: 'SECRET', nationality: 'USA', roles: [1] }), { ok: false, reason: 'invalid_roles' });
      assert.deepEqual(principalFromClaims(config, { upn: 'j', clr: { level: 'SECRET' }, nationality: 'USA' }), { ok: false, reason: 'no_clearance' });
    });
    it('keeps the time of a multi-factor sign-in (auth_time), unless amr says it was single-factor', () => {
      const now = 1_800_000_000_000;
      const at = now / 1000 - 120;
      const mfaAt = (claims: Record<string, unknown>) => {
        const r = principalFromClaims(config, { upn: 'j', clr: 'SECRET', nationality: 'USA', ...claims }, now);
        assert.ok(r.ok);
        return r.principal.auth.method === 'oidc' ? r.principal.auth.mfaAt : 'not oidc';
      };
      assert.equal(mfaAt({ auth_time: at }), undefined, 'no amr: nothing says a second factor was used');
      assert.equal(mfaAt({ auth_time: at, amr: ['pwd', 'mfa'] }), at);
      assert.equal(mfaAt({ auth_time: at, amr: ['pwd', 'otp'] }), at);
      assert.equal(mfaAt({ auth_time: at, amr: ['pwd'] }), undefined);
      assert.equal(mfaAt({ auth_time: at, amr: 'mfa' }), undefined, 'a malformed amr counts for nothing');
      assert.equal(mfaAt({}), undefined);
      assert.equal(mfaAt({ auth_time: String(at) }), undefined);
      assert.equal(mfaAt({ auth_time: now / 1000 + 3600 }), undefined, 'an hour in the future is not believed');
    });
    it('trusts a token without amr as multi-factor only when mfa_without_amr says the provider enforces it', () => {
      const now = 1_800_000_000_000;
      const at = now / 1000 - 120;
      const trusting = oidcConfigSchema.parse({ ...config, mfa_without_amr: true });
      const mfaAt = (claims: Record<string, unknown>) => {
        const r = principalFromClaims(trusting, { upn: 'j', clr: 'SECRET', nationality: 'USA', ...claims }, now);
        assert.ok(r.ok);
        return r.principal.auth.method === 'oidc' ? r.principal.auth.mfaAt : 'not oidc';
      };
      assert.equal(mfaAt({ auth_time: at }), at);
      assert.equal(mfaAt({ auth_time: at, amr: ['pwd'] }), undefined, 'an amr that names one factor still wins');
      assert.equal(mfaAt({ auth_time: at, amr: null }), undefined, 'a malformed amr is not an absent one');
    });
  });

  describe('oidcConfigSchema', () => {
    it('refuses a plain-http issuer off loopback', () => {
      assert.equal(oidcConfigSchema.safeParse({ issuer: 'http://idp.example.mil', client_id: 'c' }).success, false);
      assert.equal(oidcConfigSchema.safeParse({ issuer: 'http://127.0.0.1:4000', client_id: 'c' }).success, true);
    });
  });
});
