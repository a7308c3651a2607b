import { createHash, randomBytes } from 'node:crypto';
import { type Agency, type InterceptRepository } from './model';

const TOKEN_PREFIX = 'lia_';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// Agencies and their API tokens. A token is 32 random bytes, shown once; only its SHA-256 is kept
// (a high-entropy secret needs no slow hash), so a database reader cannot act as an agency.
export class AgencyService {
  constructor(private readonly repo: InterceptRepository) {}

  async create(name: string): Promise<{ agency: Agency; token: string }> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const agency = await this.repo.createAgency(name, hashToken(token));
    return { agency, token };
  }

  async authenticate(token: string): Promise<Agency | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    return this.repo.agencyByTokenHash(hashToken(token));
  }
}
