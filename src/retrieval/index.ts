/** Retrieval: corpus ingestion, clearance-filtered full-text search, citations (design.md "retrieve"). */
export { RetrievalError, type RetrievalErrorCode } from './errors.ts';
export {
  createRetriever, DEFAULT_TOP_K, DEFAULT_MAX_CANDIDATES,
  type PortionPolicy, type Retriever, type RetrieverOptions, type RetrievedPortion,
} from './retriever.ts';
export { searchCorpus, countWithheld, type CorpusSearchHit, type SearchOptions } from './search.ts';
export {
  ingestPaths, listCorpusFiles, toDocumentInput, MAX_FILE_BYTES,
  type IngestOptions, type IngestProgress, type IngestReport,
} from './ingest.ts';
export { parseDocument, SUPPORTED_EXTENSIONS, type ParseOutcome } from './parse-document.ts';
export type { IngestProblem, ParsedDocument, ParsedPortion, ParsedChunk } from './portion.ts';
export { accessFor, labelColumns, type RetrievalPrincipal } from './label-columns.ts';
export { queryTerms, conversationTerms } from './query-terms.ts';
export { MAX_CHUNK_CHARS } from './chunk.ts';
export { createSqliteCorpusStore, createPostgresCorpusStore, type CorpusStore } from './corpus-store.ts';
