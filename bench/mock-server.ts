/**
 * The benchmark's upstream: the test suite's mock OpenAI server, in its own process.
 * MOCK_FIRST_TOKEN_MS and MOCK_TOKEN_MS make it answer at a model's pace (default: at once);
 * MOCK_WORDS_FROM_MAX_TOKENS=1 makes each answer as many words as the request's max_tokens.
 */
import { startMockUpstream } from '../test/support/mock-openai.ts';

const mock = await startMockUpstream({
  words: Number(process.env.MOCK_WORDS ?? 20),
  firstTokenMs: Number(process.env.MOCK_FIRST_TOKEN_MS ?? 0),
  tokenMs: Number(process.env.MOCK_TOKEN_MS ?? 0),
  wordsFromMaxTokens: process.env.MOCK_WORDS_FROM_MAX_TOKENS === '1',
});
process.stdout.write(`${mock.url}\n`);
process.on('SIGTERM', () => { void mock.close().then(() => process.exit(0)); });
