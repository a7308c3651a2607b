import { Router } from 'express';
import { type CallOperations } from '../../call-state';
import { type User, type UserService } from '../../users';
import { ChangePasswordRequest, CreateUserRequest, ResumeRequest, SuspendRequest, UserIdParam } from '../schemas';

export function toUserResponse(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    phoneNumber: user.phoneNumber,
    createdAt: user.createdAt.toISOString(),
    suspended: user.suspended !== undefined,
    ...(user.suspended ? { suspensionReason: user.suspended.reason, suspendedAt: user.suspended.at.toISOString() } : {}),
  };
}

// calls: live calls of a user the platform bars (suspended, deleted) are hung up at once.
export function usersRouter(users: UserService, calls?: CallOperations): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = CreateUserRequest.parse(req.body);
    const user = await users.create(body);
    res.status(201).location(`/v1/users/${user.id}`).json(toUserResponse(user));
  });

  router.get('/:id', async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    res.json(toUserResponse(await users.get(id)));
  });

  router.delete('/:id', async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    await users.delete(id);
    await calls?.hangUpCallsOf(id, 'user_deleted');
    res.status(204).end();
  });

  router.post('/:id/suspend', async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { reason } = SuspendRequest.parse(req.body);
    const user = await users.suspend(id, reason);
    await calls?.hangUpCallsOf(id, 'user_suspended');
    res.json(toUserResponse(user));
  });

  router.post('/:id/resume', async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    ResumeRequest.parse(req.body ?? {});
    res.json(toUserResponse(await users.resume(id)));
  });

  router.put('/:id/password', async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { password } = ChangePasswordRequest.parse(req.body);
    await users.changePassword(id, password);
    res.status(204).end();
  });

  return router;
}
