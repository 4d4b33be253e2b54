/** `enclave audit decrypt`: audited before anything is shown, and refuses records that were moved, relabelled or replaced. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, checkpointKeysFromRing, createExportStore, formatContentRef, newContentId, parseEntry, sealContent, type AuditEntry } from '../../audit/index.ts';
import { createKeyRing, keyRingEncryptionKeys, sha256Hex } from '../../crypto/index.ts';
import type { ContentRecord } from '../../store/index.ts';
import { UsageError } from '../args.ts';
import { bufferIO, type CliIO } from '../io.ts';
import { createAuditCommand } from './audit.ts';
import type { ContentAccess } from './audit-decrypt.ts';

const ORIGIN = 'decrypt.test.invalid/enclave';
const ring = createKeyRing();
const records = new Map<string, ContentRecord>();
/** What happened, in order: `appended:<kind>` once an append is durable, `stdout` at each write. */
const events: string[] = [];
let tmp: string;
let opened = 0;

async function openLog(): Promise<AuditLog> {
  const store = await createExportStore(join(tmp, 'log'), { origin: ORIGIN });
  return AuditLog.open({ store, origin: ORIGIN, keys: checkpointKeysFromRing(ORIGIN, ring), checkpointIntervalMs: 0, closeStore: () => store.close() });
}

async function openContentAccess(): Promise<ContentAccess> {
  opened++;
  const log = await openLog();
  const append = log.append.bind(log);
  log.append = async (record) => {
    const receipt = await append(record);
    events.push(`appended:${(record as { kind: string }).kind}`);
    return receipt;
  };
  return { log, content: { get: async (id) => records.get(id) }, keys: keyRingEncryptionKeys(ring), close: () => log.close({ checkpoint: true }) };
}

const command = createAuditCommand({ openAuditLog: openLog, openContentAccess, actor: 'system:test' });
const REASON = 'Inquiry 2026-17: review of the convoy question';

async function run(...argv: string[]) {
  const io = bufferIO();
  const watched: CliIO = { ...io, stdout: (t) => { events.push('stdout'); io.stdout(t); } };
  const code = await command(argv, watched);
  return { code, out: io.out(), err: io.err() };
}

async function entries(): Promise<AuditEntry[]> {
  const log = await openLog();
  const out: AuditEntry[] = [];
  try {
    for await (const page of log.readEntries(0, log.size)) for (const e of page) out.push(parseEntry(e.data));
  } finally {
    await log.close({ checkpoint: false });
  }
  return out;
}

/** A request entry as the gateway writes it, its sealed record stored first. */
async function request(text: string, options: { label?: string; entryLabel?: boolean; keep?: boolean } = {}): Promise<{ index: number; id: string }> {
  const label = options.label ?? 'SECRET//NOFORN';
  const messages = [{ role: 'user', content: text }];
  const answer = `${label}\nanswer to: ${text}`;
  const id = newContentId();
  const keep = options.keep !== false;
  if (keep) records.set(id, { id, label, createdAt: Date.now(), sealed: sealContent({ id, label, content: { messages, answer }, publicKey: ring.current.encryption.publicKey }) });
  const log = await openLog();
  try {
    const r = await log.append({
      kind: 'request', actor: 'alice', requestId: `req_${id}`, ...(options.entryLabel === false ? {} : { labels: [label] }),
      digests: { prompt: `sha256:${sha256Hex(JSON.stringify(messages))}`, answer: `sha256:${sha256Hex(answer)}` },
      ...(keep ? { contentRef: formatContentRef(id) } : {}),
    });
    return { index: r.index, id };
  } finally {
    await log.close({ checkpoint: false });
  }
}

/** Runs decrypt and returns the result with the entries it added. */
async function decrypt(index: number, ...extra: string[]) {
  const before = (await entries()).length;
  events.length = 0;
  const r = await run('decrypt', '--index', String(index), '--reason', REASON, ...extra);
  return { ...r, added: (await entries()).slice(before) };
}

