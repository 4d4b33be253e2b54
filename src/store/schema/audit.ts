/** Tables for the Merkle audit log and checkpoints (audit part). Versions 10..19 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

export const AUDIT_MIGRATIONS: readonly Migration[] = [];
