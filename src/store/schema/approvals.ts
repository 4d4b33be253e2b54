/** Tables for held actions, approvals and receipts (approvals part). Versions 20..29 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

export const APPROVAL_MIGRATIONS: readonly Migration[] = [];
