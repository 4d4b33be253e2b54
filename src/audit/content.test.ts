/** Content at rest: sealed records open only under their own id and label, and must match their entry's digests. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateEncryptionKeyPair, sha256Hex } from '../crypto/index.ts';
import { checkContentDigests, contentAad, formatContentRef, newContentId, openContent, parseContentRef, sealContent } from './content.ts';
import { AuditError } from './errors.ts';

const ring = [generateEncryptionKeyPair(), generateEncryptionKeyPair()];
const current = ring[0]!;
const messages = [{ role: 'user', content: 'Where is the convoy tonight?' }];
const answer = 'SECRET//NOFORN\nIt is at the depot.';
const content = { v: 1, model: 'general', messages, answer };
const unreadable = (e: unknown) => e instanceof AuditError && e.code === 'CONTENT_UNREADABLE';

describe('content records', () => {
  const id = newContentId();
  const label = 'SECRET//NOFORN';
  const sealed = sealContent({ id, label, content, publicKey: current.publicKey });

  it('round-trips, opened with any key of the ring, and never holds the text in clear', () => {
    assert.deepEqual(openContent({ id, label, sealed, keys: ring }), content);
    assert.deepEqual(openContent({ id, label, sealed, keys: [ring[1]!, current] }), content);
    const bytes = Buffer.from(sealed);
    assert.equal(bytes.includes('convoy'), false);
    assert.equal(bytes.includes('depot'), false);
  });

  it('binds the id and label as canonical JSON', () => {
    assert.equal(new TextDecoder().decode(contentAad('ct_1', 'S')), '{"id":"ct_1","label":"S"}');
  });

  it('does not open under another id, another label, or without the ring that holds its key', () => {
    assert.throws(() => openContent({ id: newContentId(), label, sealed, keys: ring }), unreadable);
    assert.throws(() => openContent({ id, label: 'UNCLASSIFIED', sealed, keys: ring }), unreadable);
    assert.throws(() => openContent({ id, label: 'SECRET//NOFORN ', sealed, keys: ring }), unreadable);
    assert.throws(() => openContent({ id, label, sealed, keys: [generateEncryptionKeyPair()] }), unreadable);
  });

  it('does not open when another record\'s bytes are put under its id', () => {
    const other = newContentId();
    const otherSealed = sealContent({ id: other, label, content: { ...content, answer: 'other' }, publicKey: current.publicKey });
    assert.throws(() => openContent({ id, label, sealed: otherSealed, keys: ring }), unreadable);
  });

  it('matches its entry\'s digests, and names the one a forged record (sealed with the public key) breaks', () => {
    const digests = { prompt: `sha256:${sha256Hex(JSON.stringify(messages))}`, answer: `sha256:${sha256Hex(answer)}` };
    const opened = openContent({ id, label, sealed, keys: ring });
    assert.deepEqual(checkContentDigests({ digests }, opened), []);
    const forged = sealContent({ id, label, content: { ...content, answer: 'nothing to see' }, publicKey: current.publicKey });
    assert.deepEqual(checkContentDigests({ digests }, openContent({ id, label, sealed: forged, keys: ring })), ['answer']);
    assert.deepEqual(checkContentDigests({ digests }, { answer }), ['prompt']);
    assert.deepEqual(checkContentDigests({}, { answer: 'x' }), []);
  });

  it('formats and parses content references, refusing anything else', () => {
    assert.equal(parseContentRef(formatContentRef('ct_abc')), 'ct_abc');
    for (const bad of ['audit:3', 'content:', 'content:../x', 'content:a b', `content:${'a'.repeat(129)}`]) assert.equal(parseContentRef(bad), undefined, bad);
    assert.throws(() => formatContentRef('a/b'), AuditError);
  });

  it('refuses a record that opens but is not a JSON object', () => {
    const recordId = 'ct_array';
    const sealedArray = sealContent({ id: recordId, label, content: [1, 2] as unknown as Record<string, unknown>, publicKey: current.publicKey });
    assert.throws(() => openContent({ id: recordId, label, sealed: sealedArray, keys: ring }), unreadable);
  });
});
