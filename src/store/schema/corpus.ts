/** Tables for the classified corpus and its full-text index (retrieval part). Versions 3..9 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

/**
 * One row per distinct label ("label class"); chunks point at it. Access is decided on the class
 * columns: level, the tokens a reader must hold, and releasability (open, or REL TO countries).
 *
 * SQLite: a chunk's id is `label_id * 2^32 + n`, so the full-text query filters by clearance on
 * the rowid alone (`rowid >> 32 IN (visible classes)`): the index never reads a hidden chunk's row,
 * and bm25 is computed only for visible ones. The FTS5 table is contentless (the text lives in
 * corpus_chunks) with columnsize=0: chunks are of bounded size, so BM25's length normalisation is
 * given up for one B-tree lookup less per ranked row.
 *
 * PostgreSQL: a tsvector column with a GIN index; the label class filter is a join on the class
 * columns (`tokens <@ held`), ranking with ts_rank_cd.
 */
export const CORPUS_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: 'corpus',
    sqlite: `
      CREATE TABLE corpus_labels (
        id INTEGER PRIMARY KEY, marking TEXT NOT NULL UNIQUE, level INTEGER NOT NULL,
        tokens TEXT NOT NULL, release_open INTEGER NOT NULL, release_to TEXT NOT NULL);
      CREATE TABLE corpus_documents (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, banner TEXT NOT NULL,
        digest TEXT NOT NULL, portions INTEGER NOT NULL, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL);
      CREATE TABLE corpus_chunks (
        id INTEGER PRIMARY KEY CHECK ((id >> 32) > 0),
        document_id TEXT NOT NULL REFERENCES corpus_documents(id),
        portion INTEGER NOT NULL, chunk INTEGER NOT NULL, text TEXT NOT NULL, us_persons TEXT NOT NULL);
      CREATE INDEX corpus_chunks_document ON corpus_chunks(document_id, portion, chunk);
      CREATE VIRTUAL TABLE corpus_fts USING fts5(
        text, content='', columnsize=0, tokenize='porter unicode61 remove_diacritics 2');`,
    postgres: `
      CREATE TABLE corpus_labels (
        id SERIAL PRIMARY KEY, marking TEXT NOT NULL UNIQUE, level SMALLINT NOT NULL,
        tokens TEXT[] NOT NULL, release_open BOOLEAN NOT NULL, release_to TEXT[] NOT NULL);
      CREATE TABLE corpus_documents (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, banner TEXT NOT NULL,
        digest TEXT NOT NULL, portions INT NOT NULL, chunks INT NOT NULL, ingested_at TIMESTAMPTZ NOT NULL);
      CREATE TABLE corpus_chunks (
        id BIGSERIAL PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES corpus_documents(id) ON DELETE CASCADE,
        portion INT NOT NULL, chunk INT NOT NULL, label_id INT NOT NULL REFERENCES corpus_labels(id),
        text TEXT NOT NULL, us_persons TEXT[] NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED);
      CREATE INDEX corpus_chunks_tsv ON corpus_chunks USING GIN (tsv) WITH (fastupdate = off);
      CREATE INDEX corpus_chunks_document ON corpus_chunks(document_id, portion, chunk);`,
  },
];
