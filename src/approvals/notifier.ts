/**
 * Wakes long polls in this process when a request changes. Other replicas' changes are seen
 * by the poll's periodic re-read of the store, so the notifier is an optimisation, never the
 * only path to an answer.
 */

export interface Notifier {
  /** Wakes every waiter on `id`. */
  notify(id: string): void;
  /** Resolves on the next notify of `id`, after `ms`, or when `signal` aborts, whichever is first. */
  next(id: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** Wakes every waiter (shutdown). */
  wakeAll(): void;
  /** Waiters currently parked, for tests and metrics. */
  waiting(): number;
}

export function createNotifier(): Notifier {
  const waiters = new Map<string, Set<() => void>>();
  let count = 0;
  return {
    notify(id) {
      const set = waiters.get(id);
      if (!set) return;
      waiters.delete(id);
      for (const wake of set) wake();
    },
    next(id, ms, signal) {
      return new Promise<void>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          count--;
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          const set = waiters.get(id);
          set?.delete(finish);
          if (set?.size === 0) waiters.delete(id);
          resolve();
        };
        count++;
        const timer = setTimeout(finish, Math.max(0, ms));
        timer.unref?.();
        if (signal?.aborted) return finish();
        signal?.addEventListener('abort', finish, { once: true });
        let set = waiters.get(id);
        if (!set) waiters.set(id, (set = new Set()));
        set.add(finish);
      });
    },
    wakeAll() {
      const all = [...waiters.values()];
      waiters.clear();
      for (const set of all) for (const wake of set) wake();
    },
    waiting: () => count,
  };
}
