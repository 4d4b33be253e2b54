/** Query terms from hostile text: words only, stopwords out, bounded. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_QUERY_TERMS, conversationTerms, queryTerms } from './query-terms.ts';

describe('queryTerms', () => {
  it('keeps content words, lower-cased, once, in order', () => {
    assert.deepEqual(queryTerms('What is the status of the Northern depot? The DEPOT!'), ['status', 'northern', 'depot']);
  });
  it('reduces FTS syntax to plain words', () => {
    assert.deepEqual(queryTerms('"depot" OR text:convoy NEAR(fuel, 2) -sensor* ^ridge (((bridge'),
      ['depot', 'text', 'convoy', 'near', 'fuel', 'sensor', 'ridge', 'bridge']);
    assert.deepEqual(queryTerms('"\'()*:^-+{}[]\\'), []);
    assert.deepEqual(queryTerms(''), []);
  });
  it('normalises compatibility forms and keeps non-Latin words', () => {
    assert.deepEqual(queryTerms('ｄｅｐｏｔ Überfall склад'), ['depot', 'überfall', 'склад']);
  });
  it('is bounded in terms and never throws on any string', () => {
    assert.equal(queryTerms(Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ')).length, MAX_QUERY_TERMS);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (s) => {
      const terms = queryTerms(s);
      assert.ok(terms.length <= MAX_QUERY_TERMS && terms.every((t) => /^[\p{L}\p{N}]+$/u.test(t)));
    }), { numRuns: 300 });
  });
});

describe('conversationTerms', () => {
  it('uses the last user message, and earlier user turns for a short follow-up', () => {
    const messages = [
      { role: 'user', content: 'Status of the northern depot?' },
      { role: 'assistant', content: 'It is open [1].' },
      { role: 'user', content: 'And its fuel?' },
    ];
    assert.deepEqual(conversationTerms(messages), ['fuel', 'status', 'northern', 'depot']);
    assert.deepEqual(conversationTerms([...messages, { role: 'user', content: 'convoy route bridge escort' }]), ['convoy', 'route', 'bridge', 'escort']);
    assert.deepEqual(conversationTerms([{ role: 'system', content: 'depot' }, { role: 'user', content: null }]), []);
  });
});
