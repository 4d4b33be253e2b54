/** The corpus query API for the console: visible portions with their labels and a snippet. */
import { formatBanner, formatPortion, type PolicyControl } from '../markings/index.ts';
import type { CorpusStore } from './corpus-store.ts';
import { accessFor, type RetrievalPrincipal } from './label-columns.ts';
import { queryTerms } from './query-terms.ts';
import { admittedControls, DEFAULT_MAX_CANDIDATES, portionIdOf, searchAllowed, type PortionPolicy } from './retriever.ts';

export interface CorpusSearchHit {
  readonly portionId: string;
  readonly documentId: string;
  readonly title: string;
  readonly portionMark: string;
  /** The portion's label in banner form. */
  readonly banner: string;
  /** Up to about 200 characters of the text around the first matching word. */
  readonly snippet: string;
  /** U.S.-person identities in the snippet's portion, for the output masker. */
  readonly usPersons: readonly string[];
}

export interface SearchOptions {
  /** Results (default 20, at most 100). */
  limit?: number;
  allowedControls?: readonly PolicyControl[];
  /** Policy over each portion, as for retrieval (see PortionPolicy): what it denies is never listed. */
  policy?: PortionPolicy;
}

const SNIPPET_CHARS = 200;

/** About `width` characters of `text` around the first word that starts like a query term. */
export function snippetOf(text: string, terms: readonly string[], width = SNIPPET_CHARS): string {
  if (text.length <= width) return text;
  const lower = text.toLowerCase();
  let at = -1;
  for (const t of terms) {
    // Stems differ from surface forms ("convoys" ~ "convoy"): match on a prefix of the term.
    const stem = t.slice(0, Math.max(3, t.length - 2));
    for (let i = lower.indexOf(stem); i >= 0; i = lower.indexOf(stem, i + 1)) {
      if (i === 0 || !/[\p{L}\p{N}]/u.test(lower[i - 1]!)) { at = at < 0 ? i : Math.min(at, i); break; }
    }
  }
  const start = Math.max(0, Math.min(at < 0 ? 0 : at - Math.floor(width / 3), text.length - width));
  const cut = text.slice(start, start + width);
  return `${start > 0 ? '…' : ''}${cut.trim()}${start + width < text.length ? '…' : ''}`;
}

/**
 * Searches the corpus as `principal`: only portions their clearance dominates are ever read
 * (the filter is inside the store's query), and `options.policy` decides each of them. For
 * `GET /v1/corpus/search?q=` and the console's search.
 * @example await searchCorpus(corpus, principal, 'northern depot', { limit: 10 })
 */
export async function searchCorpus(corpus: CorpusStore, principal: RetrievalPrincipal, q: string, options: SearchOptions = {}): Promise<CorpusSearchHit[]> {
  const limit = Math.min(Math.max(Math.floor(options.limit ?? 20), 1), 100);
  const terms = queryTerms(q);
  if (terms.length === 0) return [];
  const allowed = await admittedControls(corpus, principal, options.allowedControls ?? [], options.policy);
  const found = await searchAllowed(corpus, principal, { terms, limit, maxCandidates: DEFAULT_MAX_CANDIDATES }, allowed, options.policy);
  return found.map(({ hit, label }) => ({
    portionId: portionIdOf(hit), documentId: hit.documentId, title: hit.title, portionMark: formatPortion(label),
    banner: formatBanner(label), snippet: snippetOf(hit.text, terms), usPersons: hit.usPersons,
  }));
}

/**
 * How many matching portions the caller may NOT see (counting at most `cap` matches each way):
 * those the clearance filter hides, with the controls `policy` admits counted as visible. The
 * visible portions policy then denies one by one are not counted here; the caller adds those it
 * asked about (the gateway reports them per request). This reveals that material above the
 * caller exists on the topic: it is itself a disclosure (markings.md: existence can be
 * classified). Off unless the deployment decides to show it.
 */
export async function countWithheld(
  corpus: CorpusStore, principal: RetrievalPrincipal, q: string,
  options: { cap?: number; allowedControls?: readonly PolicyControl[]; policy?: PortionPolicy } = {},
): Promise<number> {
  const cap = options.cap ?? 10_000;
  const terms = queryTerms(q);
  if (terms.length === 0) return 0;
  const allowed = await admittedControls(corpus, principal, options.allowedControls ?? [], options.policy);
  const all = await corpus.countMatches({ terms, cap });
  const visible = await corpus.countMatches({ terms, cap, access: accessFor(principal, allowed) });
  return Math.max(0, all - visible);
}
