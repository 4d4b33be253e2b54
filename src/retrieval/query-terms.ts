/**
 * Search terms from hostile text: words only (letters and digits), so FTS syntax in a question
 * (quotes, AND/OR/NOT/NEAR, column filters, `*`, `^`, parentheses) is never interpreted.
 */

/** At most this many terms go to the index: more only slows the query and dilutes the ranking. */
export const MAX_QUERY_TERMS = 12;
/** A question longer than this is cut: the tail of a pasted document adds cost, not precision. */
export const MAX_QUERY_CHARS = 8_000;
const MAX_WORD_CHARS = 48;
/** Earlier user turns are consulted only when the last one has fewer terms than this. */
const FOLLOW_UP_TERMS = 3;

// English function words and question words: they match nearly every portion and rank nothing.
const STOPWORDS = new Set(`
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves tell give show please know let us get got any anything something
`.trim().split(/\s+/));

/**
 * The distinct content words of `text`, lower-cased, in order of first appearance, stopwords and
 * one-letter words dropped, at most `max`.
 * @example queryTerms('What is the "status" of the NEAR(depot)?') // ['status', 'near', 'depot']
 */
export function queryTerms(text: string, max = MAX_QUERY_TERMS): string[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const words = text.slice(0, MAX_QUERY_CHARS).normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 2 || w.length > MAX_WORD_CHARS || STOPWORDS.has(w) || out.includes(w)) continue;
    out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * Terms for a conversation: the last user message's; when it has few (a follow-up such as "and
 * its fuel?"), terms of earlier user turns are added, most recent first, after its own.
 */
export function conversationTerms(messages: ReadonlyArray<{ role: string; content?: string | null }>, max = MAX_QUERY_TERMS): string[] {
  const users = messages.filter((m) => m.role === 'user' && typeof m.content === 'string');
  const out: string[] = [];
  for (let i = users.length - 1; i >= 0 && out.length < max; i--) {
    if (i < users.length - 1 && out.length >= FOLLOW_UP_TERMS) break;
    for (const t of queryTerms(users[i]!.content as string, max)) {
      if (!out.includes(t)) out.push(t);
      if (out.length >= max) break;
    }
  }
  return out;
}
