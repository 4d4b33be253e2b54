/**
 * The console over HTTP (no browser): sign-in against a real OpenID provider (and when it is down),
 * sessions, CSRF, headers, Ask, approvals, the audit API checked with the page's own verification
 * code, and rate limits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testTools } from '../../test/support/approvals.ts';
import { SECRET_TITLE, startConsoleGateway, type ConsoleGateway } from '../../test/support/console.ts';
import { signInByHttp } from '../../test/support/oidc.ts';
import { verifyCheckpointSignatures } from './web/checkpoint.ts';
import { checkInclusion, type InclusionProof } from './web/inclusion.ts';

interface Session { cookie: string; csrf: string }

describe('console', () => {
  let gw: ConsoleGateway;
  const sessions = new Map<string, Session>();

  // The tool's endpoint is never called: the held requests here are rejected or left pending.
  before(async () => { gw = await startConsoleGateway({ tools: testTools(() => 'http://127.0.0.1:9/never-called') }); });
  after(async () => gw?.close());

  async function signIn(user: string): Promise<Session> {
    const cached = sessions.get(user);
    if (cached) return cached;
    const { cookie, status } = await signInByHttp(gw.url, user);
    assert.equal(status, 303);
    const res = await fetch(`${gw.url}/console/api/session`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const s = { cookie, csrf: ((await res.json()) as { csrf_token: string }).csrf_token };
    sessions.set(user, s);
    return s;
  }

  async function ask(s: Session, question: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${gw.url}/console/api/ask`, {
      method: 'POST', body: JSON.stringify({ question }),
      headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf, ...headers },
    });
  }

  describe('sign-in', () => {
    it('redirects a visitor without a session to the provider with PKCE S256', async () => {
      const res = await fetch(`${gw.url}/console/ask`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/console/auth/login?return_to=%2Fconsole%2Fask');
      const login = await fetch(`${gw.url}/console/auth/login`, { redirect: 'manual' });
      const to = new URL(login.headers.get('location')!);
      assert.equal(to.origin, gw.idp.issuer);
      assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
      assert.match(to.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(login.headers.get('set-cookie') ?? '', /enclave_login=.*HttpOnly.*SameSite=Lax/i);
    });

    it('sets an HttpOnly SameSite session cookie and returns to the page asked for', async () => {
      const { cookie, location } = await signInByHttp(gw.url, 'ana', '/console/status');
      assert.equal(location, '/console/status');
      assert.match(cookie, /enclave_session=[A-Za-z0-9_-]{43}/);
      const me = await (await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).json() as { user: { id: string; clearance: string }; banner: string };
      assert.equal(me.user.id, 'ana');
      assert.equal(me.banner, 'TOP SECRET//SI/TK');
    });

    it('refuses a user whose clearance claim is missing, and starts no session', async () => {
      const { status, cookie } = await signInByHttp(gw.url, 'noclear').catch(() => ({ status: 0, cookie: '' }));
      assert.equal(status, 403);
      assert.doesNotMatch(cookie, /enclave_session=/);
    });

    it('shows "Sign-in unavailable" (503, no login started) when the identity provider cannot be reached', async () => {
      const down = await startConsoleGateway();
      try {
        await down.idp.close();
        const res = await fetch(`${down.url}/console/auth/login?return_to=%2Fconsole%2Faudit`, { redirect: 'manual' });
        assert.equal(res.status, 503);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.equal(res.headers.get('location'), null);
        assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /enclave_login=/, 'no login is started');
        assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
        const html = await res.text();
        assert.match(html, /<title>Sign-in unavailable · Enclave<\/title>/);
        assert.match(html, /<h1>Sign-in unavailable<\/h1>/);
        assert.match(html, /identity provider cannot be reached[^<]*API keys still work/);
        // A page still sends the visitor to sign in, and the answer there stays clear.
        const page = await fetch(`${down.url}/console/approvals`, { redirect: 'manual' });
        assert.equal(page.status, 302);
        assert.equal((await fetch(`${down.url}${page.headers.get('location')}`, { redirect: 'manual' })).status, 503);
      } finally {
        await down.close();
      }
    });

    it('refuses a callback whose state was not started in this browser', async () => {
      const login = await fetch(`${gw.url}/console/auth/login`, { redirect: 'manual' });
      const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
      const res = await fetch(`${gw.url}/console/auth/callback?code=x&state=${state}`, { redirect: 'manual' });
      assert.equal(res.status, 400);
    });
  });

  describe('sessions and CSRF', () => {
    it('refuses a state-changing request without the CSRF token, or from another origin', async () => {
      const s = await signIn('ana');
      assert.equal((await ask({ ...s, csrf: '' }, 'harbour')).status, 403);
      assert.equal((await ask({ ...s, csrf: 'x'.repeat(43) }, 'harbour')).status, 403);
      assert.equal((await ask(s, 'harbour', { origin: 'http://evil.example' })).status, 403);
    });

    it('answers 401 to the API without a session or with an unknown cookie', async () => {
      assert.equal((await fetch(`${gw.url}/console/api/session`)).status, 401);
      assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie: `enclave_session=${'A'.repeat(43)}` } })).status, 401);
    });

    it('ends a signed-in session once the user is disabled on the gateway', async () => {
      const { cookie } = await signInByHttp(gw.url, 'uma');
      assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).status, 200);
      const users = gw.deps.store.identities;
      const record = (await users.getUser('uma'))!;
      await users.upsertUser({ ...record, disabled: true });
      try {
        assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).status, 401);
      } finally {
        await users.upsertUser({ ...record, disabled: false });
      }
      // The session itself is gone: re-enabling the user does not bring it back.
      assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).status, 401);
    });

    it('ends the session on sign-out', async () => {
      const { cookie } = await signInByHttp(gw.url, 'uma');
      const csrf = ((await (await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).json()) as { csrf_token: string }).csrf_token;
      const out = await fetch(`${gw.url}/console/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
      assert.equal(out.status, 200);
      assert.equal((await fetch(`${gw.url}/console/api/session`, { headers: { cookie } })).status, 401);
    });
  });

  describe('security headers', () => {
    it('sends a CSP without inline script, frame denial, no HSTS without TLS', async () => {
      const s = await signIn('ana');
      const res = await fetch(`${gw.url}/console/ask`, { headers: { cookie: s.cookie } });
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('strict-transport-security'), null);
      const html = await res.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script element');
      assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler');
    });

    it('serves every asset from this origin', async () => {
      const s = await signIn('ana');
      const html = await (await fetch(`${gw.url}/console/ask`, { headers: { cookie: s.cookie } })).text();
      const refs = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!);
      assert.ok(refs.length > 0);
      for (const r of refs) assert.ok(r.startsWith('/') && !r.startsWith('//'), `local reference: ${r}`);
      for (const r of refs.filter((x) => x.startsWith('/console/assets/'))) assert.equal((await fetch(`${gw.url}${r}`)).status, 200);
    });
  });

  describe('ask', () => {
    it('streams a marked answer with citations and portion marks', async () => {
      const res = await ask(await signIn('ana'), 'What is the state of the harbour fuel depot?');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const text = await res.text();
      const events = text.split('\n\n').filter(Boolean).map((b) => ({ event: /^event: (.*)$/m.exec(b)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? 'null') as Record<string, unknown> }));
      assert.equal(events[0]?.event, 'meta');
      assert.equal(events[0]?.data.classification, 'SECRET');
      assert.ok(events.filter((e) => e.event === 'delta').length >= 2, 'streamed in pieces');
      const done = events.find((e) => e.event === 'done')!;
      const citations = done.data.citations as Array<{ portionMark: string; title: string }>;
      assert.ok(citations.some((c) => c.portionMark === '(S)' && c.title === SECRET_TITLE));
      assert.ok(citations.some((c) => c.portionMark === '(U)'));
      assert.match(String(done.data.audit_ref), /^audit:\d+$/);
    });

    it('never sends an UNCLASSIFIED reader a SECRET title, and counts what was withheld', async () => {
      const s = await signIn('uma');
      const text = await (await ask(s, 'What is the state of the harbour fuel depot?')).text();
      assert.ok(!text.includes(SECRET_TITLE));
      assert.ok(!text.includes('NIGHTJAR'));
      assert.match(text, /"classification":"UNCLASSIFIED"/);
      assert.match(text, /"withheld":[1-9]/);
      const corpus = await (await fetch(`${gw.url}/console/api/corpus`, { headers: { cookie: s.cookie } })).text();
      assert.ok(!corpus.includes('NIGHTJAR'));
      assert.match(corpus, /"withheld":1/);
    });

    it('refuses an empty question with a clear message', async () => {
      const res = await ask(await signIn('ana'), '   ');
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /Ask a question/);
    });
  });

  describe('corpus ingestion', () => {
    const ingest = async (s: Session, path: string) => fetch(`${gw.url}/console/api/corpus/ingest`, {
      method: 'POST', body: JSON.stringify({ path }), headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf },
    });

    it('lets an administrator ingest under an allowed root, with progress', async () => {
      const res = await ingest(await signIn('adam'), gw.inboxDir);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /event: progress\ndata: \{"filesDone":1,"filesTotal":1/);
      assert.match(text, /event: done\ndata: \{[^\n]*"documents":1/);
      const corpus = await (await fetch(`${gw.url}/console/api/corpus`, { headers: { cookie: (await signIn('uma')).cookie } })).json() as { documents: Array<{ id: string }> };
      assert.ok(corpus.documents.some((d) => d.id === 'weather-outlook'));
    });

    it('refuses an administrator whose MFA is older than 15 minutes, and a fresh sign-in (prompt=login, max_age=0) lets them ingest', async () => {
      let clock = Date.now();
      const stale = await startConsoleGateway({ now: () => clock });
      try {
        const signInTo = async (fresh: boolean) => {
          const { cookie, status, location } = await signInByHttp(stale.url, 'adam', '/console/corpus', { fresh });
          assert.equal(status, 303);
          assert.equal(location, '/console/corpus');
          const csrf = ((await (await fetch(`${stale.url}/console/api/session`, { headers: { cookie } })).json()) as { csrf_token: string }).csrf_token;
          return { cookie, csrf };
        };
        const post = (s: Session) => fetch(`${stale.url}/console/api/corpus/ingest`, {
          method: 'POST', body: JSON.stringify({ path: stale.inboxDir }), headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf },
        });
        const adam = await signInTo(false);
        clock += 16 * 60_000;
        const refused = await post(adam);
        assert.equal(refused.status, 403);
        const body = (await refused.json()) as { error: { code: string; rule: string; reauth: string } };
        assert.equal(body.error.code, 'mfa_required');
        assert.equal(body.error.rule, 'invariant.admin_mfa');
        assert.equal(body.error.reauth, '/console/auth/login?fresh=1&return_to=/console/corpus');

        const login = await fetch(`${stale.url}${body.error.reauth}`, { redirect: 'manual' });
        const to = new URL(login.headers.get('location')!);
        assert.equal(to.searchParams.get('prompt'), 'login');
        assert.equal(to.searchParams.get('max_age'), '0');
        const plain = new URL((await fetch(`${stale.url}/console/auth/login`, { redirect: 'manual' })).headers.get('location')!);
        assert.equal(plain.searchParams.get('prompt'), null, 'an ordinary sign-in does not force re-authentication');

        // The provider's clock is the real one: the fresh sign-in's auth_time is now, so the console's clock comes back to it.
        clock = Date.now();
        const again = await signInTo(true);
        assert.equal((await post(again)).status, 200);
      } finally {
        await stale.close();
      }
    });

    it('refuses a path outside the roots, and anyone who is not an administrator', async () => {
      assert.equal((await ingest(await signIn('adam'), gw.dataDir)).status, 403);
      assert.equal((await ingest(await signIn('adam'), `${gw.inboxDir}/../../corpus`)).status, 403);
      assert.equal((await ingest(await signIn('ana'), gw.inboxDir)).status, 403);
    });
  });

  describe('approvals', () => {
    const decide = (s: Session, id: string, verb: string, body: unknown) => fetch(`${gw.url}/console/api/approvals/${id}/${verb}`, {
      method: 'POST', body: JSON.stringify(body), headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf },
    });

    it('rejects a held request with the approver\'s reason, and refuses a rejection without one', async () => {
      const olga = await gw.principalOf('olga');
      const held = await gw.approvals.requestAction(olga, {
        tool: 'strike', arguments: { target: 'AB1234', rounds: 2 }, justification: 'Counter-battery fire at grid AB1234', requestId: null,
      });
      assert.equal(held.kind, 'held');
      const id = held.kind === 'held' ? held.record.id : '';
      const carol = await signIn('carol');
      const queue = await (await fetch(`${gw.url}/console/api/approvals`, { headers: { cookie: carol.cookie } })).json() as { data: Array<{ id: string }> };
      assert.ok(queue.data.some((a) => a.id === id), 'the request is in Carol\'s queue');

      const blank = await decide(carol, id, 'reject', { reason: '   ' });
      assert.equal(blank.status, 400);
      assert.match(((await blank.json()) as { error: { message: string } }).error.message, /Give a reason/);
      assert.equal((await gw.approvals.get(olga, id))?.status, 'pending', 'nothing changed');

      const reason = 'No positive identification of the launcher';
      const res = await decide(carol, id, 'reject', { reason });
      assert.equal(res.status, 200);
      const body = await res.json() as { status: string; rejection: { by: string; reason: string }; audit_ref: string };
      assert.equal(body.status, 'rejected');
      assert.deepEqual(body.rejection, { by: 'carol', reason });
      assert.match(body.audit_ref, /\S/);
      const stored = await gw.approvals.get(olga, id);
      assert.equal(stored?.status, 'rejected');
      // Once rejected it leaves the queue and cannot be decided again.
      const after = await (await fetch(`${gw.url}/console/api/approvals`, { headers: { cookie: carol.cookie } })).json() as { data: Array<{ id: string }> };
      assert.ok(!after.data.some((a) => a.id === id));
      assert.notEqual((await decide(await signIn('dave'), id, 'reject', { reason: 'again' })).status, 200);
    });
  });

  describe('audit', () => {
    it('publishes the checkpoint with keys the page\'s own code verifies, and a proof it checks against that checkpoint', async () => {
      const s = await signIn('audrey');
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${gw.url}/console/api/audit/${path}`, { headers: { cookie: s.cookie } });
        assert.equal(res.status, 200, path);
        return await res.json() as T;
      };
      const cp = await get<{ origin: string; size: number; note: string; hash: string; public_keys: Array<{ algorithm: string; vkey: string }> }>('checkpoint');
      assert.deepEqual(cp.public_keys.map((k) => k.algorithm).sort(), ['ed25519', 'ml-dsa-87']);
      const check = verifyCheckpointSignatures(cp.note, cp.public_keys.map((k) => k.vkey), { origin: cp.origin, hash: 'SHA-256' });
      assert.ok(check.ok, check.ok ? '' : check.message);
      assert.equal(check.checkpoint.size, cp.size);
      // The log grows past the checkpoint shown, so the proof comes against a newer one.
      for (let i = 0; i < 3; i++) await gw.audit.append({ kind: 'export', actor: 'audrey', action: 'test.grow', requestId: `req_grow_${i}`, details: { i } });
      const proof = await get<InclusionProof>('proof/0');
      assert.ok(proof.size > cp.size, `proof against ${proof.size}, shown ${cp.size}`);
      const result = await checkInclusion(proof, check.checkpoint, 'SHA-256', (from, to) => get(`consistency?from=${from}&to=${to}`));
      assert.ok(result.ok, result.message);
      assert.match(result.message, /checked consistent with the one shown/);
      assert.equal((await fetch(`${gw.url}/console/api/audit/consistency?from=5&to=2`, { headers: { cookie: s.cookie } })).status, 400);
      assert.equal((await fetch(`${gw.url}/console/api/audit/consistency?from=0&to=1`, { headers: { cookie: (await signIn('ana')).cookie } })).status, 403);
    });
  });

  describe('session limits', () => {
    it('ends a session idle for 30 minutes, and any session after 8 hours however active', async () => {
      let clock = Date.now();
      const timed = await startConsoleGateway({ now: () => clock });
      try {
        const { cookie } = await signInByHttp(timed.url, 'ana');
        const status = async () => (await fetch(`${timed.url}/console/api/session`, { headers: { cookie } })).status;
        for (let i = 0; i < 16; i++) { // 16 × 29 min = 7 h 44 min
          clock += 29 * 60_000;
          assert.equal(await status(), 200, `active after ${i + 1} steps of 29 minutes`);
        }
        clock += 29 * 60_000;
        assert.equal(await status(), 401, 'past the absolute limit (8 h 13 min)');
        const second = await signInByHttp(timed.url, 'ana');
        clock += 30 * 60_000;
        assert.equal((await fetch(`${timed.url}/console/api/session`, { headers: { cookie: second.cookie } })).status, 401, 'idle limit');
      } finally {
        await timed.close();
      }
    });
  });

  describe('when TLS is on', () => {
    it('sends HSTS and binds cookies to the origin with __Host- and Secure', async () => {
      const tls = await startConsoleGateway({ tls: true });
      try {
        const login = await fetch(`${tls.url}/console/auth/login`, { redirect: 'manual' });
        assert.match(login.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
        assert.match(login.headers.get('set-cookie') ?? '', /^__Host-enclave_login=[^;]+;.*Path=\/;.*HttpOnly;.*Secure;.*SameSite=Lax/i);
      } finally {
        await tls.close();
      }
    });
  });

  // Last: it spends this address's sign-in and approval budgets (each route has its own).
  describe('rate limits', () => {
    it('rate-limits sign-in attempts', async () => {
      let limited = 0;
      for (let i = 0; i < 35; i++) if ((await fetch(`${gw.url}/console/auth/login`, { redirect: 'manual' })).status === 429) limited++;
      assert.ok(limited > 0);
    });

    it('rate-limits approve and reject calls', async () => {
      const s = await signIn('ana');
      const statuses = new Set<number>();
      for (let i = 0; i < 35; i++) {
        const res = await fetch(`${gw.url}/console/api/approvals/apr_none/approve`, {
          method: 'POST', body: JSON.stringify({ reason: 'x', totp: '123456' }),
          headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf },
        });
        statuses.add(res.status);
      }
      assert.ok(statuses.has(404) && statuses.has(429), [...statuses].join(','));
    });

    it('rate-limits the sign-in callback', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 35; i++) statuses.push((await fetch(`${gw.url}/console/auth/callback?code=c&state=s${i}`, { redirect: 'manual' })).status);
      assert.equal(statuses[0], 400, 'a callback this browser did not start');
      const first = statuses.indexOf(429);
      assert.ok(first > 0, statuses.join(','));
      assert.ok(statuses.slice(first).every((x) => x === 429), 'every call after the limit is refused');
      const res = await fetch(`${gw.url}/console/auth/callback?code=c&state=s`, { redirect: 'manual' });
      assert.equal(res.status, 429);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(res.headers.get('x-ratelimit-limit'), '30');
      assert.deepEqual(await res.json(), { error: { message: 'Too many attempts: try again in a minute.', code: 'rate_limited' } });
    });
  });
});
