/** The one place retrieval reaches into the store part: the corpus contract. */
export type {
  CorpusAccess, CorpusChunkInput, CorpusChunkRecord, CorpusDocumentInput, CorpusDocumentRecord, CorpusHit,
  CorpusLabelColumns, CorpusSearchQuery, CorpusSearchResult, CorpusStats, CorpusStore,
} from '../store/index.ts';
export { createSqliteCorpusStore, createPostgresCorpusStore } from '../store/index.ts';
