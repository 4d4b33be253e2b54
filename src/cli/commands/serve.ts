/** `enclave serve`: runs the gateway until SIGINT or SIGTERM. */
import { loadConfig, startGateway } from '../../server/index.ts';
import { configPath, parseFlags, UsageError } from '../args.ts';
import type { CliCommand } from '../io.ts';

export const serveCommand: CliCommand = async (argv, io) => {
  const { values } = parseFlags(argv, { config: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' } });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port number: ${values.port}`);
  }
  const config = loadConfig(configPath(values.config), process.env, { ...(port !== undefined ? { port } : {}), ...(values.data ? { dataDir: values.data } : {}) });
  const gateway = await startGateway(config, { print: (l) => io.stdout(`${l}\n`) });
  io.stdout(`Enclave listening on ${gateway.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.stderr('shutting down\n');
  await gateway.close();
  return 0;
};
