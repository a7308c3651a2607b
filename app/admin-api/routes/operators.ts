import { type Response, Router } from 'express';
import { z } from 'zod';
import { ForbiddenError, type Operator, type OperatorService, type OperatorToken } from '../../operators';
import { allow, ANY_ROLE, audit, principalOf } from '../operator-auth';
import { CreateOperatorRequest, CreateTokenRequest, UpdateOperatorRequest } from '../operators-schemas';
import { ValidationError } from '../../shared/kernel';

const IdParam = z.object({ id: z.string().min(1).max(64) });
const TokenParams = z.object({ id: z.string().min(1).max(64), tokenId: z.uuid() });
const UUID = z.uuid();

export function toOperatorResponse(operator: Operator): Record<string, unknown> {
  return {
    id: operator.id,
    username: operator.username,
    role: operator.role,
    createdAt: operator.createdAt.toISOString(),
    ...(operator.disabledAt ? { disabledAt: operator.disabledAt.toISOString() } : {}),
  };
}

const toTokenResponse = (token: OperatorToken): Record<string, unknown> => ({
  id: token.id,
  operatorId: token.operatorId,
  name: token.name,
  createdAt: token.createdAt.toISOString(),
  ...(token.lastUsedAt ? { lastUsedAt: token.lastUsedAt.toISOString() } : {}),
  ...(token.revokedAt ? { revokedAt: token.revokedAt.toISOString() } : {}),
});

// `me` is the caller; an operator manages its own tokens, an admin everyone's.
function tokenOwner(res: Response, id: string): string {
  const principal = principalOf(res);
  const owner = id === 'me' ? principal.operatorId : id;
  if (!owner) throw new ValidationError('the break-glass admin has no operator account; name an operator id', { id });
  if (!UUID.safeParse(owner).success) throw new ValidationError('an operator id is a UUID', { id });
  if (principal.role !== 'admin' && owner !== principal.operatorId) throw new ForbiddenError(principal.role, ['admin']);
  return owner;
}

// Mounted on /v1/operators.
export function operatorsRouter(operators: OperatorService): Router {
  const router = Router();

  router.post('/', allow('admin'), async (req, res) => {
    const body = CreateOperatorRequest.parse(req.body);
    const operator = await operators.create(body);
    await audit(req, res, 'operator.create', `operator:${operator.id}`, { username: operator.username, role: operator.role });
    res.status(201).location(`/v1/operators/${operator.id}`).json(toOperatorResponse(operator));
  });

  router.get('/', allow('admin'), async (_req, res) => {
    res.json({ operators: (await operators.list()).map(toOperatorResponse) });
  });

  // The caller itself (the console asks who is logged in).
  router.get('/me', allow(...ANY_ROLE), (_req, res) => {
    const principal = principalOf(res);
    res.json({ ...(principal.operatorId ? { id: principal.operatorId } : {}), username: principal.name, role: principal.role, via: principal.via });
  });

  router.get('/:id', allow('admin'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    res.json(toOperatorResponse(await operators.get(UUID.parse(id))));
  });

  router.patch('/:id', allow('admin'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const change = UpdateOperatorRequest.parse(req.body);
    const operator = await operators.update(UUID.parse(id), change);
    const { password, ...fields } = change;
    await audit(req, res, 'operator.update', `operator:${operator.id}`, { ...fields, ...(password ? { passwordChanged: true } : {}) });
    res.json(toOperatorResponse(operator));
  });

  router.post('/:id/tokens', allow(...ANY_ROLE), async (req, res) => {
    const owner = tokenOwner(res, IdParam.parse(req.params).id);
    const { name } = CreateTokenRequest.parse(req.body);
    const { token, secret } = await operators.issueToken(owner, name);
    await audit(req, res, 'token.issue', `operator:${owner}`, { tokenId: token.id, name });
    // The secret is shown this once.
    res.status(201).json({ ...toTokenResponse(token), token: secret });
  });

  router.get('/:id/tokens', allow(...ANY_ROLE), async (req, res) => {
    const owner = tokenOwner(res, IdParam.parse(req.params).id);
    res.json({ tokens: (await operators.listTokens(owner)).map(toTokenResponse) });
  });

  router.delete('/:id/tokens/:tokenId', allow(...ANY_ROLE), async (req, res) => {
    const params = TokenParams.parse(req.params);
    const owner = tokenOwner(res, params.id);
    await operators.revokeToken(owner, params.tokenId);
    await audit(req, res, 'token.revoke', `operator:${owner}`, { tokenId: params.tokenId });
    res.status(204).end();
  });

  return router;
}
