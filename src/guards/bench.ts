/** Guard latency per message with every local layer on: p50/p99 in microseconds. */
import { loadGuards } from './guards.ts';

// Mixed benign and red-line vocabulary so the rules and both model paths do real work.
const WORDS = `please summarise the quarterly report on logistics and then track the shipment to the
warehouse while the analysts review foreign intelligence about naval movements near the strait and
draft a memo for the commander about fuel resupply schedules budget risks staffing and training plus
a note on how minimization protects U.S. persons in reporting and what the treaty says about
chemical weapons destruction with a list of open questions for the working group next week`.split(/\s+/);

function textOf(words: number, seed: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(i * 7 + seed * 13) % WORDS.length] as string);
  return `${out.join(' ')}.`;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/**
 * Measures `classify` on 20-, 100- and 500-word inputs (a warm-up, then timed runs over 16
 * different texts of each length) and the time to load the weights.
 */
export async function benchGuards(iterations = 2000): Promise<Record<string, number>> {
  const t0 = process.hrtime.bigint();
  const guards = loadGuards({ modelDir: undefined });
  const result: Record<string, number> = { 'guards.load_ms': Number(process.hrtime.bigint() - t0) / 1e6 };
  for (const words of [20, 100, 500]) {
    const texts = Array.from({ length: 16 }, (_, s) => textOf(words, s));
    const runs = words >= 500 ? Math.max(200, iterations / 4) : iterations;
    for (let i = 0; i < 200; i++) guards.classify(texts[i % texts.length] as string);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const text = texts[i % texts.length] as string;
      const s = process.hrtime.bigint();
      guards.classify(text);
      times.push(Number(process.hrtime.bigint() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    result[`guards.classify.${words}w.p50_us`] = Math.round(quantile(times, 0.5));
    result[`guards.classify.${words}w.p99_us`] = Math.round(quantile(times, 0.99));
  }
  return result;
}
