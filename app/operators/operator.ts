import { AppError, ConflictError, NotFoundError } from '../shared/kernel';

// Operator roles. Lawful intercept is reachable by none of them (it has its own credentials).
export const ROLES = ['admin', 'billing', 'support'] as const;
export type Role = (typeof ROLES)[number];

export interface Operator {
  id: string;
  username: string;
  role: Role;
  createdAt: Date;
  disabledAt?: Date;
}

export interface OperatorToken {
  id: string;
  operatorId: string;
  name: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

// Who makes a request: an operator (by token or console session), or the break-glass admin
// (ADMIN_TOKEN), which has no operator row.
export interface Principal {
  operatorId?: string;
  name: string;
  role: Role;
  via: 'break-glass' | 'token' | 'session';
}

export const BREAK_GLASS: Principal = { name: 'break-glass', role: 'admin', via: 'break-glass' };

export class OperatorNotFoundError extends NotFoundError {
  constructor(operatorId: string) {
    super('OPERATOR.NOT_FOUND', 'no such operator', { operatorId });
  }
}

export class OperatorUsernameTakenError extends ConflictError {
  constructor(username: string) {
    super('OPERATOR.USERNAME_TAKEN', 'an operator with this username exists', { username });
  }
}

export class OperatorTokenNotFoundError extends NotFoundError {
  constructor(tokenId: string) {
    super('OPERATOR.TOKEN_NOT_FOUND', 'no such token', { tokenId });
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'wrong username or password', 'unauthorized');
  }
}

export class ForbiddenError extends AppError {
  constructor(role: Role, allowed: readonly Role[]) {
    super('AUTH.FORBIDDEN', 'this operator role may not do this', 'forbidden', { role, allowed });
  }
}
