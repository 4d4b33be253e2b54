/** Writes the configuration's bootstrap principals into the store at start-up. */
import { tryParseMarking } from '../markings/index.ts';
import type { IdentityStore } from '../store/index.ts';
import { IdentityError } from './errors.ts';

export interface BootstrapUser {
  id: string;
  name: string;
  clearance: string;
  nationality: string;
  roles: string[];
}

/**
 * Validates every clearance first, then upserts: a typo in one user's clearance stops the
 * start-up before anything is written.
 */
export async function bootstrapUsers(store: IdentityStore, users: readonly BootstrapUser[], now = new Date()): Promise<void> {
  for (const u of users) {
    const parsed = tryParseMarking(u.clearance);
    if (!parsed.ok) throw new IdentityError('INVALID_CLEARANCE', `user ${u.id}: clearance "${u.clearance}": ${parsed.error.message}`);
  }
  for (const u of users) {
    await store.upsertUser({ ...u, roles: [...u.roles], disabled: false, updatedAt: now.toISOString() });
  }
}
