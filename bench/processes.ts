/** Child processes for benchmarks: started, awaited until ready, and always stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface Child {
  readonly proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a process and resolves once `ready` matches its stdout (or rejects on exit/timeout). */
export function startChild(cmd: string, args: string[], opts: { ready: RegExp; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string }): Promise<Child & { match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd });
    let out = '';
    const child: Child = {
      proc,
      output: () => out,
      stop: () => new Promise<void>((r) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
    };
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')} did not become ready:\n${out}`)); }, opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(opts.ready);
      if (m) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        // Keep draining so a chatty child never blocks on a full pipe.
        proc.stdout?.resume();
        resolve({ ...child, match: m });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited with ${code}:\n${out}`)); });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listening on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
