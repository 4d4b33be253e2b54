/**
 * The built-in `extractive` backend. It is NOT a language model: it answers by quoting the
 * sentences of the supplied context that best match the question (BM25 over sentences), each
 * with its citation. It lets the whole pipeline run on a machine without model weights.
 */
import type { Backend, BackendChunk, BackendRequest, BackendResult, ChatMessage, ContextPortion } from './types.ts';

const STOPWORDS = new Set(('a an and are as at be but by can did do does for from had has have how i in is it its ' +
  'me my of on or our so that the their them there these they this to was we were what when where which who why ' +
  'will with you your about into than then also any all not no tell show give please').split(' '));
const MAX_SENTENCES = 3;
// BM25 parameters (Robertson & Zaragoza, 2009); sentences are short, so b is kept low.
const BM25_K1 = 1.2;
const BM25_B = 0.3;

function terms(text: string): string[] {
  return (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 1 && !STOPWORDS.has(t));
}

// A full stop after a lone capital is an initial ("John Q. Smith"), not a sentence end: splitting
// there would quote half a name, which the U.S.-person masker (matching whole names) cannot catch.
function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])(?<!\b\p{Lu}\.)\s+(?=[A-Z0-9"'(])/u).map((s) => s.trim()).filter((s) => s.length > 0);
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user' && m.content) return m.content;
  }
  return '';
}

interface Scored { sentence: string; citation: string; score: number; order: number }

/** Ranks every context sentence against the question. */
function rankSentences(question: string, context: readonly ContextPortion[]): Scored[] {
  const q = [...new Set(terms(question))];
  const all: Array<{ sentence: string; citation: string; tokens: string[]; order: number }> = [];
  for (const portion of context) {
    for (const sentence of sentencesOf(portion.text)) all.push({ sentence, citation: portion.citation, tokens: terms(sentence), order: all.length });
  }
  if (all.length === 0 || q.length === 0) return [];
  const avgLen = all.reduce((n, s) => n + s.tokens.length, 0) / all.length || 1;
  const df = new Map<string, number>();
  for (const s of all) for (const t of new Set(s.tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const scored: Scored[] = [];
  for (const s of all) {
    let score = 0;
    for (const t of q) {
      const tf = s.tokens.reduce((n, x) => n + (x === t ? 1 : 0), 0);
      if (tf === 0) continue;
      const n = df.get(t) ?? 0;
      const idf = Math.log(1 + (all.length - n + 0.5) / (n + 0.5));
      score += idf * ((tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * s.tokens.length) / avgLen)));
    }
    if (score > 0) scored.push({ sentence: s.sentence, citation: s.citation, score, order: s.order });
  }
  return scored.sort((a, b) => b.score - a.score || a.order - b.order);
}

/** Builds the extractive answer text for a request. */
export function answerExtractively(req: Pick<BackendRequest, 'messages' | 'context'>): string {
  const context = req.context ?? [];
  if (context.length === 0) {
    return 'No sources were available to answer from. (This is the extractive backend: it quotes the documents ' +
      'retrieval provides and does not generate text.)';
  }
  const top = rankSentences(lastUserText(req.messages), context).slice(0, MAX_SENTENCES).sort((a, b) => a.order - b.order);
  if (top.length === 0) return 'None of the available sources address this question.';
  return ['From the sources:', ...top.map((s) => `- "${s.sentence}" [${s.citation}]`)].join('\n');
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function applyLimits(text: string, req: BackendRequest): { text: string; finish: BackendResult['finish_reason'] } {
  let out = text;
  let finish: BackendResult['finish_reason'] = 'stop';
  for (const stop of req.stop ?? []) {
    const at = stop ? out.indexOf(stop) : -1;
    if (at >= 0) out = out.slice(0, at);
  }
  if (req.max_tokens !== undefined) {
    const words = out.split(/(?<=\s)/);
    if (words.length > req.max_tokens) { out = words.slice(0, req.max_tokens).join(''); finish = 'length'; }
  }
  return { text: out, finish };
}

/** Creates the extractive backend. Usage counts words, since there is no tokenizer. */
export function createExtractiveBackend(id: string): Backend {
  const usage = (req: BackendRequest, text: string) => {
    const prompt = req.messages.reduce((n, m) => n + countWords(m.content ?? ''), 0);
    const completion = countWords(text);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  };
  return {
    id,
    async complete(req) {
      const { text, finish } = applyLimits(answerExtractively(req), req);
      return { content: text, finish_reason: finish, usage: usage(req, text) };
    },
    async *stream(req): AsyncGenerator<BackendChunk> {
      const { text, finish } = applyLimits(answerExtractively(req), req);
      for (const line of text.split(/(?<=\n)/)) {
        if (req.signal.aborted) return;
        yield { content: line };
      }
      yield { finish_reason: finish, usage: usage(req, text) };
    },
    async close() {},
  };
}
