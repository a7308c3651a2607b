import { Router } from 'express';
import { z } from 'zod';
import { type BlockedPrefix, type CallPolicyChange, type CallPolicySettings, type PolicyAdmin } from '../../call-policy';
import { allow, ANY_ROLE, audit } from '../operator-auth';
import { BlockPrefixRequest, PlanCallPolicyRequest, UserCallPolicyRequest } from '../call-policy-schemas';

const IdParam = z.object({ id: z.string().min(1).max(64) });
const PrefixParam = z.object({ prefix: z.string().min(1).max(17) });

type Own = Partial<CallPolicySettings>;

const settingsOut = (settings: Own): Record<string, unknown> => ({
  ...(settings.maxCalls !== undefined ? { maxCalls: settings.maxCalls } : {}),
  ...(settings.maxPstnCalls !== undefined ? { maxPstnCalls: settings.maxPstnCalls } : {}),
  ...(settings.pstnCallsPerHour !== undefined ? { pstnCallsPerHour: settings.pstnCallsPerHour } : {}),
  ...(settings.dailySpendCapMinor !== undefined ? { dailySpendCapMinor: Number(settings.dailySpendCapMinor) } : {}),
  ...(settings.clir !== undefined ? { clir: settings.clir } : {}),
});

const changeOf = (body: z.infer<typeof UserCallPolicyRequest>): CallPolicyChange => {
  const { dailySpendCapMinor, ...rest } = body;
  return { ...rest, ...(dailySpendCapMinor !== undefined ? { dailySpendCapMinor: dailySpendCapMinor === null ? null : BigInt(dailySpendCapMinor) } : {}) };
};

const blockedOut = (entry: BlockedPrefix): Record<string, unknown> => ({ prefix: entry.prefix, reason: entry.reason, ...(entry.expiresAt ? { expiresAt: entry.expiresAt.toISOString() } : {}) });

// Operators' call admission settings: per-user and per-plan limits and fraud caps, CLIR, and the
// destination blocklist (app/call-policy).
export function callPolicyRouter(admin: PolicyAdmin): Router {
  const router = Router();

  router.get('/users/:id/call-policy', allow(...ANY_ROLE), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const own = await admin.ownOfUser(id);
    res.json({ own: settingsOut(own), effective: settingsOut(await admin.effective(id)) });
  });

  router.put('/users/:id/call-policy', allow('admin'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const change = UserCallPolicyRequest.parse(req.body);
    const own = await admin.setUser(id, changeOf(change));
    await audit(req, res, 'user.call-policy', `user:${id}`, { ...change });
    res.json({ own: settingsOut(own), effective: settingsOut(await admin.effective(id)) });
  });

  router.put('/price-plans/:id/call-policy', allow('admin'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const change = PlanCallPolicyRequest.parse(req.body);
    const own = await admin.setPlan(id, changeOf(change));
    await audit(req, res, 'price-plan.call-policy', `price-plan:${id}`, { ...change });
    res.json({ own: settingsOut(own) });
  });

  router.get('/blocked-prefixes', allow(...ANY_ROLE), async (_req, res) => {
    const { configured, added } = await admin.blocked();
    res.json({ configured, added: added.map(blockedOut) });
  });

  router.post('/blocked-prefixes', allow('admin'), async (req, res) => {
    const body = BlockPrefixRequest.parse(req.body);
    const entry = await admin.block({ prefix: body.prefix, reason: body.reason, ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}) });
    await audit(req, res, 'blocked-prefix.add', `prefix:${entry.prefix}`, { reason: entry.reason });
    res.status(201).json(blockedOut(entry));
  });

  router.delete('/blocked-prefixes/:prefix', allow('admin'), async (req, res) => {
    const { prefix } = PrefixParam.parse(req.params);
    await admin.unblock(prefix);
    await audit(req, res, 'blocked-prefix.remove', `prefix:${prefix}`);
    res.status(204).end();
  });

  return router;
}
