/** `enclave markings banner|check|parse`: roll up portion marks, check access, parse a marking. */
import { z } from 'zod';
import {
  checkAccess, formatBanner, formatPortion, isCountryTrigraph, leastUpperBound, tryParseMarking, type Label,
} from '../../markings/index.ts';
import { parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave markings banner PORTION...                          banner line of the portions' roll-up
  enclave markings check CLEARANCE LABEL [--nationality XXX]  allow (exit 0) or deny: reason (exit 1)
  enclave markings parse MARKING                              canonical banner, portion mark and label as JSON
An invalid marking or usage exits 2. Nationality is an ISO 3166 alpha-3 code (default USA).
`;

const nationalitySchema = z.string().trim().toUpperCase().refine(isCountryTrigraph, 'not an ISO 3166 alpha-3 country code');

/** Shows user input in an error line: bounded and printable. */
function show(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 77)}...` : clean);
}

/** Parses every marking or reports the first invalid one on stderr. */
function parseAll(markings: string[], io: CliIO): Label[] | null {
  const labels: Label[] = [];
  for (const m of markings) {
    const parsed = tryParseMarking(m);
    if (!parsed.ok) {
      io.stderr(`enclave markings: invalid marking ${show(m)}: ${parsed.error.message} [${parsed.error.code}]\n`);
      return null;
    }
    labels.push(parsed.label);
  }
  return labels;
}

function banner(argv: string[], io: CliIO): number {
  const { positionals } = parseFlags(argv, {});
  if (positionals.length === 0) throw new UsageError('banner needs at least one PORTION');
  const labels = parseAll(positionals, io);
  if (!labels) return 2;
  io.stdout(`${formatBanner(leastUpperBound(labels))}\n`);
  return 0;
}

function check(argv: string[], io: CliIO): number {
  const { values, positionals } = parseFlags(argv, { nationality: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('check takes CLEARANCE and LABEL');
  const nationality = nationalitySchema.safeParse(values.nationality ?? 'USA');
  if (!nationality.success) {
    io.stderr(`enclave markings: invalid nationality ${show(values.nationality ?? '')}: not an ISO 3166 alpha-3 country code\n`);
    return 2;
  }
  const labels = parseAll(positionals, io);
  if (!labels) return 2;
  const decision = checkAccess({ label: labels[0]!, nationality: nationality.data }, labels[1]!);
  if (decision.allowed) {
    io.stdout('allow\n');
    return 0;
  }
  io.stdout(`deny: ${decision.reason} [${decision.rule}]\n`);
  return 1;
}

function parse(argv: string[], io: CliIO): number {
  const { positionals } = parseFlags(argv, {});
  if (positionals.length !== 1) throw new UsageError('parse takes one MARKING');
  const labels = parseAll(positionals, io);
  if (!labels) return 2;
  const label = labels[0]!;
  io.stdout(`${JSON.stringify({ banner: formatBanner(label), portion: formatPortion(label), label }, null, 2)}\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIO) => number> = { banner, check, parse };

/** `enclave markings <banner|check|parse> ...`; exit 0 ok/allow, 1 deny, 2 invalid marking or usage. */
export const markingsCommand: CliCommand = async (argv, io) => {
  const [name, ...rest] = argv;
  const sub = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!sub) {
    if (name !== undefined) io.stderr(`enclave markings: unknown subcommand ${show(name)}\n`);
    io.stderr(USAGE);
    return 2;
  }
  try {
    return sub(rest, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`enclave markings ${name}: ${err.message}\n${USAGE}`);
    return 2;
  }
};
