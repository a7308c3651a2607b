import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, type ErrorKind } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';

// The one place where errors become HTTP statuses. Body: {code, message, details}.
const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  // Temporarily Unavailable, borrowed from SIP (a user with no registered device), as the API promises.
  unreachable: 480,
  internal: 500,
};

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { code, message, details };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('ROUTE.NOT_FOUND', 'no such route', { method: req.method, path: req.path }));
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    // A streamed answer (a CSV export) that fails half-way: the client sees the connection cut,
    // not a short file that looks complete.
    if (res.headersSent) {
      log.warn('streamed response failed', { path: req.path, error: error instanceof Error ? error.message : String(error) });
      res.destroy();
      return;
    }
    if (error instanceof z.ZodError) {
      res.status(400).json(
        errorBody('REQUEST.INVALID', 'the request is invalid', {
          issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        }),
      );
      return;
    }
    if (error instanceof AppError) {
      const status = STATUS[error.kind];
      if (status >= 500) log.warn('request failed', { path: req.path, code: error.code, error: error.message });
      res.status(status).json(errorBody(error.code, error.message, error.details));
      return;
    }
    // body-parser's errors: malformed JSON, body too large, wrong charset.
    const parserError = error as { type?: string; status?: number };
    if (parserError.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('REQUEST.MALFORMED_JSON', 'the request body is not valid JSON'));
      return;
    }
    if (parserError.type === 'entity.too.large') {
      res.status(413).json(errorBody('REQUEST.TOO_LARGE', 'the request body is too large'));
      return;
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      res.status(parserError.status).json(errorBody('REQUEST.INVALID', error instanceof Error ? error.message : 'bad request'));
      return;
    }
    log.error('unexpected error in request', { path: req.path, error: error instanceof Error ? error.stack : String(error) });
    res.status(500).json(errorBody('INTERNAL', 'internal error'));
  };
}
