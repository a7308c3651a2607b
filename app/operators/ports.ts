import { type AuditEntry, type AuditQuery, type AuditRecord } from './audit-entry';
import { type Operator, type OperatorToken, type Role } from './operator';

export interface OperatorRow extends Operator {
  passwordHash: string;
}

export interface OperatorStore {
  insert: (operator: OperatorRow) => Promise<void>;
  get: (id: string) => Promise<OperatorRow | undefined>;
  findByUsername: (username: string) => Promise<OperatorRow | undefined>;
  list: () => Promise<Operator[]>;
  update: (id: string, change: { role?: Role; passwordHash?: string; disabledAt?: Date | null }) => Promise<OperatorRow | undefined>;
  insertToken: (token: OperatorToken, tokenHash: Buffer) => Promise<void>;
  listTokens: (operatorId: string) => Promise<OperatorToken[]>;
  revokeToken: (operatorId: string, tokenId: string, at: Date) => Promise<boolean>;
  // The active operator owning an unrevoked token with this hash; marks the token used.
  findByTokenHash: (tokenHash: Buffer, at: Date) => Promise<Operator | undefined>;
}

export interface AuditLog {
  append: (record: AuditRecord) => Promise<void>;
  list: (query: AuditQuery) => Promise<AuditEntry[]>;
}

export interface PasswordHasher {
  hash: (password: string) => Promise<string>;
  verify: (password: string, hash: string) => Promise<boolean>;
}
