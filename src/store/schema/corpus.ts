/** Tables for the classified corpus and its full-text index (retrieval part). Versions 3..9 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

export const CORPUS_MIGRATIONS: readonly Migration[] = [];
