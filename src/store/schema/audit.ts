/** Tables for the Merkle audit log and checkpoints (audit part). Versions 10..19 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

// `data` is TEXT in both dialects, never jsonb: the tree commits to its exact bytes.
// Search indexes end in idx because searchEntries pages in index order (keyset on idx).
// Triggers make the entry and checkpoint tables append-only for every writer of the database.
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 10,
    name: 'audit-log',
    sqlite: `
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, last_leaf_hash BLOB);
      INSERT INTO audit_head (id, size, last_leaf_hash) VALUES (1, 0, NULL);
      CREATE TABLE audit_entries (
        idx INTEGER PRIMARY KEY, data TEXT NOT NULL, leaf_hash BLOB NOT NULL,
        time TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, decision TEXT);
      CREATE INDEX audit_entries_actor ON audit_entries (actor, idx);
      CREATE INDEX audit_entries_decision ON audit_entries (decision, idx);
      CREATE INDEX audit_entries_kind ON audit_entries (kind, idx);
      CREATE INDEX audit_entries_time ON audit_entries (time);
      CREATE TABLE audit_checkpoints (
        size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, frontier BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
      CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
      CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;`,
    postgres: `
      CREATE TABLE audit_head (id INT PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, last_leaf_hash BYTEA);
      INSERT INTO audit_head (id, size, last_leaf_hash) VALUES (1, 0, NULL);
      CREATE TABLE audit_entries (
        idx BIGINT PRIMARY KEY, data TEXT NOT NULL, leaf_hash BYTEA NOT NULL,
        time TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, decision TEXT);
      CREATE INDEX audit_entries_actor ON audit_entries (actor, idx);
      CREATE INDEX audit_entries_decision ON audit_entries (decision, idx);
      CREATE INDEX audit_entries_kind ON audit_entries (kind, idx);
      CREATE INDEX audit_entries_time ON audit_entries (time);
      CREATE TABLE audit_checkpoints (
        size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, frontier BYTEA NOT NULL, created_at TEXT NOT NULL);
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`,
  },
];
