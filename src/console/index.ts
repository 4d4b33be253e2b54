/** Public surface of the console part: the web console under /console. */
export { registerConsole } from './register.ts';
export type { ConsoleDeps } from './context.ts';
export { consoleConfigSchema, DEFAULT_CONSOLE_CONFIG, type ConsoleConfig } from './config.ts';
export { ConsoleError, type ConsoleErrorCode } from './errors.ts';
export { sessionStoreFor, type SessionStore } from './session-store.ts';
