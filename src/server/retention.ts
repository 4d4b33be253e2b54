/**
 * Content at rest for the gateway: when `retention.content` is on, each request's prompt and
 * answer are sealed for the audit key ring's current public encryption key and stored, and records
 * older than `retention.days` are purged (each purge that removes something is an audit entry).
 *
 * The gateway seals with the public key only; opening needs the ring's private keys, which
 * `enclave audit decrypt` opens for one record at a time, recording who asked and why.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { formatContentRef, newContentId, sealContent } from '../audit/index.ts';
import type { EncryptionPublicKey } from '../crypto/index.ts';
import type { ContentRetainer, Recorder } from '../gateway/index.ts';
import type { ContentStore } from '../store/index.ts';

const DAY_MS = 86_400_000;

/** The `retention:` section of the configuration file. */
export const retentionConfigSchema = z.strictObject({
  /** Keep prompts and answers, sealed; off by default (entries then carry digests only). */
  content: z.boolean().default(false),
  /** Sealed records older than this many days are deleted. */
  days: z.number().int().min(1).max(36_500).default(90),
  /** How often the purge runs (also once at start-up). */
  purge_interval_minutes: z.number().int().min(1).max(10_080).default(60),
});
export type RetentionConfig = z.infer<typeof retentionConfigSchema>;
export const RETENTION_CONFIG_DEFAULTS: RetentionConfig = { content: false, days: 90, purge_interval_minutes: 60 };

export interface ContentRetentionOptions {
  store: ContentStore;
  /** The key ring's current public encryption key. */
  publicKey: EncryptionPublicKey;
  settings: RetentionConfig;
  recorder: Recorder;
  logger: Pick<Logger, 'error'>;
  now?: () => Date;
}

export interface ContentRetention {
  /** What the gateway's audit stage calls. */
  readonly retainer: ContentRetainer;
  /** Deletes records older than the retention period; resolves with how many went (0 on failure, logged). */
  purge(): Promise<number>;
  /** Runs the purge now and then every `purge_interval_minutes`. */
  start(): Promise<void>;
  /** Stops the timer and waits for a purge in progress (before the audit log closes). */
  stop(): Promise<void>;
}

/**
 * Builds the gateway's content retention over the store and the ring's public key.
 * @example const retention = createContentRetention({ store: store.content, publicKey: audit.contentKey, settings, recorder, logger });
 */
export function createContentRetention(options: ContentRetentionOptions): ContentRetention {
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let purging: Promise<number> | undefined;

  const retainer: ContentRetainer = {
    async retain({ label, content }) {
      const id = newContentId();
      const sealed = sealContent({ id, label, content, publicKey: options.publicKey });
      await options.store.put({ id, label, createdAt: now().getTime(), sealed });
      return formatContentRef(id);
    },
  };

  async function purgeOnce(): Promise<number> {
    const before = now().getTime() - options.settings.days * DAY_MS;
    try {
      const deleted = await options.store.deleteOlderThan(before);
      if (deleted > 0) {
        await options.recorder.record({
          kind: 'retention', actor: 'system:retention', requestId: null,
          data: { action: 'content.purge', deleted, before: new Date(before).toISOString(), days: options.settings.days },
        });
      }
      return deleted;
    } catch (err) {
      options.logger.error({ err }, 'content retention purge failed');
      return 0;
    }
  }

  // Replicas each purge; overlapping runs in one process share one.
  function purge(): Promise<number> {
    purging ??= purgeOnce().finally(() => { purging = undefined; });
    return purging;
  }

  return {
    retainer,
    purge,
    async start() {
      await purge();
      timer ??= setInterval(() => void purge(), options.settings.purge_interval_minutes * 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await purging;
    },
  };
}
