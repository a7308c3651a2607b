import { Router } from 'express';
import { z } from 'zod';
import { type CallOperations } from '../../call-state';
import { type User, type UserService } from '../../users';
import { ChangePasswordRequest, CreateUserRequest, MediaEncryptionRequest, ResumeRequest, SuspendRequest, UserIdParam } from '../schemas';
import { allow, ANY_ROLE, audit } from '../operator-auth';

const UsernameQuery = z.object({ username: z.string().min(1).max(64) }).strict();

export function toUserResponse(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    phoneNumber: user.phoneNumber,
    createdAt: user.createdAt.toISOString(),
    suspended: user.suspended !== undefined,
    mediaEncryption: user.mediaEncryption,
    ...(user.suspended ? { suspensionReason: user.suspended.reason, suspendedAt: user.suspended.at.toISOString() } : {}),
  };
}

// calls: live calls of a user the platform bars (suspended, deleted) are hung up at once.
export function usersRouter(users: UserService, calls?: CallOperations): Router {
  const router = Router();

  router.post('/', allow('admin'), async (req, res) => {
    const body = CreateUserRequest.parse(req.body);
    const user = await users.create(body);
    await audit(req, res, 'user.create', `user:${user.id}`, { username: user.username, phoneNumber: user.phoneNumber, mediaEncryption: user.mediaEncryption });
    res.status(201).location(`/v1/users/${user.id}`).json(toUserResponse(user));
  });

  // A user by username (the console's search): a list of at most one.
  router.get('/', allow(...ANY_ROLE), async (req, res) => {
    const { username } = UsernameQuery.parse(req.query);
    const user = await users.findByUsername(username);
    res.json({ users: user ? [toUserResponse(user)] : [] });
  });

  router.get('/:id', allow(...ANY_ROLE), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    res.json(toUserResponse(await users.get(id)));
  });

  router.delete('/:id', allow('admin'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    await users.delete(id);
    await audit(req, res, 'user.delete', `user:${id}`);
    await calls?.hangUpCallsOf(id, 'user_deleted');
    res.status(204).end();
  });

  router.post('/:id/suspend', allow('admin'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { reason } = SuspendRequest.parse(req.body);
    const user = await users.suspend(id, reason);
    await audit(req, res, 'user.suspend', `user:${id}`, { reason });
    await calls?.hangUpCallsOf(id, 'user_suspended');
    res.json(toUserResponse(user));
  });

  router.post('/:id/resume', allow('admin'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    ResumeRequest.parse(req.body ?? {});
    const user = await users.resume(id);
    await audit(req, res, 'user.resume', `user:${id}`);
    res.json(toUserResponse(user));
  });

  router.put('/:id/password', allow('admin'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { password } = ChangePasswordRequest.parse(req.body);
    await users.changePassword(id, password);
    await audit(req, res, 'user.password', `user:${id}`);
    res.status(204).end();
  });

  // Live calls keep the media they negotiated; the next call follows the new policy.
  router.put('/:id/media-encryption', allow('admin'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { mediaEncryption } = MediaEncryptionRequest.parse(req.body);
    const user = await users.setMediaEncryption(id, mediaEncryption);
    await audit(req, res, 'user.media_encryption', `user:${id}`, { mediaEncryption });
    res.json(toUserResponse(user));
  });

  return router;
}