describe('enclave audit decrypt', () => {
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'enclave-cli-decrypt-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('records who, which entry and why, durably, before printing the prompt and answer', async () => {
    const { index } = await request('Where is the convoy tonight?');
    const r = await decrypt(index, '--as', 'auditor-1');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(events, ['appended:decrypt', 'stdout']);
    const shown = JSON.parse(r.out) as { index: number; label: string; content: { messages: Array<{ content: string }>; answer: string } };
    assert.equal(shown.index, index);
    assert.equal(shown.label, 'SECRET//NOFORN');
    assert.equal(shown.content.messages[0]?.content, 'Where is the convoy tonight?');
    assert.match(shown.content.answer, /answer to: Where is the convoy/);
    assert.equal(r.added.length, 1);
    const [entry] = r.added;
    assert.equal(entry?.kind, 'decrypt');
    assert.equal(entry?.actor, 'auditor-1');
    assert.equal(entry?.reason, REASON);
    assert.equal(entry?.contentRef, (await entries())[index]?.contentRef);
    assert.equal(entry?.details?.index, index);
  });

  it('records the deployment\'s actor when --as is not given', async () => {
    const { index } = await request('Which route does the resupply take?');
    const r = await decrypt(index);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.added[0]?.actor, 'system:test');
  });

  describe('refuses, with a non-zero exit and a reason', () => {
    it('without a written reason, before opening anything', async () => {
      const { index } = await request('When does the convoy leave?');
      const before = opened;
      await assert.rejects(run('decrypt', '--index', String(index)), (e: unknown) => e instanceof UsageError && /--reason/.test(e.message));
      await assert.rejects(run('decrypt', '--index', String(index), '--reason', '   because  '), UsageError);
      await assert.rejects(run('decrypt', '--index', String(index), '--reason', REASON, '--as', 'bad name'), UsageError);
      await assert.rejects(run('decrypt', '--reason', REASON), UsageError);
      assert.equal(opened, before, 'the deployment was never opened');
    });

    it('an entry without contentRef, recording nothing', async () => {
      const { index } = await request('Nothing kept for this one', { keep: false });
      const r = await decrypt(index);
      assert.equal(r.code, 1);
      assert.match(r.err, /no contentRef/);
      assert.equal(r.out, '');
      assert.equal(r.added.length, 0);
    });

    it('a record no longer in the store (purged)', async () => {
      const { index, id } = await request('A question from long ago');
      records.delete(id);
      const r = await decrypt(index);
      assert.equal(r.code, 1);
      assert.match(r.err, /not in the store/);
      assert.equal(r.out, '');
    });

    it('a record swapped to another id: the attempt and its failure are both recorded', async () => {
      const a = await request('First question about the depot');
      const b = await request('Second question about the depot');
      records.set(a.id, { ...records.get(b.id)!, id: a.id });
      const r = await decrypt(a.index);
      assert.equal(r.code, 1);
      assert.match(r.err, /does not open/);
      assert.equal(r.out, '');
      assert.deepEqual(r.added.map((e) => [e.kind, e.decision ?? null, e.details?.error ?? null]), [['decrypt', null, null], ['decrypt', 'refused', 'does_not_open']]);
    });

    it('a relabelled record, whether or not the entry carries the label', async () => {
      const labelled = await request('Question marked secret');
      records.set(labelled.id, { ...records.get(labelled.id)!, label: 'UNCLASSIFIED' });
      const r1 = await decrypt(labelled.index);
      assert.equal(r1.code, 1);
      assert.match(r1.err, /relabelled/);
      assert.equal(r1.added.at(-1)?.details?.error, 'label_mismatch');

      const unlabelled = await request('Question refused before routing', { entryLabel: false });
      records.set(unlabelled.id, { ...records.get(unlabelled.id)!, label: 'UNCLASSIFIED' });
      const r2 = await decrypt(unlabelled.index);
      assert.equal(r2.code, 1);
      assert.equal(r2.added.at(-1)?.details?.error, 'does_not_open');
      assert.equal(r2.out, '');
    });

    it('a record replaced by one sealed with the public key under the same id and label', async () => {
      const { index, id } = await request('Question whose record is forged');
      const forged = { messages: [{ role: 'user', content: 'Question whose record is forged' }], answer: 'SECRET//NOFORN\nnothing happened' };
      records.set(id, { ...records.get(id)!, sealed: sealContent({ id, label: 'SECRET//NOFORN', content: forged, publicKey: ring.current.encryption.publicKey }) });
      const r = await decrypt(index);
      assert.equal(r.code, 1);
      assert.match(r.err, /answer digest/);
      assert.equal(r.out, '');
      assert.equal(r.added.at(-1)?.details?.error, 'digest_mismatch');
    });

    it('a decrypt entry itself (it names the record but carries no digests)', async () => {
      const all = await entries();
      const index = all.findIndex((e) => e.kind === 'decrypt');
      const r = await decrypt(index);
      assert.equal(r.code, 1);
      assert.match(r.err, /no prompt digest/);
      assert.equal(r.added.length, 0);
    });

    it('an index beyond the log', async () => {
      await assert.rejects(decrypt(10_000), { code: 'INVALID_PROOF_REQUEST' });
    });
  });
});
