/** Parsing portion-marked text and Markdown: marks per paragraph, banner check, problems with file:line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBanner, formatPortion } from '../markings/index.ts';
import { parseDocument } from './parse-document.ts';

function parsed(text: string, path = 'notes/depot-report.md') {
  const r = parseDocument(path, text);
  if (!r.ok) assert.fail(`unexpected problems: ${JSON.stringify(r.problems)}`);
  return r.documents;
}

function problems(text: string, path = 'notes/depot-report.md') {
  const r = parseDocument(path, text);
  assert.equal(r.ok, false, 'the file must be rejected');
  return r.ok ? [] : r.problems;
}

const REPORT = `---
id: depot-1
title: Depot report
us_persons: [Ann Lee]
---
SECRET//NOFORN

# (U) Depot report

(S//NF) The depot is short of fuel.
Ann Lee reported it on Monday.

- (S//REL TO USA, GBR) Allied convoy planned.
(U) A second portion starts on this line.

SECRET//NOFORN
`;

describe('parseDocument: text and Markdown', () => {
  it('labels every paragraph with its portion mark and rolls the banner up', () => {
    const [doc] = parsed(REPORT);
    assert.equal(doc!.id, 'depot-1');
    assert.equal(doc!.title, 'Depot report');
    assert.equal(formatBanner(doc!.banner), 'SECRET//NOFORN');
    assert.deepEqual(doc!.portions.map((p) => [p.line, formatPortion(p.label), p.text]), [
      [8, '(U)', 'Depot report'],
      [10, '(S//NF)', 'The depot is short of fuel. Ann Lee reported it on Monday.'],
      [13, '(S//REL TO USA, GBR)', 'Allied convoy planned.'],
      [14, '(U)', 'A second portion starts on this line.'],
    ]);
    assert.deepEqual(doc!.portions[1]!.usPersons, ['Ann Lee']);
    assert.match(doc!.digest, /^[0-9a-f]{64}$/);
  });

  it('takes the id from the file name and the title from a plain UNCLASSIFIED heading', () => {
    const [doc] = parsed('# (U) Road status\n\n(C) Closed.', 'corpus/Road Status 2.txt');
    assert.equal(doc!.id, 'Road-Status-2');
    assert.equal(doc!.title, 'Road status');
  });

  it('never takes a classified heading as the title', () => {
    const [doc] = parsed('# (S) Secret operation name\n\n(S) Text.', 'op.md');
    assert.equal(doc!.title, 'op');
  });

  it('reports a banner that does not match the roll-up', () => {
    const p = problems('SECRET\n\n(TS) Above the banner.\n\n(U) Fine.');
    assert.equal(p.length, 1);
    assert.match(p[0]!.message, /banner SECRET does not match the roll-up of the portions, TOP SECRET/);
    assert.equal(p[0]!.file, 'notes/depot-report.md');
    const low = problems('TOP SECRET\n\n(S) Below the banner.');
    assert.match(low[0]!.message, /does not match the roll-up/);
  });

  it('reports a bottom banner that differs from the top one', () => {
    const p = problems('SECRET\n\n(S) Text.\n\nTOP SECRET');
    assert.match(p.map((x) => x.message).join('\n'), /bottom banner TOP SECRET differs/);
  });

  it('rejects a paragraph without a portion mark, naming its line, and stores nothing', () => {
    const p = problems('(U) First.\n\nSecond paragraph without a mark.\ncontinued.\n\n(U) Third.');
    assert.deepEqual(p, [{ file: 'notes/depot-report.md', line: 3, message: p[0]!.message }]);
    assert.match(p[0]!.message, /no portion mark/);
  });

  it('rejects an invalid portion mark with the marking rule', () => {
    const p = problems('(U) Fine.\n\n(S//REL TO GBR) Bad release list.');
    assert.equal(p[0]!.line, 3);
    assert.match(p[0]!.message, /invalid portion mark "\(S\/\/REL TO GBR\)"/);
  });

  it('rejects an invalid banner line', () => {
    assert.match(problems('SECRET//NOFRN\n\n(S) Text.')[0]!.message, /banner line .* is not a valid marking/);
  });

  it('rejects a portion that carries a higher marking inside it (spillage)', () => {
    const p = problems('(U) Public text, then pasted: TOP SECRET//SI//NOFORN details.');
    assert.match(p[0]!.message, /marked \(U\) but contains the higher marking "TOP SECRET\/\/SI\/\/NOFORN"/);
  });

  it('reads a last line as a bottom banner only after a blank line', () => {
    const [doc] = parsed('(S) The marking of this portion is\nSECRET');
    assert.equal(doc!.portions[0]!.text, 'The marking of this portion is SECRET');
  });

  it('keeps a parenthesis that is not a marking inside a paragraph as text', () => {
    const [doc] = parsed('(U) The depot\n(approximately 40 trucks) is busy.');
    assert.equal(doc!.portions[0]!.text, 'The depot (approximately 40 trucks) is busy.');
  });

  it('rejects bad front matter, empty documents and binary files', () => {
    assert.match(problems('---\nid: x\ncolour: red\n---\n(U) Text.')[0]!.message, /front matter: .*colour|Unrecognized key/);
    assert.match(problems('---\nid: x\n(U) Text.')[0]!.message, /not closed/);
    assert.match(problems('\n\n')[0]!.message, /no portions/);
    assert.match(problems('(U) a\u0000b')[0]!.message, /binary/);
    assert.match(problems('---\ntitle: Plan (S//NF) Bravo\n---\n(S//NF) Text.')[0]!.message, /title carries the marking/);
  });

  it('rejects a malformed U.S.-person tag at its line', () => {
    const p = problems('(U) One.\n\n(S) Met [[USPER:John Smith and left.');
    assert.deepEqual([p[0]!.line, /malformed U.S.-person tag/.test(p[0]!.message)], [3, true]);
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    const [doc] = parsed('\uFEFFUNCLASSIFIED\r\n\r\n(U) One.\r\n\r\n(U) Two.\r\n');
    assert.equal(doc!.portions.length, 2);
  });

  it('chunks a long paragraph, each chunk keeping the paragraph and its label', () => {
    const [doc] = parsed(`(S//NF) ${'The depot is short of fuel. '.repeat(80)}`);
    const portion = doc!.portions[0]!;
    assert.ok(portion.chunks.length > 1);
    assert.ok(portion.chunks.every((c) => c.text.length <= 1000));
  });
});
