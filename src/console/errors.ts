/** The console part's one error type. */

export type ConsoleErrorCode = 'CONFIG_INVALID' | 'ASSETS_BUILD_FAILED';

export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(readonly code: ConsoleErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
