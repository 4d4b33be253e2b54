/** The extractive backend quotes the best-matching sentences of its context, with citations. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerExtractively, createExtractiveBackend } from './index.ts';

const context = [
  { citation: '1', portionMark: '(U)', title: 'Depot report', text: 'The northern depot holds fuel for ten days. Roads to the depot are open. Weather is mild.' },
  { citation: '2', portionMark: '(S//NF)', title: 'Convoy plan', text: 'The convoy to the northern depot leaves on Tuesday. It carries medical supplies.' },
];
const signal = new AbortController().signal;

describe('extractive backend', () => {
  it('quotes the most relevant sentences with their citations, in document order', () => {
    const answer = answerExtractively({ messages: [{ role: 'user', content: 'When does the convoy to the northern depot leave?' }], context });
    assert.match(answer, /"The convoy to the northern depot leaves on Tuesday\." \[2\]/);
    assert.ok(!answer.includes('Weather is mild'));
  });

  it('keeps an initial inside its sentence, so a name is never quoted in halves', () => {
    const answer = answerExtractively({ messages: [{ role: 'user', content: 'who leads the review team' }], context: [{ citation: '1', portionMark: '(U)', title: 't', text: 'The review team is led by John Q. Smith of the depot. Weather is mild.' }] });
    assert.match(answer, /"The review team is led by John Q\. Smith of the depot\." \[1\]/);
  });

  it('says so when nothing matches, and when there is no context at all', () => {
    assert.match(answerExtractively({ messages: [{ role: 'user', content: 'submarine cable repairs' }], context }), /None of the available sources/);
    assert.match(answerExtractively({ messages: [{ role: 'user', content: 'depot' }], context: [] }), /does not generate text/);
  });

  it('streams the same text it completes, and honours max_tokens and stop', async () => {
    const backend = createExtractiveBackend('quotes');
    const req = { messages: [{ role: 'user' as const, content: 'northern depot fuel' }], context, signal };
    const done = await backend.complete(req);
    let streamed = '';
    let finish;
    for await (const c of backend.stream(req)) { streamed += c.content ?? ''; finish = c.finish_reason ?? finish; }
    assert.equal(streamed, done.content);
    assert.equal(finish, 'stop');
    assert.ok(done.usage.completion_tokens > 0 && done.usage.prompt_tokens > 0);
    const short = await backend.complete({ ...req, max_tokens: 3 });
    assert.equal(short.finish_reason, 'length');
    assert.equal(short.content!.trim().split(/\s+/).length, 3);
    const stopped = await backend.complete({ ...req, stop: ['depot'] });
    assert.ok(!stopped.content!.includes('depot'));
  });
});
