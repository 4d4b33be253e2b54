/** OpenAI-shaped error bodies for failures that happen before the pipeline (parsing, routing). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorShape {
  status: number;
  type: string;
  code: string;
  message: string;
  param?: string | null;
}

/** Sends `{"error":{message,type,code,param,enclave}}`. */
export function sendError(request: FastifyRequest, reply: FastifyReply, e: ErrorShape): FastifyReply {
  return reply.code(e.status).type('application/json').send({
    error: { message: e.message, type: e.type, code: e.code, param: e.param ?? null, enclave: { request_id: request.id, rule: `http.${e.code}` } },
  });
}

/**
 * Maps framework errors to clear 4xx answers. Anything unexpected becomes a 500 whose body
 * names only the request id: internals go to the log, never to the client.
 */
export function describeHttpError(err: FastifyError): ErrorShape {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, type: 'invalid_request_error', code: 'invalid_json', message: 'The request body is not valid JSON.' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, type: 'invalid_request_error', code: 'body_too_large', message: 'The request body is larger than this gateway accepts.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type', message: 'Send the request body as application/json.' };
    default:
      break;
  }
  // JSON.parse errors surface as SyntaxError with a 400 status; body size as 413.
  if (err.statusCode === 413) return { status: 413, type: 'invalid_request_error', code: 'body_too_large', message: 'The request body is larger than this gateway accepts.' };
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, type: 'invalid_request_error', code: 'invalid_request', message: 'The request could not be read.' };
  }
  return { status: 500, type: 'server_error', code: 'internal_error', message: 'Internal error. Quote the request id to your administrator.' };
}
