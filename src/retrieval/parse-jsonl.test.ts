/** Parsing JSONL corpora: one document per line; problems name the line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPortion } from '../markings/index.ts';
import { parseDocument } from './parse-document.ts';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const good = { id: 'a', title: 'A', label: 'SECRET//NOFORN', text: '(S//NF) One about [[USPER:Ann Lee]].\n\nTwo.' };

describe('parseDocument: JSONL', () => {
  it('parses one document per line, every paragraph under the line label', () => {
    const r = parseDocument('c.jsonl', `${line(good)}\n\n${line({ id: 'b', title: 'B', label: '(U)', text: 'Open.', us_persons: ['Bo Day'] })}\n`);
    assert.ok(r.ok);
    assert.deepEqual(r.documents.map((d) => d.id), ['a', 'b']);
    assert.deepEqual(r.documents[0]!.portions.map((p) => [formatPortion(p.label), p.text, p.usPersons]), [
      ['(S//NF)', 'One about Ann Lee.', ['Ann Lee']], ['(S//NF)', 'Two.', []],
    ]);
  });

  for (const [what, text, pattern, lineNo] of [
    ['invalid JSON', `${line(good)}\n{"id": "b",`, /not valid JSON/, 2],
    ['a missing field', `${line({ id: 'a', label: 'U', text: 'x' })}`, /title/, 1],
    ['an unknown field', `${line({ ...good, lable: 'U' })}`, /lable|Unrecognized/, 1],
    ['a bad label', `${line(good)}\n${line({ ...good, id: 'b', label: 'SECRET//NOFRN' })}`, /label:/, 2],
    ['a paragraph marked differently', `${line({ ...good, text: '(TS) Higher.' })}`, /marked \(TS\) but the line's label is \(S\/\/NF\)/, 1],
    ['a duplicate id', `${line(good)}\n${line(good)}`, /duplicate id "a" \(first on line 1\)/, 2],
    ['a bad id', `${line({ ...good, id: '../etc' })}`, /id:/, 1],
  ] as const) {
    it(`rejects ${what} at line ${lineNo}, and the whole file`, () => {
      const r = parseDocument('c.jsonl', text);
      assert.equal(r.ok, false);
      const p = r.ok ? undefined : r.problems[0];
      assert.equal(p?.file, 'c.jsonl');
      assert.equal(p?.line, lineNo);
      assert.match(p?.message ?? '', pattern);
    });
  }
});
