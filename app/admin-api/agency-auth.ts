import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { type Agency } from '../intercept';

// Who is calling the intercept API: the intercept administrator (INTERCEPT_ADMIN_TOKEN), an agency
// (its own token), the admin API's operator (ADMIN_TOKEN: billing, carriers ...), or nobody known.
// The intercept administrator manages agencies and warrants but reads no intercepted data; an
// agency reads only its own warrants' data and manages nothing; the operator gets nothing at all.
export type Principal = { type: 'intercept_admin' } | { type: 'agency'; agency: Agency } | { type: 'admin' } | { type: 'anonymous' };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// isOperator: an operator's own API token (any role) counts as the admin API's operator, so it gets
// the same 404 on every intercept route.
export function principalResolver(
  tokens: { interceptAdmin: string; admin: string },
  authenticate: (token: string) => Promise<Agency | undefined>,
  isOperator: (token: string) => Promise<boolean> = () => Promise.resolve(false),
): (req: Request) => Promise<Principal> {
  const interceptAdmin = digest(tokens.interceptAdmin);
  const admin = digest(tokens.admin);
  return async (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) return { type: 'anonymous' };
    // Both compared in constant time, whichever matches.
    const presented = digest(token);
    const isInterceptAdmin = timingSafeEqual(presented, interceptAdmin);
    const isAdmin = timingSafeEqual(presented, admin);
    if (isInterceptAdmin) return { type: 'intercept_admin' };
    if (isAdmin) return { type: 'admin' };
    const agency = await authenticate(token);
    if (agency) return { type: 'agency', agency };
    return (await isOperator(token)) ? { type: 'admin' } : { type: 'anonymous' };
  };
}

export const principalIdOf = (principal: Principal): string | undefined => (principal.type === 'agency' ? principal.agency.id : undefined);
