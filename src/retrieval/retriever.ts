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

/**
 * Policy over retrieval for one request (the gateway asks its policy engine's `retrieve`). The
 * clearance filter inside the query always applies first: nothing above the caller is read. A
 * policy may then drop portions the clearance allows (a forbid), and may admit portions whose
 * only obstacle is a policy-only control such as ORCON (a permit): the retriever asks `allows`
 * about each stored label the caller's clearance dominates that carries such a control, lets the
 * query read the controls of those it allows, and then asks about every portion it would use.
 */
export interface PortionPolicy {
  /**
   * Whether the caller may use a portion with this label. `portionId` is absent when the
   * retriever asks about a label in general, to plan its query.
   */
  allows(label: Label, portionId?: string): boolean;
}

export interface Retriever {
  retrieve(
    principal: RetrievalPrincipal, messages: ReadonlyArray<{ role: string; content?: string | null }>, signal: AbortSignal, policy?: PortionPolicy,
  ): Promise<RetrievedPortion[]>;
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
 * The policy-only controls the query may read for `principal`: the configured ones, and those of
 * every stored label the caller's clearance dominates that `policy` allows in general. Only an
 * allowed label's controls are added, so without a permit for a control the query stays exactly
 * as strict as the configured filter; a label combining controls is then decided per portion.
 */
export async function admittedControls(
  corpus: CorpusStore, principal: RetrievalPrincipal, configured: readonly PolicyControl[], policy: PortionPolicy | undefined,
): Promise<readonly PolicyControl[]> {
  if (!policy) return configured;
  const admitted = new Set(configured);
  const clearance = { label: principal.clearance, nationality: principal.nationality };
  for (const marking of await corpus.listLabels()) {
    let label: Label;
    try {
      label = labelOfMarking(marking);
    } catch {
      continue; // A stored label that no longer parses is never admitted (verifyHit fails on it too).
    }
    const controls = policyControls(label);
    if (controls.length === 0 || controls.every((c) => admitted.has(c))) continue;
    if (!checkAccess(clearance, label).allowed) continue;
    if (policy.allows(label)) for (const c of controls) admitted.add(c);
  }
  return [...admitted];
}

/** How many candidates to read for `wanted` portions when policy may drop some; doubled while it does. */
const POLICY_OVERFETCH = 2;
const MAX_POLICY_CANDIDATES = 200;

/**
 * The top `limit` hits the query returns that `policy` allows, in rank order. Without a policy, one
 * query for exactly `limit`. With one, a few more are read, and more again while policy drops
 * some and more exist, so that a dropped portion is replaced by the next best rather than lost.
 */
export async function searchAllowed(
  corpus: CorpusStore, principal: RetrievalPrincipal, query: { terms: readonly string[]; limit: number; maxCandidates: number },
  allowed: readonly PolicyControl[], policy: PortionPolicy | undefined, signal?: AbortSignal,
): Promise<Array<{ hit: CorpusHit; label: Label }>> {
  const access = accessFor(principal, allowed);
  let fetch = policy ? Math.min(query.limit * POLICY_OVERFETCH, MAX_POLICY_CANDIDATES) : query.limit;
  for (;;) {
    const { hits } = await corpus.search({ terms: query.terms, access, limit: fetch, maxCandidates: query.maxCandidates });
    signal?.throwIfAborted();
    const kept: Array<{ hit: CorpusHit; label: Label }> = [];
    for (const hit of hits) {
      const label = verifyHit(principal, hit, allowed);
      if (policy && !policy.allows(label, portionIdOf(hit))) continue;
      kept.push({ hit, label });
      if (kept.length === query.limit) return kept;
    }
    // Fewer than asked: either the corpus has no more, or policy dropped some and more may follow.
    if (hits.length < fetch || fetch >= MAX_POLICY_CANDIDATES || !policy) return kept;
    fetch = Math.min(fetch * POLICY_OVERFETCH * 2, MAX_POLICY_CANDIDATES);
  }
}

/**
 * A retriever over a corpus store. Query terms come from the last user message (and earlier user
 * turns for a short follow-up); the store filters by the caller's clearance inside its query, and
 * `policy`, when given, decides each portion the filter returns (see PortionPolicy).
 * @example const portions = await createRetriever(corpus).retrieve(principal, messages, signal, policy)
 */
export function createRetriever(corpus: CorpusStore, options: RetrieverOptions = {}): Retriever {
  const { topK, maxCandidates, allowedControls } = checkRetrieverOptions(options);
  return {
    async retrieve(principal, messages, signal, policy) {
      signal.throwIfAborted();
      const terms = conversationTerms(messages);
      if (terms.length === 0) return [];
      const allowed = await admittedControls(corpus, principal, allowedControls, policy);
      const found = await searchAllowed(corpus, principal, { terms, limit: topK, maxCandidates }, allowed, policy, signal);
      return found.map(({ hit, label }, i) => ({
        citation: String(i + 1), portionId: portionIdOf(hit), documentId: hit.documentId, portionMark: formatPortion(label),
        title: hit.title, text: hit.text, label, usPersons: hit.usPersons,
      }));
    },
  };
}
