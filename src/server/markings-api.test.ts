/**
 * Markings on the API: a marking the caller pastes within their clearance raises the answer's
 * label; one above every accredited model is spillage (403, nothing forwarded, audited as
 * spillage); an invalid marking counts as the highest classification it names; `banner: header`
 * leaves the answer text alone while the header still carries the label; and the route stage's
 * second check against the caller withholds an answer whose roll-up is above the caller even
 * when a faulty retriever lets such a portion through.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequestContext, runChat, type Retriever, type RetrievedPortion } from '../gateway/index.ts';
import { route } from '../gateway/stages/route.ts';
import { parseMarking } from '../markings/index.ts';
import type { Principal } from '../identity/index.ts';
import { MOCK_ANSWER, startMockUpstream, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

const USERS = `
users:
  - { id: uma, name: Uma, clearance: UNCLASSIFIED, nationality: USA, roles: [analyst] }
  - { id: gwen, name: Gwen, clearance: "SECRET//REL TO USA, GBR", nationality: GBR, roles: [analyst] }
  - { id: sam, name: Sam, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
  - { id: alice, name: Alice, clearance: "TOP SECRET//SI/TK", nationality: USA, roles: [analyst] }
`;

const CORPUS_TEXT = `---
id: lighthouse-log
title: Lighthouse log
---
(U) The lighthouse keeper logged two supply boats this week. Tag CANARY-LH-U-0001.

(S//REL TO USA, GBR) The lighthouse relay station will be moved to the northern cape. Tag CANARY-LH-S-0002.
`;

/** A marking line as a banner is written: a whole classification word, then `//`, or the bare level names. */
const BANNER_LINE = /^\s*(UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET)(\/\/.*)?\s*$/m;

interface Answer { status: number; headers: Headers; body: Record<string, any>; text: string }

async function post(gw: TestGateway, user: string, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys[user]}` }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: body.stream && res.status === 200 ? {} : JSON.parse(text) as Record<string, any> };
}

const ask = (gw: TestGateway, user: string, model: string, content: string, stream = false) =>
  post(gw, user, { model, stream, messages: [{ role: 'user', content }] });

/** Streamed content and the final `enclave` object. */
function readStream(text: string): { content: string; enclave: Record<string, any> | undefined } {
  let content = '';
  let enclave: Record<string, any> | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const ev = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }>; enclave?: Record<string, any> };
    content += ev.choices?.[0]?.delta?.content ?? '';
    if (ev.enclave) enclave = ev.enclave;
  }
  return { content, enclave };
}

interface Entry { kind: string; actor: string; policyIds?: string[]; details?: Record<string, any> }
async function auditEntriesSince(gw: TestGateway, from: number): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const page of gw.gateway.audit.readEntries(from, gw.gateway.audit.size)) for (const e of page) out.push(JSON.parse(e.data));
  return out;
}

describe('markings on the API', () => {
  let dir: string;
  let upstream: MockUpstream;
  let inline: TestGateway;
  let header: TestGateway;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-lighthouse-'));
    writeFileSync(join(dir, 'lighthouse-log.md'), CORPUS_TEXT);
    upstream = await startMockUpstream();
    inline = await startTestGateway(`
models:
  - { id: plain, backend: openai, base_url: "${upstream.url}", accredited: "TOP SECRET//SI/TK//NOFORN", retries: 0 }
  - { id: reader, backend: openai, base_url: "${upstream.url}", accredited: "TOP SECRET//SI/TK//NOFORN", retrieval: true, retries: 0 }
corpus: { ingest_on_start: ["${dir}"] }
${USERS}`);
    // No model here is accredited above SECRET//NOFORN; banners go in the header only.
    header = await startTestGateway(`
models:
  - { id: low, backend: openai, base_url: "${upstream.url}", accredited: "SECRET//NOFORN", retrieval: true, retries: 0 }
  - { id: public, backend: openai, base_url: "${upstream.url}", accredited: UNCLASSIFIED, retries: 0 }
