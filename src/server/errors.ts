/** The server part's one error type (configuration and start-up problems). */

export type ServerErrorCode = 'CONFIG_INVALID' | 'START_FAILED';

export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(readonly code: ServerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
