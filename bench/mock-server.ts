/** The benchmark's upstream: the test suite's mock OpenAI server, in its own process. */
import { startMockUpstream } from '../test/support/mock-openai.ts';

const mock = await startMockUpstream({ words: Number(process.env.MOCK_WORDS ?? 20) });
process.stdout.write(`${mock.url}\n`);
process.on('SIGTERM', () => { void mock.close().then(() => process.exit(0)); });
