/** Tables for console sessions (console part). Versions 30..39 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

export const SESSION_MIGRATIONS: readonly Migration[] = [];
