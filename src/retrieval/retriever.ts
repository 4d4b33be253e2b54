/** The pipeline's retriever: the top visible portions for a conversation, with citation ids. */
import { checkAccess, formatPortion, policyControls, type Label, type PolicyControl } from '../markings/index.ts';
import type { CorpusHit, CorpusStore } from './corpus-store.ts';
import { RetrievalError } from './errors.ts';
import { accessFor, labelOfMarking, type RetrievalPrincipal } from './label-columns.ts';
import { conversationTerms } from './query-terms.ts';

/** A portion placed in a model's context; the gateway's RetrievedPortion is a subset of it. */
export interface RetrievedPortion {
  /** "1", "2", ... in rank order: stable within one answer. */
  readonly citation: string;
  /** `documentId#portion.chunk`, both 1-based. */
  readonly portionId: string;
  readonly documentId: string;
  /** The portion mark, e.g. `(S//NF)`. */
  readonly portionMark: string;
  readonly title: string;
  readonly text: string;
  readonly label: Label;
  /** U.S.-person identities named in the text: the output masker replaces them. */
  readonly usPersons: readonly string[];
}

export interface RetrieverOptions {
  /** Portions per request (default 5, at most 50). */
  topK?: number;
  /** Ranking budget per query (CorpusSearchQuery.maxCandidates; default 20,000). */
  maxCandidates?: number;
  /**
   * Policy-only controls (ORCON, PROPIN, IMCON, ...) the deployment lets retrieval use: a portion
   * carrying any other such control is never retrieved (markings.md rule 5). Default: none.
   */
  allowedControls?: readonly PolicyControl[];
}

export interface Retriever {
  retrieve(principal: RetrievalPrincipal, messages: ReadonlyArray<{ role: string; content?: string | null }>, signal: AbortSignal): Promise<RetrievedPortion[]>;
}

export const DEFAULT_TOP_K = 5;
export const DEFAULT_MAX_CANDIDATES = 20_000;

/**
 * A hit re-checked in memory before anything is built from it. The query already filtered it;
 * a failure here is a store defect, and the request fails closed rather than dropping or using it.
 */
export function verifyHit(principal: RetrievalPrincipal, hit: CorpusHit, allowed: readonly PolicyControl[]): Label {
  const label = labelOfMarking(hit.marking);
  const decision = checkAccess({ label: principal.clearance, nationality: principal.nationality }, label);
  const control = policyControls(label).find((c) => !allowed.includes(c));
  if (!decision.allowed || control) {
    throw new RetrievalError('ACCESS_INVARIANT', 'the corpus store returned a portion above the caller; nothing was used');
  }
  return label;
}

export function portionIdOf(hit: Pick<CorpusHit, 'documentId' | 'portion' | 'chunk'>): string {
  return `${hit.documentId}#${hit.portion}.${hit.chunk}`;
}

/** Checks options at construction, so a misconfiguration fails at start-up. */
export function checkRetrieverOptions(options: RetrieverOptions): Required<RetrieverOptions> {
  const topK = options.topK ?? DEFAULT_TOP_K;
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  if (!Number.isInteger(topK) || topK < 1 || topK > 50) throw new RetrievalError('INVALID_OPTIONS', 'topK must be an integer from 1 to 50');
  if (!Number.isInteger(maxCandidates) || maxCandidates < 100) throw new RetrievalError('INVALID_OPTIONS', 'maxCandidates must be an integer of at least 100');
  return { topK, maxCandidates, allowedControls: Object.freeze([...(options.allowedControls ?? [])]) };
}

/**
 * A retriever over a corpus store. Query terms come from the last user message (and earlier user
 * turns for a short follow-up); the store filters by the caller's clearance inside its query.
 * @example const portions = await createRetriever(corpus).retrieve(principal, messages, signal)
 */
export function createRetriever(corpus: CorpusStore, options: RetrieverOptions = {}): Retriever {
  const { topK, maxCandidates, allowedControls } = checkRetrieverOptions(options);
  return {
    async retrieve(principal, messages, signal) {
      signal.throwIfAborted();
      const terms = conversationTerms(messages);
      if (terms.length === 0) return [];
      const access = accessFor(principal, allowedControls);
      const { hits } = await corpus.search({ terms, access, limit: topK, maxCandidates });
      signal.throwIfAborted();
      return hits.map((hit, i) => {
        const label = verifyHit(principal, hit, allowedControls);
        return {
          citation: String(i + 1), portionId: portionIdOf(hit), documentId: hit.documentId, portionMark: formatPortion(label),
          title: hit.title, text: hit.text, label, usPersons: hit.usPersons,
        };
      });
    },
  };
}
