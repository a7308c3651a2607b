import { createHash, timingSafeEqual } from 'node:crypto';
import { type RequestHandler } from 'express';
import { errorBody } from './http-errors';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// Admin API authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="admin"')
        .json(errorBody('AUTH.UNAUTHORIZED', 'a valid bearer token is required'));
      return;
    }
    next();
  };
}
