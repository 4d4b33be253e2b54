/**
 * `enclave audit ...`: checkpoints, proofs, export, search and verification of the audit log, and
 * `decrypt` of the sealed content an entry points at (audit-decrypt.ts).
 * `verify --export DIR` needs nothing but the directory; the other subcommands open the
 * deployment's log through the injected `openAuditLog`.
 */
import { readFile } from 'node:fs/promises';
import {
  AuditLog,
  verifyExportDirectory,
  type AuditSearch,
  type VerifyResult,
} from '../../audit/index.ts';
import { formatNoteKeyId, formatNoteVerifierKey, parseNoteVerifierKey, toBase64, type NoteVerifierKey } from '../../crypto/index.ts';
import { parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';
import { checkDecryptRequest, runDecrypt, type ContentAccess } from './audit-decrypt.ts';

export interface AuditCommandDeps {
  /** Opens the deployment's audit log (store and keys) from --config, without a checkpoint timer. */
  openAuditLog(options: { config?: string }): Promise<AuditLog>;
  /** Recorded as the actor of `export` and `decrypt` entries (default `system:cli`). */
  readonly actor?: string;
  /** Opens the log, the sealed content and the key ring's decryption keys (`decrypt` only). */
  openContentAccess?(options: { config?: string }): Promise<ContentAccess>;
}

const USAGE = `usage:
  enclave audit verify --export DIR [--key VKEY]... [--keys FILE] [--checkpoint FILE]... [--strict] [--json]
  enclave audit verify [--config F] [--strict] [--json]
  enclave audit pubkey [--config F] [--json]
  enclave audit checkpoint [--config F]
  enclave audit prove --index N [--config F]
  enclave audit consistency --from M [--to N] [--config F]
  enclave audit export DIR [--config F]
  enclave audit search [--user U] [--decision D] [--kind K] [--since ISO] [--until ISO] [--limit N] [--config F]
  enclave audit decrypt --index N --reason TEXT [--as USER] [--config F]
`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function nonNegativeInt(flag: string, text: string | undefined): number {
  if (text === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${flag} needs a non-negative integer`);
  return Number(text);
}

function isoTime(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = new Date(text);
  if (Number.isNaN(t.getTime())) throw new UsageError(`--${flag} needs an ISO 8601 time`);
  return t.toISOString();
}

function report(result: VerifyResult, io: CliIO, asJson: boolean): number {
  if (asJson) {
    io.stdout(json(result.ok ? { ...result, root: toBase64(result.root) } : result));
  } else if (result.ok) {
    io.stdout(`OK: ${result.size} entries, root ${toBase64(result.root)}, ${result.checkpoints} checkpoints, ${result.checkpointedSize} entries under a signed checkpoint\n`);
    if (result.uncovered > 0) io.stderr(`note: the last ${result.uncovered} entries are not yet covered by a checkpoint; only their order was checked\n`);
  } else {
    io.stdout(`FAIL ${result.code} at index ${result.index}: ${result.message}\n`);
  }
  return result.ok ? 0 : 1;
}

async function readKeys(keyFlags: string[] = [], keysFile?: string): Promise<NoteVerifierKey[] | undefined> {
  const lines = [...keyFlags];
  if (keysFile) lines.push(...(await readFile(keysFile, 'utf8')).split('\n'));
  const keys = lines.map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#')).map(parseNoteVerifierKey);
  return keys.length > 0 ? keys : undefined;
}

async function verifyExport(values: { export?: string; key?: string[]; keys?: string; checkpoint?: string[]; strict?: boolean; json?: boolean }, io: CliIO): Promise<number> {
  const keys = await readKeys(values.key, values.keys);
  const extraCheckpoints = await Promise.all((values.checkpoint ?? []).map((f) => readFile(f, 'utf8')));
  const v = await verifyExportDirectory(values.export!, { keys, extraCheckpoints, strict: values.strict });
  if (v.keysFromBundle) {
    io.stderr(`warning: keys were taken from the bundle itself; compare these key IDs with \`enclave audit pubkey\` on the source system, or pin them with --keys:\n`);
    for (const k of v.keys) io.stderr(`  ${k.name} ${k.algorithm} ${formatNoteKeyId(k.keyId)}\n`);
  }
  return report(v.result, io, values.json === true);
}

