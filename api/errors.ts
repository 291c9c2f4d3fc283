import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from '../config/logger';

/** One error shape everywhere: `{ "error": { "code", "message", "details" } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function invalidInput(where: string, error: z.ZodError): HttpError {
  const details = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: issue.message }))
      : [{ field: issue.path.join('.') || where, message: issue.message }],
  );
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  return new HttpError(400, 'invalid_request', `Invalid ${where}: ${summary}`, details);
}

/** Bodies are JSON; anything else is refused before it is read as an empty object. */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
}

/** Runs a call to Temporal; when Temporal cannot be reached the client gets a 503 to retry, not a 500. */
export async function viaTemporal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isUnavailable(err)) throw new HttpError(503, 'temporal_unavailable', 'The workflow service is unavailable; try again in a minute');
    throw err;
  }
}

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), on the error or on the gRPC error it wraps. */
function isUnavailable(err: unknown): boolean {
  const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  return [err, (err as { cause?: unknown } | undefined)?.cause].some((e) => codeOf(e) === 14 || codeOf(e) === 4);
}

export const notFound: RequestHandler = (req) => {
  throw new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`);
};

/** body-parser tags its errors with `type`; map them so bad input never becomes a 500. */
const bodyParserErrors: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large'],
  'entity.parse.failed': [400, 'malformed_json', 'The request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'Unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'Unsupported charset; send UTF-8 JSON'],
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const parserError = typeof err?.type === 'string' ? bodyParserErrors[err.type] : undefined;
    // Express and body-parser mark the request's own faults (a malformed %-escape in the path, …) with a 4xx status.
    const clientFault = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? (err.status as number) : undefined;
    const httpError =
      err instanceof HttpError
        ? err
        : parserError
          ? new HttpError(...parserError)
          : clientFault
            ? new HttpError(clientFault, 'invalid_request', `The request is malformed: ${err.message}`)
            : new HttpError(500, 'internal_error', 'Something went wrong on our side; it has been logged');
    if (httpError.status >= 500) {
      log.error('request failed', { method: req.method, path: req.path, error: err instanceof Error ? err.message : String(err) });
    }
    res.status(httpError.status).json({ error: { code: httpError.code, message: httpError.message, details: httpError.details } });
  };
}
