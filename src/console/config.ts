/** The `console:` section of the configuration. */
import { z } from 'zod';

export const consoleConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Show how many matching portions were withheld from an answer (a count, never content). This
   * itself discloses that material above the reader exists on the topic; a deployment may turn it off.
   */
  show_withheld_count: z.boolean().default(true),
  /** Sign-in attempts per client address per minute (login and callback each). */
  login_rate_per_minute: z.number().int().min(1).max(10_000).default(30),
  /** Approve and reject calls per client address per minute. */
  approval_rate_per_minute: z.number().int().min(1).max(10_000).default(30),
  /** Roles that may ingest into the corpus from the console. */
  admin_roles: z.array(z.string().min(1)).default(['admin']),
  /**
   * Folders on the gateway host that administrators may ingest from in the console; a path outside
   * them (after resolving links) is refused. Empty: console ingestion is off (the CLI still works).
   */
  ingest_roots: z.array(z.string().min(1)).default([]),
  /** Roles that may read the audit log in the console. */
  auditor_roles: z.array(z.string().min(1)).default(['auditor', 'admin']),
  /** Seconds between samples of the request and decision counters for the status charts. */
  chart_interval_seconds: z.number().int().min(1).max(3600).default(10),
}).strict();

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = consoleConfigSchema.parse({});