/** Builds the `enclave audit` command; without deps only `verify --export` can run. */
export function createAuditCommand(deps?: AuditCommandDeps): CliCommand {
  async function withLog<T>(config: string | undefined, fn: (log: AuditLog) => Promise<T>, options: { writes?: boolean } = {}): Promise<T> {
    if (!deps) throw new UsageError('this subcommand needs a deployment (--config); only `verify --export DIR` works on its own');
    const log = await deps.openAuditLog({ config });
    try {
      return await fn(log);
    } finally {
      await log.close({ checkpoint: options.writes === true });
    }
  }

  const commands: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
    async verify(argv, io) {
      const { values } = parseFlags(argv, {
        export: { type: 'string' },
        key: { type: 'string', multiple: true },
        keys: { type: 'string' },
        checkpoint: { type: 'string', multiple: true },
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
        config: { type: 'string' },
      });
      if (values.export !== undefined) {
        if (values.config !== undefined) throw new UsageError('use either --export or --config');
        return verifyExport(values, io);
      }
      return withLog(values.config, async (log) => report(await log.verify({ strict: values.strict }), io, values.json === true));
    },

    async pubkey(argv, io) {
      const { values } = parseFlags(argv, { config: { type: 'string' }, json: { type: 'boolean' } });
      return withLog(values.config, async (log) => {
        const keys = log.verifierKeys();
        if (values.json) io.stdout(json(keys.map((k) => ({ name: k.name, algorithm: k.algorithm, keyId: formatNoteKeyId(k.keyId), vkey: formatNoteVerifierKey(k) }))));
        else for (const k of keys) io.stdout(`${formatNoteVerifierKey(k)}\n`);
        return 0;
      });
    },

    async checkpoint(argv, io) {
      const { values } = parseFlags(argv, { config: { type: 'string' } });
      return withLog(
        values.config,
        async (log) => {
          const cp = await log.checkpoint();
          if (!cp) {
            io.stderr('the log is empty: nothing to sign\n');
            return 1;
          }
          io.stdout(cp.note);
          return 0;
        },
        { writes: true },
      );
    },

    async prove(argv, io) {
      const { values } = parseFlags(argv, { index: { type: 'string' }, config: { type: 'string' } });
      const index = nonNegativeInt('index', values.index);
      return withLog(values.config, async (log) => {
        const b = await log.prove(index);
        io.stdout(json({ index: b.index, treeSize: b.size, entry: JSON.parse(b.entry) as unknown, leafHash: toBase64(b.leafHash), inclusionProof: b.proof.map(toBase64), checkpoint: b.checkpoint }));
        return 0;
      }, { writes: true });
    },

    async consistency(argv, io) {
      const { values } = parseFlags(argv, { from: { type: 'string' }, to: { type: 'string' }, config: { type: 'string' } });
      const from = nonNegativeInt('from', values.from);
      const to = values.to === undefined ? undefined : nonNegativeInt('to', values.to);
      return withLog(values.config, async (log) => {
        const c = await log.consistency(from, to);
        io.stdout(
          json({
            from: c.from,
            to: c.to,
            fromRoot: toBase64(c.fromRoot),
            toRoot: toBase64(c.toRoot),
            consistencyProof: c.proof.map(toBase64),
            fromCheckpoint: c.fromCheckpoint,
            toCheckpoint: c.toCheckpoint,
          }),
        );
        return 0;
      }, { writes: true });
    },

    async export(argv, io) {
      const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('export takes one DIR');
      const dir = positionals[0]!;
      return withLog(
        values.config,
        async (log) => {
          const r = await log.export(dir);
          await log.append({ kind: 'export', actor: deps?.actor ?? 'system:cli', action: 'audit.export', details: { entries: r.size, checkpoints: r.checkpoints } });
          io.stdout(`exported ${r.size} entries and ${r.checkpoints} checkpoints to ${dir}\n`);
          io.stderr(`verify it anywhere with: enclave audit verify --export ${dir} --keys <output of enclave audit pubkey>\n`);
          return 0;
        },
        { writes: true },
      );
    },

    async search(argv, io) {
      const { values } = parseFlags(argv, {
        user: { type: 'string' },
        decision: { type: 'string' },
        kind: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        config: { type: 'string' },
      });
      const filter: AuditSearch = {
        actor: values.user,
        decision: values.decision,
        kind: values.kind,
        since: isoTime('since', values.since),
        until: isoTime('until', values.until),
        limit: values.limit === undefined ? undefined : nonNegativeInt('limit', values.limit),
      };
      return withLog(values.config, async (log) => {
        for await (const page of log.search(filter)) for (const e of page) io.stdout(`${e.data}\n`);
        return 0;
      });
    },

    async decrypt(argv, io) {
      const { values } = parseFlags(argv, { index: { type: 'string' }, reason: { type: 'string' }, as: { type: 'string' }, config: { type: 'string' } });
      const request = { index: nonNegativeInt('index', values.index), reason: values.reason, actor: values.as ?? deps?.actor ?? 'system:cli' };
      checkDecryptRequest(request);
      if (!deps?.openContentAccess) throw new UsageError('decrypt needs a deployment (--config)');
      const access = await deps.openContentAccess({ config: values.config });
      try {
        return await runDecrypt(access, request, io);
      } finally {
        await access.close();
      }
    },
  };

  return async (argv, io) => {
    const [sub, ...rest] = argv;
    const run = sub === undefined ? undefined : commands[sub];
    if (!run) {
      io.stderr(USAGE);
      return 2;
    }
    return run(rest, io);
  };
}

/** `enclave audit` with no deployment wired: `verify --export DIR` only. */
export const auditCommand: CliCommand = createAuditCommand();

