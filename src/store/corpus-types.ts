/**
 * The corpus store contract: documents, their portions cut into chunks, and clearance-filtered
 * full-text search. The store speaks in label COLUMNS, not markings Labels (store is the lowest
 * part): the retrieval part converts Labels and clearances to and from these columns.
 */

/**
 * A label as the store keeps it: one row per distinct label ("label class"), shared by every
 * chunk that carries it. Access to a chunk is decided on these columns alone, inside the query:
 * `level <= caller.level`, `tokens ⊆ caller.tokens`, and releasability (see CorpusAccess).
 */
export interface CorpusLabelColumns {
  /** The canonical banner of the label; the unique key of the label class. */
  readonly marking: string;
  /** 0 UNCLASSIFIED .. 3 TOP SECRET. */
  readonly level: number;
  /** Every token a reader must hold (SCI paths, SAPs, AEA, policy-only controls), e.g. `SCI:SI`. */
  readonly tokens: readonly string[];
  /** Releasable to every nationality (unclassified, no NOFORN, no REL TO). */
  readonly releaseOpen: boolean;
  /** Foreign nationalities the label is releasable to; empty when it is U.S.-only (or open). */
  readonly releaseTo: readonly string[];
}

/** What a caller may read, as query parameters. */
export interface CorpusAccess {
  /** Highest level the caller may read; -1 sees nothing. */
  readonly level: number;
  /** Tokens the caller holds. */
  readonly tokens: readonly string[];
  /**
   * The caller's nationality when it restricts releasability, else null: a U.S. national holds every
   * NOT-REL category and reads any releasability; anyone else reads only open or REL TO them.
   */
  readonly country: string | null;
}

/** One chunk of a portion (a paragraph), as ingested. */
export interface CorpusChunkInput {
  /** 1-based paragraph number within the document. */
  readonly portion: number;
  /** 1-based chunk number within the paragraph. */
  readonly chunk: number;
  readonly text: string;
  readonly label: CorpusLabelColumns;
  /** U.S.-person identities named in this chunk, for the output masker. */
  readonly usPersons: readonly string[];
}

export interface CorpusDocumentInput {
  readonly id: string;
  /** Shown with every cited portion: must be UNCLASSIFIED. */
  readonly title: string;
  /** Where it came from (a path), for `corpus list`. */
  readonly source: string;
  /** The banner (roll-up of the portions). */
  readonly banner: string;
  /** SHA-256 of the source bytes, hex. */
  readonly digest: string;
  readonly portions: number;
  readonly chunks: readonly CorpusChunkInput[];
}

export interface CorpusDocumentRecord {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly banner: string;
  readonly digest: string;
  readonly portions: number;
  readonly chunks: number;
  readonly ingestedAt: string;
}

/** A stored chunk, with its label class's marking. */
export interface CorpusChunkRecord {
  readonly documentId: string;
  readonly title: string;
  readonly portion: number;
  readonly chunk: number;
  readonly text: string;
  readonly marking: string;
  readonly usPersons: readonly string[];
}

export interface CorpusHit extends CorpusChunkRecord {
  /** Lower is better (FTS5 bm25 convention); comparable only within one result list. */
  readonly score: number;
}

export interface CorpusSearchQuery {
  /**
   * Words to match, any of them (OR). Each is taken literally: query syntax in a term is never
   * interpreted; a term with several words is a phrase.
   */
  readonly terms: readonly string[];
  readonly access: CorpusAccess;
  readonly limit: number;
  /**
   * Ranking budget: when the terms together match more rows than this, the most common terms stop
   * selecting rows (they still add to the score of the rows the rarer terms select), and at most this
   * many visible rows are ranked. Omitted: exact ranking over every match.
   */
  readonly maxCandidates?: number;
}

export interface CorpusSearchResult {
  readonly hits: CorpusHit[];
  /** True when maxCandidates cut the candidate set, so the ranking is approximate. */
  readonly truncated: boolean;
}

export interface CorpusStats {
  readonly documents: number;
  readonly chunks: number;
  readonly labels: number;
}

export interface CorpusStore {
  /**
   * Inserts or replaces each document, all in one transaction: a reader sees every document of
   * the call old or every one new, never a mix, never a half-stored document.
   */
  replaceDocuments(docs: readonly CorpusDocumentInput[]): Promise<void>;
  /** Returns false when there was no such document. */
  removeDocument(id: string): Promise<boolean>;
  getDocument(id: string): Promise<CorpusDocumentRecord | undefined>;
  listDocuments(): Promise<CorpusDocumentRecord[]>;
  /** Every chunk of a document in order, unfiltered: for administration, never for a caller. */
  listChunks(documentId: string): Promise<CorpusChunkRecord[]>;
  /** Chunks matching any term that `access` may read, best first. Hidden chunks are never read. */
  search(query: CorpusSearchQuery): Promise<CorpusSearchResult>;
  /** How many chunks match any term (visible to `access`, or all when omitted), counting at most `cap`. */
  countMatches(query: { terms: readonly string[]; access?: CorpusAccess; cap: number }): Promise<number>;
  stats(): Promise<CorpusStats>;
  /**
   * The marking of every label class stored, unfiltered and sorted. Labels only, never text: the
   * retriever uses them to plan a policy-checked query, and never shows them to a caller.
   */
  listLabels(): Promise<string[]>;
}

/** Splits a term into its runs of letters and digits (what both full-text engines index). */
export function termWords(term: string): string[] {
  return term.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Terms with at least one word, deduplicated case-insensitively, at most `max`. */
export function usableTerms(terms: readonly string[], max = 32): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of terms) {
    const words = termWords(t);
    const key = words.join(' ').toLowerCase();
    if (words.length === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push(words.join(' '));
    if (out.length >= max) break;
  }
  return out;
}

/**
 * Splits terms into those that select rows and those that only add to the score: rarest first,
 * keeping terms while their match counts sum to at most `budget` (always the rarest one).
 * `counts` are capped at budget + 1; a term with no match is dropped. `truncated`: the budget cut
 * the candidate set (a term was demoted, or the rarest one alone matches more than the budget).
 */
export function planTerms(terms: readonly string[], counts: readonly number[], budget: number): { select: string[]; boost: string[]; truncated: boolean } {
  const order = terms.map((t, i) => ({ t, n: counts[i] ?? 0 })).filter((x) => x.n > 0).sort((a, b) => a.n - b.n);
  const select: string[] = [];
  const boost: string[] = [];
  let total = 0;
  for (const { t, n } of order) {
    if (select.length === 0 || total + n <= budget) {
      select.push(t);
      total += n;
    } else {
      boost.push(t);
    }
  }
  return { select, boost, truncated: boost.length > 0 || total > budget };
}
