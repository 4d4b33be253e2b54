/**
 * Content at rest end to end: with `retention.content` on, a chat request leaves a sealed record
 * (no text in clear) that its audit entry names; `enclave audit decrypt` shows it to an auditor,
 * recorded; records moved, relabelled or past the retention period are refused or purged.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEncryptionKeyPair } from '../crypto/index.ts';
import { parseEntry, type AuditEntry } from '../audit/index.ts';
import { openSqliteStore } from '../store/index.ts';
import { createAuditCommand } from '../cli/commands/audit.ts';
import { openAuditLog, openContentAccess } from '../cli/commands/audit-deps.ts';
import { bufferIO } from '../cli/io.ts';
import { UsageError } from '../cli/args.ts';
import { call } from '../../test/support/approvals.ts';
import { startMockUpstream, MOCK_ANSWER, type MockUpstream } from '../../test/support/mock-openai.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';
import { parseConfig } from './config.ts';
import { createContentRetention } from './retention.ts';

const PROMPT = 'What time does the canteen open on Sundays, zebra-canary-7?';
const REASON = 'Incident review IR-2026-031 requested by the security officer';

describe('content at rest', () => {
  let upstream: MockUpstream;
  let gw: TestGateway;
  let configFile: string;
  const models = (url: string) => `
models:
  - { id: general, backend: openai, base_url: "${url}", upstream_model: mock-7b, accredited: "SECRET//NOFORN", retries: 0 }
retention: { content: true, days: 90 }
`;

  before(async () => {
    upstream = await startMockUpstream();
    gw = await startTestGateway(models(upstream.url));
    // The same deployment as the CLI sees it: its data directory (store, key ring, secret) and models.
    configFile = join(gw.dataDir, 'enclave.yaml');
    writeFileSync(configFile, `data_dir: ${gw.dataDir}\n${models(upstream.url)}`);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const cli = createAuditCommand({ openAuditLog: (o) => openAuditLog(o, process.env), openContentAccess: (o) => openContentAccess(o, process.env) });
  async function audit(...argv: string[]) {
    const io = bufferIO();
    const code = await cli([...argv, '--config', configFile], io);
    return { code, out: io.out(), err: io.err() };
  }
  async function entry(index: number): Promise<AuditEntry> {
    for await (const page of gw.gateway.audit.readEntries(index, index + 1)) if (page[0]) return parseEntry(page[0].data);
    throw new Error(`no entry ${index}`);
  }
  async function ask(user: string, content: string): Promise<{ index: number; body: Record<string, any> }> {
    const res = await call(`${gw.url}/v1/chat/completions`, gw.keys[user], 'POST', { model: 'general', messages: [{ role: 'user', content }] });
    const ref = (res.body.enclave?.audit_ref ?? res.body.error?.enclave?.audit_ref) as string;
    return { index: Number(/^audit:(\d+)$/.exec(ref)?.[1]), body: res.body };
  }
  const recordId = (e: AuditEntry) => /^content:(.+)$/.exec(e.contentRef ?? '')?.[1] ?? '';
  const db = () => openSqliteStore(join(gw.dataDir, 'enclave.db'));

  it('seals the prompt and answer before the entry that names them, with nothing in clear', async () => {
    const { index, body } = await ask('alice', PROMPT);
    assert.match(body.choices[0].message.content as string, /quick brown fox/);
    const e = await entry(index);
    assert.equal(e.kind, 'request');
    assert.match(e.contentRef ?? '', /^content:ct_[0-9a-f]+$/);
    const record = await gw.gateway.deps.store.content.get(recordId(e));
    assert.ok(record, 'the record the entry names exists');
    assert.equal(record.label, 'UNCLASSIFIED');
    assert.ok(record.createdAt <= Date.parse(e.time), 'stored no later than the entry');
    const bytes = Buffer.from(record.sealed);
    for (const text of ['zebra-canary-7', 'canteen open', MOCK_ANSWER.slice(0, 20), 'quick brown']) assert.equal(bytes.includes(text), false, text);
  });

  it('keeps streamed answers too', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${gw.keys.bob}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'general', stream: true, messages: [{ role: 'user', content: 'Stream me the depot hours' }] }),
    });
    const ref = /"audit_ref":"audit:(\d+)"/.exec(await res.text())?.[1];
    const e = await entry(Number(ref));
    assert.ok(await gw.gateway.deps.store.content.get(recordId(e)));
  });

  it('`audit decrypt` records the auditor, the entry and the reason, then shows the prompt and answer', async () => {
    const { index } = await ask('alice', PROMPT);
    const before = gw.gateway.audit.size;
    const r = await audit('decrypt', '--index', String(index), '--reason', REASON, '--as', 'auditor-1');
    assert.equal(r.code, 0, r.err);
    const shown = JSON.parse(r.out) as { content: { messages: Array<{ content: string }>; answer: string; actor: string; model: string } };
    assert.equal(shown.content.messages[0]?.content, PROMPT);
    assert.match(shown.content.answer, /quick brown fox/);
    assert.equal(shown.content.actor, 'alice');
    assert.equal(shown.content.model, 'general');
    const found = await audit('search', '--kind', 'decrypt');
    const decrypts = found.out.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry & { seq: number });
    const mine = decrypts.find((d) => d.seq >= before && d.details?.index === index);
    assert.ok(mine, found.out);
    assert.equal(mine.actor, 'auditor-1');
    assert.equal(mine.reason, REASON);
    assert.equal(mine.contentRef, (await entry(index)).contentRef);
  });

  it('refuses decrypt without a reason', async () => {
    const { index } = await ask('alice', PROMPT);
    await assert.rejects(audit('decrypt', '--index', String(index)), UsageError);
  });

  it('refuses a record whose bytes were swapped in from another id, or that was relabelled in the store', async () => {
    const a = await entry((await ask('alice', 'First question, kilo-alpha')).index);
    const b = await entry((await ask('alice', 'Second question, kilo-bravo')).index);
    const handle = db();
    try {
      handle.db.prepare('UPDATE content_records SET sealed = (SELECT sealed FROM content_records WHERE id = ?) WHERE id = ?').run(recordId(b), recordId(a));
      const swapped = await audit('decrypt', '--index', String(a.seq), '--reason', REASON);
      assert.equal(swapped.code, 1);
      assert.match(swapped.err, /does not open/);
      assert.equal(swapped.out, '');

      handle.db.prepare("UPDATE content_records SET label = 'SECRET//NOFORN' WHERE id = ?").run(recordId(b));
      const relabelled = await audit('decrypt', '--index', String(b.seq), '--reason', REASON);
      assert.equal(relabelled.code, 1);
      assert.match(relabelled.err, /relabelled/);
      assert.equal(relabelled.out, '');
    } finally {
      await handle.close();
    }
  });

  it('keeps nothing of a spillage: its text is promised not to be stored', async () => {
    const count = () => { const h = db(); try { return (h.db.prepare('SELECT count(*) AS n FROM content_records').get() as { n: number }).n; } finally { void h.close(); } };
    const before = count();
    const { index, body } = await ask('bob', '(TS//SI) The convoy leaves at dawn. Summarise this.');
    assert.equal(body.error.code, 'spillage');
    const e = await entry(index);
    assert.equal(e.kind, 'spillage');
    assert.equal(e.contentRef, undefined);
    assert.equal(count(), before);
    const r = await audit('decrypt', '--index', String(index), '--reason', REASON);
    assert.equal(r.code, 1);
    assert.match(r.err, /no contentRef/);
  });
});

describe('retention settings and purge', () => {
  it('is off by default and validates its fields', () => {
    const base = 'models:\n  - { id: q, backend: extractive }\n';
    assert.deepEqual(parseConfig(base, 'test.yaml', {}).retention, { content: false, days: 90, purge_interval_minutes: 60 });
    assert.deepEqual(parseConfig(`${base}retention: { content: true }\n`, 'test.yaml', {}).retention, { content: true, days: 90, purge_interval_minutes: 60 });
    assert.throws(() => parseConfig(`${base}retention: { content: true, days: 0 }\n`, 'test.yaml', {}), /retention\.days/);
    assert.throws(() => parseConfig(`${base}retention: { keep: true }\n`, 'test.yaml', {}), /retention/);
  });

  it('deletes records past the period and records each purge that removed something', async () => {
    const store = openSqliteStore(':memory:');
    let now = new Date('2026-01-01T00:00:00Z');
    const recorded: Array<{ kind: string; actor: string | null; data: Record<string, unknown> }> = [];
    const retention = createContentRetention({
      store: store.content, publicKey: generateEncryptionKeyPair().publicKey, settings: { content: true, days: 30, purge_interval_minutes: 60 },
      recorder: { record: async (e) => { recorded.push(e); return { ref: `audit:${recorded.length - 1}` }; } },
      logger: { error: () => assert.fail('no purge error expected') }, now: () => now,
    });
    try {
      const old = await retention.retainer.retain({ label: 'UNCLASSIFIED', content: { messages: [] } });
      now = new Date('2026-01-20T00:00:00Z');
      const recent = await retention.retainer.retain({ label: 'UNCLASSIFIED', content: { messages: [] } });
      now = new Date('2026-02-05T00:00:00Z');
      assert.equal(await retention.purge(), 1);
      assert.equal(await store.content.get(old.slice('content:'.length)), undefined);
      assert.ok(await store.content.get(recent.slice('content:'.length)));
      assert.deepEqual(recorded.map((e) => [e.kind, e.actor, e.data.action, e.data.deleted, e.data.before]), [['retention', 'system:retention', 'content.purge', 1, '2026-01-06T00:00:00.000Z']]);
      assert.equal(await retention.purge(), 0);
      assert.equal(recorded.length, 1, 'a purge that removes nothing is not an entry');
    } finally {
      await retention.stop();
      await store.close();
    }
  });
});