banner: header
corpus: { ingest_on_start: ["${dir}"] }
${USERS}`);
  });
  after(async () => {
    await inline?.close();
    await header?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a marking the caller pastes within their clearance raises the answer label', () => {
    const cases: Array<{ user: string; model: string; content: string; without: string; with: string }> = [
      { user: 'uma', model: 'plain', content: '(U//FOUO) Staff rota for next week: please summarise.', without: 'UNCLASSIFIED', with: 'UNCLASSIFIED//FOUO' },
      { user: 'sam', model: 'plain', content: '(S//NF) The relay moves on Tuesday. Please summarise.', without: 'UNCLASSIFIED', with: 'SECRET//NOFORN' },
      { user: 'gwen', model: 'plain', content: '(C//REL TO USA, GBR) The relay moves on Tuesday. Please summarise.', without: 'UNCLASSIFIED', with: 'CONFIDENTIAL//REL TO USA, GBR' },
      // With retrieval: the context rolls up to SECRET//REL TO USA, GBR; a pasted (C//NF) makes it NOFORN (worked example 8).
      { user: 'sam', model: 'reader', content: '(C//NF) Compare this with the lighthouse relay station plan.', without: 'SECRET//REL TO USA, GBR', with: 'SECRET//NOFORN' },
    ];
    for (const c of cases) {
      it(`${c.user} pasting ${c.content.slice(0, c.content.indexOf(')') + 1)} into ${c.model} gets ${c.with}`, async () => {
        const plainText = c.content.slice(c.content.indexOf(')') + 2);
        const before = await ask(inline, c.user, c.model, plainText);
        assert.equal(before.status, 200, before.text);
        assert.equal(before.headers.get('x-enclave-classification'), c.without);

        const n = upstream.calls();
        const res = await ask(inline, c.user, c.model, c.content);
        assert.equal(res.status, 200, res.text);
        assert.equal(upstream.calls(), n + 1, 'the request was forwarded');
        assert.ok(JSON.stringify(upstream.requests[n]).includes(plainText));
        assert.equal(res.headers.get('x-enclave-classification'), c.with);
        assert.equal(res.body.enclave.classification, c.with);
        const content = res.body.choices[0].message.content as string;
        assert.ok(content.startsWith(`${c.with}\n`) && content.endsWith(`\n${c.with}`), content);

        const streamed = await ask(inline, c.user, c.model, c.content, true);
        assert.equal(streamed.headers.get('x-enclave-classification'), c.with);
        const s = readStream(streamed.text);
        assert.equal(s.enclave?.classification, c.with);
        assert.ok(s.content.startsWith(`${c.with}\n`));
      });
    }
  });

  describe('spillage above every accredited model', () => {
    for (const pasted of ['(TS//SI//NF) The relay moves tonight.', '(S//TS) The relay moves tonight.', '//TOP SECRET\nThe relay moves tonight.']) {
      it(`refuses ${JSON.stringify(pasted.split(/[\n ]/)[0])} from a TOP SECRET user: 403 spillage, nothing forwarded, audited`, async () => {
        const n = upstream.calls();
        const size = header.gateway.audit.size;
        for (const stream of [false, true]) {
          const res = await ask(header, 'alice', 'low', `${pasted} Please summarise.`, stream);
          assert.equal(res.status, 403, res.text);
          const error = JSON.parse(res.text).error as Record<string, any>;
          assert.equal(error.code, 'spillage');
          assert.equal(error.enclave.rule, 'spillage.above_accreditation');
          assert.match(error.message, /TOP SECRET\/\/(SI\/\/)?NOFORN marking, above every accredited model/);
          assert.ok(!res.text.includes('relay moves'), 'the refusal does not repeat the spilled text');
        }
        assert.equal(upstream.calls(), n, 'nothing reached any model');
        const entries = await auditEntriesSince(header, size);
        const spills = entries.filter((e) => e.kind === 'spillage');
        assert.equal(spills.length, 2, JSON.stringify(entries));
        for (const e of spills) {
          assert.equal(e.actor, 'alice');
          assert.deepEqual(e.policyIds, ['spillage.above_accreditation']);
          assert.equal(e.details?.status, 403);
          assert.ok(!JSON.stringify(e).includes('relay moves'));
        }
      });
    }

    it('forwards a marking within some accredited model (the refusal above is not blanket)', async () => {
      const n = upstream.calls();
      const res = await ask(header, 'alice', 'low', '(S//NF) The relay moves tonight. Please summarise.');
      assert.equal(res.status, 200, res.text);
      assert.equal(upstream.calls(), n + 1);
      assert.equal(res.headers.get('x-enclave-classification'), 'SECRET//NOFORN');
    });

    it('counts an invalid marking as the highest classification it names: //TOP SECRET is above a SECRET user', async () => {
      for (const pasted of ['//TOP SECRET\nThe relay moves tonight.', '(S//TS) The relay moves tonight.', '(//TS) The relay moves tonight.']) {
        const n = upstream.calls();
        const res = await ask(inline, 'sam', 'plain', pasted);
        assert.equal(res.status, 403, `${pasted}: ${res.text}`);
        assert.equal(res.body.error.code, 'spillage');
        assert.equal(res.body.error.enclave.rule, 'spillage.above_clearance');
        assert.equal(upstream.calls(), n);
      }
    });
  });

  describe('banner: header', () => {
    it('leaves banner lines out of the answer text; the header and enclave object carry the label', async () => {
      for (const stream of [false, true]) {
        const res = await ask(header, 'sam', 'low', 'What is planned for the lighthouse relay station?', stream);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('x-enclave-classification'), 'SECRET//REL TO USA, GBR');
        const { content, enclave } = stream ? readStream(res.text) : { content: res.body.choices[0].message.content as string, enclave: res.body.enclave };
        assert.equal(enclave?.classification, 'SECRET//REL TO USA, GBR');
        assert.ok(content.startsWith(MOCK_ANSWER), `the answer starts with the model's text: ${content.slice(0, 60)}`);
        assert.doesNotMatch(content, BANNER_LINE);
        assert.ok(!content.includes('SECRET//REL TO USA, GBR'));
        // Sources are still listed, with their portion marks.
        assert.match(content, /Sources:\n\[1\] \((U|S\/\/REL TO USA, GBR)\) Lighthouse log/);
      }
      // The same question on the inline gateway does carry the banner lines (the check above can fail).
      const inlined = await ask(inline, 'sam', 'reader', 'What is planned for the lighthouse relay station?');
      assert.match(inlined.body.choices[0].message.content, BANNER_LINE);
    });
  });

  describe("the route stage's second check against the caller", () => {
    const principal = (id: string, clearance: string, nationality: string): Principal => ({
      id, name: id, clearance: parseMarking(clearance), clearanceText: clearance, nationality, roles: ['analyst'], auth: { method: 'api_key', keyId: 'k' },
    });
    const contextFor = (p: Principal, labels: string[]) => {
      const ctx = createRequestContext({ requestId: 'r1', authorization: undefined, body: {}, signal: new AbortController().signal, principal: p });
      ctx.model = inline.gateway.deps.models.get('plain');
      ctx.inputLabels.push(...labels.map((l) => parseMarking(l)));
      return ctx;
    };

    it('withholds a roll-up above the caller, naming the access rule', () => {
      const deps = inline.gateway.deps;
      const sam = principal('sam', 'SECRET//NOFORN', 'USA');
      const r1 = route(contextFor(sam, ['(S//NF)', '(TS//SI//NF)']), deps);
      assert.equal(r1?.code, 'above_clearance');
      assert.equal(r1?.rule, 'access.no-read-up.level');
      assert.equal(r1?.status, 403);
      const gwen = principal('gwen', 'SECRET//REL TO USA, GBR', 'GBR');
      const r2 = route(contextFor(gwen, ['(S//REL TO USA, GBR)', '(U)', '(C//NF)']), deps);
      assert.equal(r2?.code, 'above_clearance');
      assert.equal(r2?.rule, 'access.releasability.noforn');
      const alice = principal('alice', 'TOP SECRET//SI/TK', 'USA');
      assert.equal(route(contextFor(alice, ['(TS//SI//NF)', '(S//SI//NF)', '(TS//HCS//NF)']), deps)?.rule, 'access.no-read-up.sci');
      // Within the clearance it passes and sets the label.
      const ok = contextFor(gwen, ['(S//REL TO USA, GBR)', '(C//REL TO USA, FVEY)']);
      assert.equal(route(ok, deps), undefined);
      assert.ok(ok.label);
    });

    it('stops the whole pipeline before the model when a faulty retriever returns a portion above the caller', async () => {
      const deps = inline.gateway.deps;
      const canary = 'CANARY-FAULTY-RETRIEVER-9999';
      const faulty: Retriever = {
        async retrieve() {
          return [{ citation: '1', portionMark: '(TS//SI//NF)', title: 'Leak', text: `A portion above the caller. ${canary}`, label: parseMarking('(TS//SI//NF)') } satisfies RetrievedPortion];
        },
      };
      const ctx = createRequestContext({
        requestId: 'r2', authorization: `Bearer ${inline.keys.sam}`, signal: new AbortController().signal,
        body: { model: 'reader', messages: [{ role: 'user', content: 'What is planned for the lighthouse relay station?' }] },
      });
      const n = upstream.calls();
      const size = inline.gateway.audit.size;
      const outcome = await runChat(ctx, { ...deps, retriever: faulty });
      assert.equal(outcome.kind, 'refused');
      assert.equal(outcome.kind === 'refused' && outcome.refusal.code, 'above_clearance');
      assert.ok(!JSON.stringify(outcome).includes(canary));
      assert.equal(upstream.calls(), n, 'nothing reached the model');
      const entries = await auditEntriesSince(inline, size);
      assert.ok(entries.some((e) => e.actor === 'sam' && e.kind === 'request' && e.policyIds?.[0] === 'access.no-read-up.level'), JSON.stringify(entries));
    });
  });
});
