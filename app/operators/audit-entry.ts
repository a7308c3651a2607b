import { type Principal } from './operator';

// One change an operator made: who (operator id and name at the time, role), when, what (an action
// such as `balance.top_up`, its target and details) and from where (address, user agent).
export interface AuditEntry {
  id: string;
  at: Date;
  operatorId?: string;
  operatorName: string;
  role: string;
  action: string;
  target?: string;
  details: Record<string, unknown>;
  sourceIp: string;
  userAgent?: string;
}

export interface AuditRecord {
  principal: Principal;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  sourceIp: string;
  userAgent?: string;
}

export interface AuditQuery {
  operatorId?: string;
  operatorName?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  // Entries older than this id (newest first).
  before?: string;
  limit: number;
}
