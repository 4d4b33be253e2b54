/** The console's sessions live in the gateway's store, so every replica sees them. */
import type { SessionStore, Store } from '../store/index.ts';

export type { SessionStore };

/** The session store of an opened store. */
export function sessionStoreFor(store: Store): SessionStore {
  return store.sessions;
}
