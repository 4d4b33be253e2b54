/**
 * The /v1 API with OIDC access tokens instead of API keys, over real HTTP against `startGateway`
 * and a real OpenID provider (oidc-provider on loopback) issuing RFC 9068 access tokens: accepted
 * on /v1/models and /v1/chat/completions; refused with the same 401 as a revoked API key when the
 * user is disabled on the gateway, the token has expired, names another audience, is an ID token,
 * or was signed by a key the provider does not publish.
 */
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { createOidcVerifier, createPkcePair, oidcConfigSchema, revokeApiKey, type OidcClient } from '../identity/index.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';
import { authorizeByHttp, OIDC_AUDIENCE, OIDC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../../test/support/oidc.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const MODELS = `
models:
  - { id: quotes, backend: extractive, accredited: UNCLASSIFIED }
  - { id: analysts-only, backend: extractive, accredited: UNCLASSIFIED, roles: [analyst] }
console: { enabled: false }
`;

interface ApiError { error: { message: string; type: string; code: string; param: null; enclave: { request_id: string; rule: string } } }

describe('/v1 with OIDC access tokens', () => {
  let idp: TestOidcProvider;
  let client: OidcClient;
  let gw: TestGateway;
  let otherAudience: TestGateway;

  const oidcYaml = (audience: string) => `oidc: { issuer: "${idp.issuer}", client_id: ${OIDC_CLIENT_ID}, audience: "${audience}" }\n`;

  before(async () => {
    idp = await startOidcProvider([
      { id: 'ana', name: 'Ana Analyst', clearance: 'SECRET', nationality: 'USA', roles: ['analyst'] },
      { id: 'eve', name: 'Eve Engineer', clearance: 'SECRET', nationality: 'USA', roles: ['engineer'] },
      { id: 'dora', name: 'Dora Disabled', clearance: 'SECRET', nationality: 'USA', roles: ['analyst'] },
    ]);
    await idp.configure([REDIRECT]);
    client = createOidcVerifier(oidcConfigSchema.parse({ issuer: idp.issuer, client_id: OIDC_CLIENT_ID, audience: OIDC_AUDIENCE }));
    gw = await startTestGateway(MODELS + oidcYaml(OIDC_AUDIENCE));
    otherAudience = await startTestGateway(MODELS + oidcYaml('urn:enclave:another-gateway'));
  });
  after(async () => {
    mock.timers.reset();
    await gw?.close();
    await otherAudience?.close();
    await idp?.close();
  });

  /** The provider's tokens for `login`, by the authorization code flow with PKCE. */
  async function tokensFor(login: string): Promise<{ access_token: string; id_token: string }> {
    const pkce = createPkcePair();
    const url = await client.authorizationUrl({ state: 's', nonce: 'n', challenge: pkce.challenge, redirectUri: REDIRECT });
    const code = new URL(await authorizeByHttp(url, login, (u) => u.startsWith(REDIRECT))).searchParams.get('code')!;
    const res = await fetch((await client.discover()).token_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkce.verifier, client_id: OIDC_CLIENT_ID }),
    });
    assert.equal(res.status, 200);
    return await res.json() as { access_token: string; id_token: string };
  }

  const models = (base: string, token: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
  const chat = (base: string, token: string) => fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'quotes', messages: [{ role: 'user', content: 'hello' }] }),
  });

  /** Both endpoints answer 401 in the OpenAI error shape, exactly as they do to a revoked API key. */
  async function assertRefused(base: string, token: string, why: string): Promise<void> {
    const revoked = (await createApiKeyRevoked()).key;
    for (const call of [models, chat]) {
      const res = await call(base, token);
      assert.equal(res.status, 401, `${why}: ${call === models ? 'GET /v1/models' : 'POST /v1/chat/completions'}`);
      const body = await res.json() as ApiError;
      assert.equal(body.error.enclave.rule, 'auth.oidc', why);
      assert.match(body.error.enclave.request_id, /^req_/);
      const asRevoked = await (await call(base, revoked)).json() as ApiError;
      const { enclave: _a, ...shape } = body.error;
      const { enclave: _b, ...revokedShape } = asRevoked.error;
      assert.deepEqual(shape, revokedShape, `${why}: the same answer as a revoked API key`);
      assert.deepEqual(shape, { message: 'Incorrect, revoked, expired or malformed credentials.', type: 'authentication_error', code: 'invalid_api_key', param: null });
    }
  }

  let revokedKey: { key: string } | undefined;
  async function createApiKeyRevoked(): Promise<{ key: string }> {
    if (revokedKey) return revokedKey;
    const key = gw.keys.alice!;
    const res = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, 'the key works before it is revoked');
    assert.ok(await revokeApiKey(gw.gateway.deps.store.identities, key.slice(4, 16)));
    revokedKey = { key };
    return revokedKey;
  }

  it('accepts an access token on GET /v1/models, with the roles its claims carry', async () => {
    const ana = (await tokensFor('ana')).access_token;
    const res = await models(gw.url, ana);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort(), ['analysts-only', 'quotes']);
    const eve = await models(gw.url, (await tokensFor('eve')).access_token);
    assert.deepEqual(((await eve.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id), ['quotes']);
  });

  it('accepts an access token on POST /v1/chat/completions, and audits the request as its user', async () => {
    const res = await chat(gw.url, (await tokensFor('ana')).access_token);
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as { object: string; choices: unknown[]; enclave: { audit_ref?: string } };
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices.length, 1);
    const index = Number(/^audit:(\d+)$/.exec(body.enclave.audit_ref ?? '')?.[1]);
    assert.ok(Number.isSafeInteger(index), `audit ref ${body.enclave.audit_ref}`);
    let actor: unknown;
    for await (const page of gw.gateway.audit.readEntries(index, index + 1)) actor = (JSON.parse(page[0]!.data) as { actor: unknown }).actor;
    assert.equal(actor, 'ana');
  });

  it('refuses the token of a user disabled on the gateway, and accepts it again once re-enabled', async () => {
    const dora = (await tokensFor('dora')).access_token;
    assert.equal((await models(gw.url, dora)).status, 200, 'valid before the user is disabled');
    const users = gw.gateway.deps.store.identities;
    const record = { id: 'dora', name: 'Dora Disabled', clearance: 'SECRET', nationality: 'USA', roles: ['analyst'], updatedAt: new Date().toISOString() };
    await users.upsertUser({ ...record, disabled: true });
    try {
      await assertRefused(gw.url, dora, 'disabled user');
    } finally {
      await users.upsertUser({ ...record, disabled: false });
    }
    assert.equal((await models(gw.url, dora)).status, 200, 'valid again once re-enabled');
  });

  it('refuses an expired token (600 s lifetime, 30 s clock tolerance)', async () => {
    const ana = (await tokensFor('ana')).access_token;
    const issued = Date.now();
    try {
      mock.timers.enable({ apis: ['Date'], now: issued + 9 * 60_000 });
      assert.equal((await models(gw.url, ana)).status, 200, 'still valid after 9 minutes');
      mock.timers.setTime(issued + 11 * 60_000);
      await assertRefused(gw.url, ana, 'expired token');
    } finally {
      mock.timers.reset();
    }
  });

  it('refuses a token issued for another audience', async () => {
    const ana = (await tokensFor('ana')).access_token;
    assert.equal((await models(gw.url, ana)).status, 200, `valid where the audience is ${OIDC_AUDIENCE}`);
    const res = await models(otherAudience.url, ana);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as ApiError).error.enclave.rule, 'auth.oidc');
    assert.equal((await chat(otherAudience.url, ana)).status, 401);
  });

  it('refuses an ID token presented as an access token', async () => {
    await assertRefused(gw.url, (await tokensFor('ana')).id_token, 'ID token');
  });

  it('refuses a token signed by another key, even with the provider\'s issuer, audience and key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ clearance: 'TOP SECRET', nationality: 'USA', roles: ['analyst'], client_id: OIDC_CLIENT_ID })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'test-rs256' })
      .setIssuer(idp.issuer).setAudience(OIDC_AUDIENCE).setSubject('ana').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await assertRefused(gw.url, forged, 'forged token');
    await assertRefused(gw.url, 'not.a.jwt', 'garbage');
  });
});
