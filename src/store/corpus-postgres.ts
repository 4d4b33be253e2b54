/** The corpus on PostgreSQL: label classes, chunks with a tsvector (GIN), clearance filter in the WHERE clause. */
import type postgres from 'postgres';
import { StoreError } from './errors.ts';
import {
  planTerms, termWords, usableTerms,
  type CorpusAccess, type CorpusChunkRecord, type CorpusDocumentRecord, type CorpusLabelColumns, type CorpusStore,
} from './corpus-types.ts';

type Sql = postgres.Sql;
type Row = Record<string, unknown>;
type Fragment = postgres.PendingQuery<postgres.Row[]>;

/**
 * Most rows ranked per query when a budget is given: ts_rank_cd reads each candidate's tsvector
 * from the heap, which costs more per row than FTS5's bm25, so PostgreSQL's budget is lower.
 */
const PG_RANK_BUDGET = 5_000;

// Rows per INSERT statement: 7 parameters a row stays well under PostgreSQL's 65,535.
const INSERT_BATCH = 2000;

function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

function toChunk(r: Row): CorpusChunkRecord {
  return {
    documentId: String(r.document_id), title: String(r.title), portion: Number(r.portion), chunk: Number(r.chunk),
    text: String(r.text), marking: String(r.marking), usPersons: [...(r.us_persons as string[])],
  };
}

function toDocument(r: Row): CorpusDocumentRecord {
  return {
    id: String(r.id), title: String(r.title), source: String(r.source), banner: String(r.banner), digest: String(r.digest),
    portions: Number(r.portions), chunks: Number(r.chunks), ingestedAt: iso(r.ingested_at),
  };
}

