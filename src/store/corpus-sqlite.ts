/** The corpus on SQLite: label classes, chunks and a contentless FTS5 index filtered by rowid class. */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import {
  planTerms, termWords, usableTerms,
  type CorpusAccess, type CorpusChunkRecord, type CorpusDocumentInput, type CorpusDocumentRecord,
  type CorpusHit, type CorpusLabelColumns, type CorpusStore,
} from './corpus-types.ts';

type Row = Record<string, unknown>;

/** A chunk id is `label class << CLASS_SHIFT | n` (see schema/corpus.ts); 2^21 classes stay exact in a JS number. */
const CLASS_SHIFT = 32;
const CLASS_SPAN = 2 ** CLASS_SHIFT;
const MAX_CLASS = 2 ** 21 - 1;

/** The label classes `access` may read: evaluated in SQL over the class columns, once per query. */
const VISIBLE_CLASSES = `SELECT l.id FROM corpus_labels l WHERE l.level <= @level
  AND NOT EXISTS (SELECT 1 FROM json_each(l.tokens) t WHERE t.value NOT IN (SELECT value FROM json_each(@tokens)))
  AND (@country IS NULL OR l.release_open = 1 OR EXISTS (SELECT 1 FROM json_each(l.release_to) r WHERE r.value = @country))`;

/** An FTS5 string literal: the text is a phrase of its words, never query syntax. */
function phrase(term: string): string {
  return `"${termWords(term).join(' ').replaceAll('"', '""')}"`;
}

/** `(S) AND (S OR B)`: rows matching a selecting term, scored on every term (selecting ones twice). */
function matchExpression(select: readonly string[], boost: readonly string[]): string {
  const s = select.map(phrase).join(' OR ');
  return boost.length === 0 ? s : `(${s}) AND (${s} OR ${boost.map(phrase).join(' OR ')})`;
}

function accessParams(a: CorpusAccess): { level: number; tokens: string; country: string | null } {
  return { level: a.level, tokens: JSON.stringify(a.tokens), country: a.country };
}

function toChunk(r: Row): CorpusChunkRecord {
  return {
    documentId: String(r.document_id), title: String(r.title), portion: Number(r.portion), chunk: Number(r.chunk),
    text: String(r.text), marking: String(r.marking), usPersons: JSON.parse(String(r.us_persons)) as string[],
  };
}

function toDocument(r: Row): CorpusDocumentRecord {
  return {
    id: String(r.id), title: String(r.title), source: String(r.source), banner: String(r.banner), digest: String(r.digest),
    portions: Number(r.portions), chunks: Number(r.chunks), ingestedAt: String(r.ingested_at),
  };
}

function sameColumns(r: Row, l: CorpusLabelColumns): boolean {
  return Number(r.level) === l.level && r.tokens === JSON.stringify(l.tokens)
    && Number(r.release_open) === (l.releaseOpen ? 1 : 0) && r.release_to === JSON.stringify(l.releaseTo);
}

/**
 * The corpus store over an open better-sqlite3 handle whose migrations have run.
 * @example const corpus = createSqliteCorpusStore(openSqliteStore(path).db)
 */
