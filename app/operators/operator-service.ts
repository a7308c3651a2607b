import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Clock } from '../shared/kernel';
import { type AuditEntry, type AuditQuery, type AuditRecord } from './audit-entry';
import {
  InvalidCredentialsError,
  type Operator,
  OperatorNotFoundError,
  type OperatorToken,
  OperatorTokenNotFoundError,
  OperatorUsernameTakenError,
  type Role,
} from './operator';
import { isUniqueViolation, publicOperator } from './pg-operator-store';
import { type AuditLog, type OperatorStore, type PasswordHasher } from './ports';

// Operator API tokens are 32 random bytes: a SHA-256 of them is enough to store (no password-style
// stretching needed for a secret nobody chose), and it lets a request find its token by hash.
const TOKEN_PREFIX = 'opt_';
export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();
export const isOperatorToken = (token: string): boolean => token.startsWith(TOKEN_PREFIX);


export class OperatorService {
  // Checked when the username is unknown, so that answer takes as long as a wrong password.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: OperatorStore,
    private readonly audit: AuditLog,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async create(input: { username: string; password: string; role: Role }): Promise<Operator> {
    const existing = await this.store.findByUsername(input.username);
    if (existing) throw new OperatorUsernameTakenError(input.username);
    const row = { id: randomUUID(), username: input.username, role: input.role, createdAt: this.clock.now(), passwordHash: await this.hasher.hash(input.password) };
    try {
      await this.store.insert(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new OperatorUsernameTakenError(input.username);
      throw error;
    }
    return publicOperator(row);
  }

  async get(id: string): Promise<Operator> {
    const row = await this.store.get(id);
    if (!row) throw new OperatorNotFoundError(id);
    return publicOperator(row);
  }

  list(): Promise<Operator[]> {
    return this.store.list();
  }

  async update(id: string, change: { role?: Role; password?: string; disabled?: boolean }): Promise<Operator> {
    const row = await this.store.update(id, {
      ...(change.role ? { role: change.role } : {}),
      ...(change.password ? { passwordHash: await this.hasher.hash(change.password) } : {}),
      ...(change.disabled !== undefined ? { disabledAt: change.disabled ? this.clock.now() : null } : {}),
    });
    if (!row) throw new OperatorNotFoundError(id);
    return publicOperator(row);
  }

  // The console's login: an active operator with this password, or InvalidCredentialsError.
  async authenticatePassword(username: string, password: string): Promise<Operator> {
    const row = await this.store.findByUsername(username);
    this.dummyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
    const matches = await this.hasher.verify(password, row?.passwordHash ?? (await this.dummyHash));
    if (!row || !matches || row.disabledAt) throw new InvalidCredentialsError();
    return publicOperator(row);
  }

  // The operator of a presented API token, if the token is known, unrevoked and its operator active.
  async authenticateToken(token: string): Promise<Operator | undefined> {
    if (!isOperatorToken(token)) return undefined;
    return this.store.findByTokenHash(hashToken(token), this.clock.now());
  }

  // Returns the token's secret once; only its hash is kept.
  async issueToken(operatorId: string, name: string): Promise<{ token: OperatorToken; secret: string }> {
    await this.get(operatorId);
    const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const token: OperatorToken = { id: randomUUID(), operatorId, name, createdAt: this.clock.now() };
    await this.store.insertToken(token, hashToken(secret));
    return { token, secret };
  }

  async listTokens(operatorId: string): Promise<OperatorToken[]> {
    await this.get(operatorId);
    return this.store.listTokens(operatorId);
  }

  async revokeToken(operatorId: string, tokenId: string): Promise<void> {
    if (!(await this.store.revokeToken(operatorId, tokenId, this.clock.now()))) throw new OperatorTokenNotFoundError(tokenId);
  }

  recordChange(record: AuditRecord): Promise<void> {
    return this.audit.append(record);
  }

  auditEntries(query: AuditQuery): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
