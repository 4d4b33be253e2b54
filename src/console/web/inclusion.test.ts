/**
 * The console's in-browser inclusion check against the checkpoint the page shows, with proofs from
 * a real AuditLog: the same checkpoint, a newer one tied back by a consistency proof, an older one
 * (a lagging replica), and the ways a gateway could try to pass off another log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditLog, InclusionBundle } from '../../audit/index.ts';
import { openFileLog, sampleRecord, tempDir } from '../../audit/test-support.ts';
import { toHex as hex } from '../../crypto/index.ts';
import { parseCheckpointText, parseSignedNote, type BrowserCheckpoint } from './checkpoint.ts';
import { checkInclusion, type ConsistencySource, type InclusionProof } from './inclusion.ts';

/** The console API's JSON for a proof (audit-route.ts). */
function asJson(b: InclusionBundle): InclusionProof {
  return { index: b.index, size: b.size, entry: b.entry, leaf_hash: hex(b.leafHash), proof: b.proof.map(hex), checkpoint: b.checkpoint };
}

function shownOf(note: string): BrowserCheckpoint {
  return parseCheckpointText(parseSignedNote(note)!.text, 'SHA-256')!;
}

describe('browser inclusion check against the checkpoint shown', () => {
  let cleanup: () => Promise<void>;
  let log: AuditLog;
  let older: { note: string; proof: InclusionProof };
  let shownNote: string;
  const asked: Array<[number, number]> = [];
  const consistency: ConsistencySource = async (from, to) => {
    asked.push([from, to]);
    return { proof: (await log.consistency(from, to)).proof.map(hex) };
  };

  before(async () => {
    const tmp = await tempDir('enclave-web-inclusion-');
    cleanup = tmp.cleanup;
    ({ log } = await openFileLog(tmp.dir));
    for (let i = 0; i < 6; i++) await log.append(sampleRecord(i));
    shownNote = (await log.checkpoint())!.note;
    older = { note: shownNote, proof: asJson(await log.prove(3)) };
  });
  after(async () => {
    await log?.close();
    await cleanup?.();
  });

  it('verifies a proof against the checkpoint shown, without asking for consistency', async () => {
    asked.length = 0;
    const r = await checkInclusion(older.proof, shownOf(shownNote), 'SHA-256', consistency);
    assert.ok(r.ok, r.message);
    assert.match(r.message, /entry 3 is in the log of 6 entries shown above/);
    assert.deepEqual(asked, []);
  });

  it('verifies a proof against a newer checkpoint through a consistency proof to the one shown', async () => {
    for (let i = 6; i < 13; i++) await log.append(sampleRecord(i));
    const newer = asJson(await log.prove(3));
    assert.equal(newer.size, 13);
    asked.length = 0;
    const r = await checkInclusion(newer, shownOf(shownNote), 'SHA-256', consistency);
    assert.ok(r.ok, r.message);
    assert.match(r.message, /log of 6 entries shown above.*checkpoint of 13 entries, checked consistent/);
    assert.deepEqual(asked, [[6, 13]]);
  });

  it('verifies a proof against an older checkpoint (a lagging replica) the same way', async () => {
    const latest = (await log.checkpoint())!.note;
    asked.length = 0;
    const r = await checkInclusion(older.proof, shownOf(latest), 'SHA-256', consistency);
    assert.ok(r.ok, r.message);
    assert.deepEqual(asked, [[6, 13]]);
  });

  it('refuses when the consistency proof does not tie the two checkpoints, or cannot be fetched', async () => {
    const newer = asJson(await log.prove(3));
    const bogus: ConsistencySource = async (from, to) => ({ proof: (await log.consistency(from, to)).proof.map(hex).map((h) => h.replace(/^./, (c) => (c === '0' ? '1' : '0'))) });
    const r = await checkInclusion(newer, shownOf(shownNote), 'SHA-256', bogus);
    assert.equal(r.ok, false);
    assert.match(r.message, /NOT consistent/);
    const down = await checkInclusion(newer, shownOf(shownNote), 'SHA-256', async () => { throw new Error('HTTP 503'); });
    assert.equal(down.ok, false);
  });

  it('refuses a proof whose checkpoint has the size of the one shown but another root (a forked log)', async () => {
    const shown = shownOf(shownNote);
    const forked = { ...shown, root: Uint8Array.from(shown.root, (b, i) => (i === 0 ? b ^ 1 : b)) };
    const r = await checkInclusion(older.proof, forked, 'SHA-256', consistency);
    assert.equal(r.ok, false);
    assert.match(r.message, /another root/);
  });

  it('refuses a newer checkpoint that does not extend the one shown', async () => {
    const shown = shownOf(shownNote);
    const forked = { ...shown, root: Uint8Array.from(shown.root, (b, i) => (i === 0 ? b ^ 1 : b)) };
    const r = await checkInclusion(asJson(await log.prove(3)), forked, 'SHA-256', consistency);
    assert.equal(r.ok, false);
    assert.match(r.message, /NOT consistent/);
  });

  it('refuses a changed entry, a changed proof, an entry beyond the checkpoint shown, and another log\'s checkpoint', async () => {
    const shown = shownOf(shownNote);
    const p = older.proof;
    const entry = JSON.parse(p.entry) as Record<string, unknown>;
    const changed = await checkInclusion({ ...p, entry: JSON.stringify({ ...entry, actor: 'someone-else' }) }, shown, 'SHA-256', consistency);
    assert.match(changed.ok ? 'verified' : changed.message, /does not hash to the leaf hash/);
    const proof = [...p.proof];
    proof[0] = proof[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const badPath = await checkInclusion({ ...p, proof }, shown, 'SHA-256', consistency);
    assert.match(badPath.ok ? 'verified' : badPath.message, /does not lead to the root/);
    const late = asJson(await log.prove(10));
    const beyond = await checkInclusion(late, shown, 'SHA-256', consistency);
    assert.match(beyond.ok ? 'verified' : beyond.message, /not in the checkpoint shown/);
    const elsewhere = await checkInclusion(p, { ...shown, origin: 'other.example/log' }, 'SHA-256', consistency);
    assert.equal(elsewhere.ok, false);
  });
});