export function createSqliteCorpusStore(db: Database.Database): CorpusStore {
  const getLabel = db.prepare('SELECT * FROM corpus_labels WHERE marking = ?');
  const insertLabel = db.prepare(`INSERT INTO corpus_labels (marking, level, tokens, release_open, release_to)
    VALUES (?, ?, ?, ?, ?) RETURNING id`);
  const lastInClass = db.prepare('SELECT max(id) AS m FROM corpus_chunks WHERE id >= ? AND id < ?');
  const documentChunks = db.prepare('SELECT id, text FROM corpus_chunks WHERE document_id = ?');
  const deleteIndexed = db.prepare(`INSERT INTO corpus_fts (corpus_fts, rowid, text) VALUES ('delete', ?, ?)`);
  const deleteChunks = db.prepare('DELETE FROM corpus_chunks WHERE document_id = ?');
  const deleteDocument = db.prepare('DELETE FROM corpus_documents WHERE id = ?');
  const insertDocument = db.prepare(`INSERT INTO corpus_documents (id, title, source, banner, digest, portions, chunks, ingested_at)
    VALUES (@id, @title, @source, @banner, @digest, @portions, @chunks, @ingestedAt)`);
  const insertChunk = db.prepare('INSERT INTO corpus_chunks (id, document_id, portion, chunk, text, us_persons) VALUES (?, ?, ?, ?, ?, ?)');
  const insertIndexed = db.prepare('INSERT INTO corpus_fts (rowid, text) VALUES (?, ?)');
  const getDocument = db.prepare('SELECT * FROM corpus_documents WHERE id = ?');
  const listDocuments = db.prepare('SELECT * FROM corpus_documents ORDER BY id');
  const listChunks = db.prepare(`SELECT c.*, d.title, l.marking FROM corpus_chunks c
    JOIN corpus_documents d ON d.id = c.document_id JOIN corpus_labels l ON l.id = (c.id >> ${CLASS_SHIFT})
    WHERE c.document_id = ? ORDER BY c.portion, c.chunk`);
  const countAll = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM corpus_fts WHERE corpus_fts MATCH @match LIMIT @cap)');
  const countVisible = db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM corpus_fts f WHERE corpus_fts MATCH @match
    AND (f.rowid >> ${CLASS_SHIFT}) IN (${VISIBLE_CLASSES}) LIMIT @cap)`);
  // The inner query ranks only visible rows (the class test runs on the rowid before bm25), at
  // most @cap of them; only the best @limit are joined to their text.
  const search = db.prepare(`SELECT r.id, r.score, c.document_id, c.portion, c.chunk, c.text, c.us_persons, d.title, l.marking
    FROM (SELECT id, score FROM (
            SELECT f.rowid AS id, bm25(corpus_fts) AS score FROM corpus_fts f
            WHERE corpus_fts MATCH @match AND (f.rowid >> ${CLASS_SHIFT}) IN (${VISIBLE_CLASSES}) LIMIT @cap)
          ORDER BY score, id LIMIT @limit) r
    JOIN corpus_chunks c ON c.id = r.id JOIN corpus_documents d ON d.id = c.document_id
    JOIN corpus_labels l ON l.id = (r.id >> ${CLASS_SHIFT})
    ORDER BY r.score, r.id`);
  const listLabels = db.prepare('SELECT marking FROM corpus_labels ORDER BY marking');
  const stats = db.prepare(`SELECT (SELECT count(*) FROM corpus_documents) AS documents,
    (SELECT count(*) FROM corpus_chunks) AS chunks, (SELECT count(*) FROM corpus_labels) AS labels`);

  function labelClass(label: CorpusLabelColumns, cache: Map<string, number>): number {
    const cached = cache.get(label.marking);
    if (cached !== undefined) return cached;
    const row = getLabel.get(label.marking) as Row | undefined;
    let id: number;
    if (row) {
      if (!sameColumns(row, label)) throw new StoreError('CONFLICT', `label ${label.marking} is stored with different access columns`);
      id = Number(row.id);
    } else {
      id = Number((insertLabel.get(label.marking, label.level, JSON.stringify(label.tokens), label.releaseOpen ? 1 : 0, JSON.stringify(label.releaseTo)) as Row).id);
    }
    if (id > MAX_CLASS) throw new StoreError('CONFLICT', `more than ${MAX_CLASS} distinct labels`);
    cache.set(label.marking, id);
    return id;
  }

  function nextId(cls: number, next: Map<number, number>): number {
    let id = next.get(cls);
    if (id === undefined) {
      const last = (lastInClass.get(cls * CLASS_SPAN, (cls + 1) * CLASS_SPAN) as Row).m;
      id = last == null ? cls * CLASS_SPAN + 1 : Number(last) + 1;
    }
    if (id >= (cls + 1) * CLASS_SPAN) throw new StoreError('CONFLICT', 'too many chunks under one label');
    next.set(cls, id + 1);
    return id;
  }

  function remove(id: string): boolean {
    for (const r of documentChunks.all(id) as Row[]) deleteIndexed.run(r.id, r.text);
    deleteChunks.run(id);
    return deleteDocument.run(id).changes === 1;
  }

  const replace = db.transaction((docs: readonly CorpusDocumentInput[], ingestedAt: string) => {
    const classes = new Map<string, number>();
    const next = new Map<number, number>();
    for (const doc of docs) {
      remove(doc.id);
      insertDocument.run({ ...doc, chunks: doc.chunks.length, ingestedAt });
      for (const c of doc.chunks) {
        const id = nextId(labelClass(c.label, classes), next);
        insertChunk.run(id, doc.id, c.portion, c.chunk, c.text, JSON.stringify(c.usPersons));
        insertIndexed.run(id, c.text);
      }
    }
  });

  const plan = (terms: string[], budget: number) => planTerms(terms, terms.map((t) => Number((countAll.get({ match: phrase(t), cap: budget + 1 }) as Row).n)), budget);

  return {
    async replaceDocuments(docs) {
      if (docs.length > 0) replace.immediate(docs, new Date().toISOString());
    },
    async removeDocument(id) {
      return db.transaction(() => remove(id)).immediate();
    },
    async getDocument(id) {
      const r = getDocument.get(id) as Row | undefined;
      return r ? toDocument(r) : undefined;
    },
    async listDocuments() {
      return (listDocuments.all() as Row[]).map(toDocument);
    },
    async listChunks(documentId) {
      return (listChunks.all(documentId) as Row[]).map(toChunk);
    },
    async search(q) {
      const terms = usableTerms(q.terms);
      if (terms.length === 0 || q.limit < 1 || q.access.level < 0) return { hits: [], truncated: false };
      const budget = q.maxCandidates;
      const { select, boost, truncated } = budget === undefined ? { select: terms, boost: [], truncated: false } : plan(terms, budget);
      if (select.length === 0) return { hits: [], truncated: false };
      const rows = search.all({ match: matchExpression(select, boost), cap: budget ?? -1, limit: Math.floor(q.limit), ...accessParams(q.access) }) as Row[];
      const hits = rows.map((r): CorpusHit => ({ ...toChunk(r), score: Number(r.score) }));
      return { hits, truncated };
    },
    async countMatches(q) {
      const terms = usableTerms(q.terms);
      if (terms.length === 0 || q.cap < 1 || (q.access && q.access.level < 0)) return 0;
      const match = matchExpression(terms, []);
      const row = (q.access ? countVisible.get({ match, cap: q.cap, ...accessParams(q.access) }) : countAll.get({ match, cap: q.cap })) as Row;
      return Number(row.n);
    },
    async stats() {
      const r = stats.get() as Row;
      return { documents: Number(r.documents), chunks: Number(r.chunks), labels: Number(r.labels) };
    },
    async listLabels() {
      return (listLabels.all() as Row[]).map((r) => String(r.marking));
    },
  };
}