function sameArray(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A text[] parameter, including the empty one (whose element type postgres.js cannot infer). */
function textArray(sql: Sql | postgres.TransactionSql, values: readonly string[]): Fragment {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${sql.json([...values])}::jsonb))`;
}

/** Any of the terms: each a phrase of its words (phraseto_tsquery never reads query syntax). */
function tsQuery(sql: Sql, terms: readonly string[]): Fragment {
  let q = sql`phraseto_tsquery('english', ${termWords(terms[0]!).join(' ')})`;
  for (const t of terms.slice(1)) q = sql`${q} || phraseto_tsquery('english', ${termWords(t).join(' ')})`;
  return sql`(${q})`;
}

/** The clearance filter on the joined label class `l`. */
function visible(sql: Sql, a: CorpusAccess): Fragment {
  return sql`l.level <= ${a.level} AND l.tokens <@ ${textArray(sql, a.tokens)}
    AND (${a.country}::text IS NULL OR l.release_open OR ${a.country}::text = ANY(l.release_to))`;
}

/**
 * The corpus store over a postgres.js pool whose migrations have run. With `maxCandidates`, the
 * rarest terms select rows (at most PG_RANK_BUDGET counted per term) and every term ranks them.
 * @example const corpus = createPostgresCorpusStore((await openPostgresStore(url)).sql)
 */
export function createPostgresCorpusStore(sql: Sql): CorpusStore {
  async function labelClass(tx: postgres.TransactionSql, label: CorpusLabelColumns, cache: Map<string, number>): Promise<number> {
    const cached = cache.get(label.marking);
    if (cached !== undefined) return cached;
    await tx`INSERT INTO corpus_labels (marking, level, tokens, release_open, release_to)
      VALUES (${label.marking}, ${label.level}, ${textArray(tx, label.tokens)}, ${label.releaseOpen}, ${textArray(tx, label.releaseTo)})
      ON CONFLICT (marking) DO NOTHING`;
    const [row] = await tx`SELECT * FROM corpus_labels WHERE marking = ${label.marking}`;
    if (!row || Number(row.level) !== label.level || row.release_open !== label.releaseOpen
      || !sameArray(row.tokens, label.tokens) || !sameArray(row.release_to, label.releaseTo)) {
      throw new StoreError('CONFLICT', `label ${label.marking} is stored with different access columns`);
    }
    cache.set(label.marking, Number(row.id));
    return Number(row.id);
  }

  return {
    async replaceDocuments(docs) {
      if (docs.length === 0) return;
      const at = new Date().toISOString();
      await sql.begin(async (tx) => {
        const classes = new Map<string, number>();
        for (const doc of docs) {
          // The upsert locks the document's row, so concurrent replacements of one id serialise.
          await tx`INSERT INTO corpus_documents (id, title, source, banner, digest, portions, chunks, ingested_at)
            VALUES (${doc.id}, ${doc.title}, ${doc.source}, ${doc.banner}, ${doc.digest}, ${doc.portions}, ${doc.chunks.length}, ${at})
            ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, source = EXCLUDED.source, banner = EXCLUDED.banner,
              digest = EXCLUDED.digest, portions = EXCLUDED.portions, chunks = EXCLUDED.chunks, ingested_at = EXCLUDED.ingested_at`;
          await tx`DELETE FROM corpus_chunks WHERE document_id = ${doc.id}`;
          const rows = [];
          for (const c of doc.chunks) {
            rows.push({
              document_id: doc.id, portion: c.portion, chunk: c.chunk, label_id: await labelClass(tx, c.label, classes),
              text: c.text, us_persons: [...c.usPersons],
            });
          }
          for (let i = 0; i < rows.length; i += INSERT_BATCH) {
            const batch = rows.slice(i, i + INSERT_BATCH);
            await tx`INSERT INTO corpus_chunks (document_id, portion, chunk, label_id, text, us_persons)
              SELECT r.document_id, r.portion, r.chunk, r.label_id, r.text, ARRAY(SELECT jsonb_array_elements_text(r.us_persons))
              FROM jsonb_to_recordset(${tx.json(batch)}::jsonb)
                AS r(document_id text, portion int, chunk int, label_id int, text text, us_persons jsonb)`;
          }
        }
      });
    },
    async removeDocument(id) {
      const res = await sql`DELETE FROM corpus_documents WHERE id = ${id}`;
      return res.count === 1;
    },
    async getDocument(id) {
      const [r] = await sql`SELECT * FROM corpus_documents WHERE id = ${id}`;
      return r ? toDocument(r) : undefined;
    },
    async listDocuments() {
      return (await sql`SELECT * FROM corpus_documents ORDER BY id`).map(toDocument);
    },
    async listChunks(documentId) {
      const rows = await sql`SELECT c.document_id, c.portion, c.chunk, c.text, c.us_persons, d.title, l.marking
        FROM corpus_chunks c JOIN corpus_documents d ON d.id = c.document_id JOIN corpus_labels l ON l.id = c.label_id
        WHERE c.document_id = ${documentId} ORDER BY c.portion, c.chunk`;
      return rows.map(toChunk);
    },
    async search(q) {
      const terms = usableTerms(q.terms);
      if (terms.length === 0 || q.limit < 1 || q.access.level < 0) return { hits: [], truncated: false };
      let plan = { select: terms, boost: [] as string[], truncated: false };
      const budget = q.maxCandidates === undefined ? undefined : Math.min(q.maxCandidates, PG_RANK_BUDGET);
      if (budget !== undefined) {
        const counts = await sql`SELECT (SELECT count(*) FROM (SELECT 1 FROM corpus_chunks c
            WHERE c.tsv @@ phraseto_tsquery('english', x.t) LIMIT ${budget + 1}) s) AS n
          FROM unnest(${textArray(sql, terms.map((t) => termWords(t).join(' ')))}) WITH ORDINALITY AS x(t, i) ORDER BY x.i`;
        plan = planTerms(terms, counts.map((r) => Number(r.n)), budget);
        if (plan.select.length === 0) return { hits: [], truncated: false };
      }
      // Rows are selected by the selecting terms (visible ones only, at most the budget), ranked on all terms.
      const rows = await sql`SELECT c.id, c.document_id, c.portion, c.chunk, c.text, c.us_persons, d.title, l.marking,
          ts_rank_cd(c.tsv, ${tsQuery(sql, terms)}) AS rank
        FROM (SELECT c.id FROM corpus_chunks c JOIN corpus_labels l ON l.id = c.label_id
              WHERE c.tsv @@ ${tsQuery(sql, plan.select)} AND ${visible(sql, q.access)}
              ${budget === undefined ? sql`` : sql`LIMIT ${budget}`}) r
        JOIN corpus_chunks c ON c.id = r.id
        JOIN corpus_labels l ON l.id = c.label_id
        JOIN corpus_documents d ON d.id = c.document_id
        ORDER BY rank DESC, c.id LIMIT ${Math.floor(q.limit)}`;
      // Lower is better across stores (the FTS5 bm25 convention).
      return { hits: rows.map((r) => ({ ...toChunk(r), score: -Number(r.rank) })), truncated: plan.truncated };
    },
    async countMatches(q) {
      const terms = usableTerms(q.terms);
      if (terms.length === 0 || q.cap < 1 || (q.access && q.access.level < 0)) return 0;
      const access = q.access;
      const [r] = access
        ? await sql`SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT ${tsQuery(sql, terms)} AS q) q
            JOIN corpus_chunks c ON c.tsv @@ q.q JOIN corpus_labels l ON l.id = c.label_id
            WHERE ${visible(sql, access)} LIMIT ${q.cap}) s`
        : await sql`SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT ${tsQuery(sql, terms)} AS q) q
            JOIN corpus_chunks c ON c.tsv @@ q.q LIMIT ${q.cap}) s`;
      return Number(r!.n);
    },
    async stats() {
      const [r] = await sql`SELECT (SELECT count(*) FROM corpus_documents) AS documents,
        (SELECT count(*) FROM corpus_chunks) AS chunks, (SELECT count(*) FROM corpus_labels) AS labels`;
      return { documents: Number(r!.documents), chunks: Number(r!.chunks), labels: Number(r!.labels) };
    },
    async listLabels() {
      // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
      return (await sql`SELECT marking FROM corpus_labels ORDER BY marking COLLATE "C"`).map((r) => String(r.marking));
    },
  };
}
