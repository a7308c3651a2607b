import { type Sql } from '../shared/infra/sql';
import { type AuditEntry, type AuditQuery, type AuditRecord } from './audit-entry';
import { type AuditLog } from './ports';

interface AuditDbRow {
  id: bigint;
  at: Date;
  operator_id: string | null;
  operator_name: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  source_ip: string;
  user_agent: string | null;
}

const toEntry = (row: AuditDbRow): AuditEntry => ({
  id: String(row.id),
  at: row.at,
  ...(row.operator_id ? { operatorId: row.operator_id } : {}),
  operatorName: row.operator_name,
  role: row.role,
  action: row.action,
  ...(row.target ? { target: row.target } : {}),
  details: row.details,
  sourceIp: row.source_ip,
  ...(row.user_agent ? { userAgent: row.user_agent } : {}),
});

// The operator audit log: rows are only ever inserted (a trigger refuses UPDATE, DELETE and
// TRUNCATE on operator_audit_log, see its migration).
export class PgAuditLog implements AuditLog {
  constructor(private readonly sql: Sql) {}

  async append(record: AuditRecord): Promise<void> {
    await this.sql.query(
      `INSERT INTO operator_audit_log (operator_id, operator_name, role, action, target, details, source_ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        record.principal.operatorId ?? null,
        record.principal.name,
        record.principal.role,
        record.action,
        record.target ?? null,
        JSON.stringify(record.details ?? {}),
        record.sourceIp,
        record.userAgent?.slice(0, 256) ?? null,
      ],
      'operator-audit-append',
    );
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: (placeholder: string) => string, value: unknown): void => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (query.operatorId) add((p) => `operator_id = ${p}::uuid`, query.operatorId);
    if (query.operatorName) add((p) => `operator_name = ${p}`, query.operatorName);
    if (query.action) add((p) => `action = ${p}`, query.action);
    if (query.target) add((p) => `target = ${p}`, query.target);
    if (query.from) add((p) => `at >= ${p}`, query.from);
    if (query.to) add((p) => `at < ${p}`, query.to);
    if (query.before) add((p) => `id < ${p}::bigint`, query.before);
    values.push(query.limit);
    const rows = await this.sql.query<AuditDbRow>(
      `SELECT id, at, operator_id, operator_name, role, action, target, details, source_ip, user_agent
       FROM operator_audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(toEntry);
  }
}
