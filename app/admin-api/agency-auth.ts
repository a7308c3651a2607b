import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { type Agency } from '../intercept';

// Who is calling the intercept API: the operator (ADMIN_TOKEN), an agency (its own token), or
// nobody known. The admin token manages warrants but reads no intercepted data; an agency reads
// only its own warrants' data and manages nothing.
export type Principal = { type: 'admin' } | { type: 'agency'; agency: Agency } | { type: 'anonymous' };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function principalResolver(adminToken: string, authenticate: (token: string) => Promise<Agency | undefined>): (req: Request) => Promise<Principal> {
  const admin = digest(adminToken);
  return async (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) return { type: 'anonymous' };
    if (timingSafeEqual(digest(token), admin)) return { type: 'admin' };
    const agency = await authenticate(token);
    return agency ? { type: 'agency', agency } : { type: 'anonymous' };
  };
}

export const principalIdOf = (principal: Principal): string | undefined => (principal.type === 'agency' ? principal.agency.id : undefined);
