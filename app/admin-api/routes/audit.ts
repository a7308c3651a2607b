import { Router } from 'express';
import { type AuditEntry, type OperatorService } from '../../operators';
import { allow } from '../operator-auth';
import { AuditQuery } from '../operators-schemas';

const toAuditResponse = (entry: AuditEntry): Record<string, unknown> => ({
  id: entry.id,
  at: entry.at.toISOString(),
  ...(entry.operatorId ? { operatorId: entry.operatorId } : {}),
  operator: entry.operatorName,
  role: entry.role,
  action: entry.action,
  ...(entry.target ? { target: entry.target } : {}),
  details: entry.details,
  sourceIp: entry.sourceIp,
  ...(entry.userAgent ? { userAgent: entry.userAgent } : {}),
});

// Mounted on /v1/audit: the operator audit log, newest first; `nextCursor` pages on.
export function auditRouter(operators: OperatorService): Router {
  const router = Router();

  router.get('/', allow('admin'), async (req, res) => {
    const query = AuditQuery.parse(req.query);
    const entries = await operators.auditEntries({
      ...(query.operatorId ? { operatorId: query.operatorId } : {}),
      ...(query.operator ? { operatorName: query.operator } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.target ? { target: query.target } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(query.cursor ? { before: query.cursor } : {}),
      limit: query.limit,
    });
    const last = entries.at(-1);
    res.json({ entries: entries.map(toAuditResponse), ...(entries.length === query.limit && last ? { nextCursor: last.id } : {}) });
  });

  return router;
}
