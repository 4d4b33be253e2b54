/** `enclave guard`: classify JSON lines with the red-line guards, or measure them on a labelled file. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  defaultAction, evaluateGuards, formatReport, loadGuards, parseGuardConfig, parseLabelledLines,
  type GuardOptions, type GuardSource, type Guards,
} from '../../guards/index.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave guard classify [--config FILE] [--source user|retrieved|tool|output]
      reads JSON lines {"id","text"} on stdin, writes {"id","category","score","action"} per line
  enclave guard eval FILE.jsonl [--config FILE] [--json] [--errors]
      lines carry "label"; prints precision, recall, F1, false-positive rates, confusion, latency
`;

const SOURCES = ['user', 'retrieved', 'tool', 'output'] as const;
const InputLine = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string(),
  source: z.enum(SOURCES).optional(),
});

class UsageError extends Error {}

interface Flags { positional: string[]; config?: string; source?: GuardSource; json: boolean; errors: boolean }

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { positional: [], json: false, errors: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--config') flags.config = value();
    else if (a === '--source') {
      const s = value();
      if (!(SOURCES as readonly string[]).includes(s)) throw new UsageError(`--source must be one of ${SOURCES.join(', ')}`);
      flags.source = s as GuardSource;
    } else if (a === '--json') flags.json = true;
    else if (a === '--errors') flags.errors = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown flag ${a}`);
    else flags.positional.push(a);
  }
  return flags;
}

async function guardsFrom(flags: Flags): Promise<{ guards: Guards; useJudge: boolean }> {
  const options: GuardOptions = flags.config ? parseGuardConfig(await readFile(flags.config, 'utf8')) : {};
  return { guards: loadGuards(options), useJudge: Boolean(options.judge) };
}

/** Splits stdin into lines as it arrives, so large inputs stream. */
async function* readLines(io: CliIO): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of io.stdin) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
  }
  if (rest.length > 0) yield rest;
}

async function classify(flags: Flags, io: CliIO): Promise<number> {
  const { guards, useJudge } = await guardsFrom(flags);
  let lineNo = 0;
  let bad = 0;
  for await (const raw of readLines(io)) {
    lineNo++;
    if (!raw.trim()) continue;
    let parsed: z.infer<typeof InputLine>;
    try {
      const result = InputLine.safeParse(JSON.parse(raw));
      if (!result.success) throw new Error(result.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; '));
      parsed = result.data;
    } catch (err) {
      bad++;
      const error = err instanceof SyntaxError ? 'not valid JSON' : err instanceof Error ? err.message : String(err);
      io.stdout(`${JSON.stringify({ line: lineNo, error })}\n`);
      continue;
    }
    const source = parsed.source ?? flags.source ?? 'user';
    const signal = useJudge ? await guards.classifyWithJudge(parsed.text, { source }) : guards.classify(parsed.text, { source });
    io.stdout(`${JSON.stringify({ id: parsed.id, category: signal.category, score: Math.round(signal.score * 1e4) / 1e4, action: defaultAction(signal, { source }) })}\n`);
  }
  return bad > 0 ? 1 : 0;
}

async function evaluate(flags: Flags, io: CliIO): Promise<number> {
  const file = flags.positional[0];
  if (!file || flags.positional.length > 1) throw new UsageError('eval takes exactly one FILE.jsonl');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    io.stderr(`enclave guard eval: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const { guards, useJudge } = await guardsFrom(flags);
  const { lines, errors } = parseLabelledLines(text);
  for (const e of errors) io.stderr(`line ${e.line}: ${e.error}\n`);
  const report = { ...(await evaluateGuards(guards, lines, { useJudge, ...(flags.source ? { defaultSource: flags.source } : {}) })), errors };
  if (flags.json) {
    const { misclassified, ...summary } = report;
    io.stdout(`${JSON.stringify(flags.errors ? report : summary, null, 2)}\n`);
  } else {
    io.stdout(formatReport(report));
    if (flags.errors) for (const m of report.misclassified) io.stdout(`  ${m.id}: ${m.label} -> ${m.predicted} (${m.score.toFixed(3)})\n`);
  }
  return errors.length > 0 ? 1 : 0;
}

/**
 * `enclave guard classify|eval`. Exit codes: 0 all lines processed, 1 some lines were rejected
 * (each named by line number; the rest still ran), 2 usage or file error.
 */
export const guardCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  try {
    const flags = parseFlags(rest);
    if (sub === 'classify') {
      if (flags.positional.length > 0) throw new UsageError('classify reads stdin and takes no file');
      return await classify(flags, io);
    }
    if (sub === 'eval') return await evaluate(flags, io);
    io.stderr(USAGE);
    return 2;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`enclave guard: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('GUARD_')) {
      io.stderr(`enclave guard: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
};
