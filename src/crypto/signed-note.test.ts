/** C2SP signed notes: the Go sumdb/note vector, verifier keys, hybrid lines, and hostile input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createNoteSigner,
  createNoteVerifierKey,
  formatNoteVerifierKey,
  NOTE_MAX_SIGNATURES,
  noteKeyId,
  parseNoteVerifierKey,
  parseSignedNote,
  signNote,
  verifySignedNote,
} from './signed-note.ts';
import { generateEd25519KeyPair, generateMlDsa87KeyPair } from './signatures.ts';

// Source: golang.org/x/mod/sumdb/note, note.go package documentation and note_test.go
// (the PeterNeumann example), also quoted in c2sp.org/signed-note implementations.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

// The skey's base64 part is 0x01 (Ed25519) followed by the 32-byte seed.
const goSeed = Uint8Array.from(Buffer.from(GO_SKEY.split('+').slice(4).join('+'), 'base64')).subarray(1);
const goPair = generateEd25519KeyPair(goSeed);

describe('signed notes', () => {
  describe('with the Go sumdb/note vector', () => {
    it('derives the published key ID and verifier key', () => {
      const key = createNoteVerifierKey('PeterNeumann', 'ed25519', goPair.publicKey);
      assert.equal(key.keyId, 0xc74f20a3);
      assert.equal(formatNoteVerifierKey(key), GO_VKEY);
      assert.deepEqual(parseNoteVerifierKey(GO_VKEY), key);
    });

    it('signs the text to the published note byte for byte', () => {
      assert.equal(signNote(GO_TEXT, [createNoteSigner('PeterNeumann', 'ed25519', goPair)]), GO_NOTE);
    });

    it('verifies the published note and rejects an edited one', () => {
      const keys = [parseNoteVerifierKey(GO_VKEY)];
      const ok = verifySignedNote(GO_NOTE, keys);
      assert.ok(ok.ok);
      assert.equal(ok.ok && ok.text, GO_TEXT);
      const bad = verifySignedNote(GO_NOTE.replace('cryptography', 'cryptographY'), keys);
      assert.equal(!bad.ok && bad.code, 'BAD_SIGNATURE');
    });
  });

  describe('with an ML-DSA-87 line beside the Ed25519 line', () => {
    const mldsa = generateMlDsa87KeyPair();
    const signers = [createNoteSigner('log.example/a', 'ed25519', goPair), createNoteSigner('log.example/a', 'ml-dsa-87', mldsa)];
    const keys = [createNoteVerifierKey('log.example/a', 'ed25519', goPair.publicKey), createNoteVerifierKey('log.example/a', 'ml-dsa-87', mldsa.publicKey)];
    const note = signNote('hello\n', signers);

    it('writes two lines and verifies both', () => {
      assert.equal(parseSignedNote(note).signatures.length, 2);
      const v = verifySignedNote(note, keys);
      assert.ok(v.ok && v.verified.length === 2);
    });

    it('round-trips the ML-DSA verifier key through its 0xff-typed text form', () => {
      assert.deepEqual(parseNoteVerifierKey(formatNoteVerifierKey(keys[1]!)), keys[1]);
      assert.notEqual(keys[0]!.keyId, keys[1]!.keyId);
    });

    it('lets an Ed25519-only verifier (a classic witness) ignore the ML-DSA line', () => {
      const v = verifySignedNote(note, [keys[0]!]);
      assert.ok(v.ok && v.verified.length === 1);
    });

    it('never verifies both lines once any character of the note changes', () => {
      fc.assert(
        fc.property(fc.nat(note.length - 1), fc.constantFrom('A', 'b', '0', '+', ' ', '\n'), (at, ch) => {
          fc.pre(note[at] !== ch);
          const edited = note.slice(0, at) + ch + note.slice(at + 1);
          const v = verifySignedNote(edited, keys);
          // An edited key name or ID turns a line into an unknown key's line, which signed-note
          // says to ignore: the note may then verify on the other line alone, never on both.
          if (v.ok && v.verified.length === 2) assert.fail(`both signatures survived an edit at ${at}`);
        }),
        { numRuns: 60 },
      );
    });
  });

  it('ignores lines from unknown keys and fails with none known', () => {
    const other = createNoteVerifierKey('someone.else', 'ed25519', generateEd25519KeyPair().publicKey);
    const v = verifySignedNote(GO_NOTE, [other]);
    assert.equal(!v.ok && v.code, 'NO_KNOWN_SIGNATURE');
  });

  it('computes key IDs over name, newline, type and key (signed-note "Signatures")', () => {
    assert.notEqual(noteKeyId('a', 'ed25519', goPair.publicKey), noteKeyId('b', 'ed25519', goPair.publicKey));
  });
});

describe('malformed notes', () => {
  const line = GO_NOTE.slice(GO_TEXT.length + 1);
  const cases: Record<string, string> = {
    'no blank line': `${GO_TEXT}${line}`,
    'no final newline': GO_NOTE.slice(0, -1),
    'hyphen instead of em dash': GO_NOTE.replace('\u2014', '-'),
    'no space after the name': GO_NOTE.replace('PeterNeumann x08', 'PeterNeumannx08'),
    'unpadded base64': GO_NOTE.replace('AM=\n', 'AM\n'),
    'url-safe base64': GO_NOTE.replace('/ZJ', '_ZJ'),
    'a short signature': `${GO_TEXT}\n\u2014 PeterNeumann AAAA\n`,
    'a control character': GO_NOTE.replace('answer', 'ans\u0007wer'),
    'a carriage return': GO_NOTE.replace('problem,\n', 'problem,\r\n'),
    'a lone surrogate': GO_NOTE.replace('answer', 'ans\ud800wer'),
    'a plus in the name': GO_NOTE.replace('\u2014 PeterNeumann', '\u2014 Peter+Neumann'),
    'an empty signature block': `${GO_TEXT}\n`,
    'too many signatures': `${GO_TEXT}\n${line.repeat(NOTE_MAX_SIGNATURES + 1)}`,
    'an oversized note': `${'x'.repeat(300 * 1024)}\n\n${line}`,
  };
  for (const [name, note] of Object.entries(cases)) {
    it(`rejects a note with ${name}`, () => {
      assert.throws(() => parseSignedNote(note), { name: 'CryptoError', code: 'MALFORMED_NOTE' });
      const v = verifySignedNote(note, [parseNoteVerifierKey(GO_VKEY)]);
      assert.equal(v.ok, false);
    });
  }

  it('rejects verifier keys with a wrong ID, bad base64 or an unknown type', () => {
    assert.throws(() => parseNoteVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4')), /key ID/);
    assert.throws(() => parseNoteVerifierKey('PeterNeumann+c74f20a3+!!!!'), /base64/);
    assert.throws(() => parseNoteVerifierKey('PeterNeumann+c74f20a3+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /unsupported/);
    assert.throws(() => parseNoteVerifierKey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /name/);
    assert.throws(() => parseNoteVerifierKey('nothing'), /verifier key/);
  });
});
