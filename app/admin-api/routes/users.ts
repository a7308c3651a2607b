import { Router } from 'express';
import { z } from 'zod';
import { type User, type UserService } from '../../users';
import { CreateUserRequest, UserIdParam } from '../schemas';
import { allow, ANY_ROLE, audit } from '../operator-auth';

const UsernameQuery = z.object({ username: z.string().min(1).max(64) }).strict();

export function toUserResponse(user: User): Record<string, unknown> {
  return { id: user.id, username: user.username, phoneNumber: user.phoneNumber, createdAt: user.createdAt.toISOString() };
}

export function usersRouter(users: UserService): Router {
  const router = Router();

  router.post('/', allow('admin'), async (req, res) => {
    const body = CreateUserRequest.parse(req.body);
    const user = await users.create(body);
    await audit(req, res, 'user.create', `user:${user.id}`, { username: user.username, phoneNumber: user.phoneNumber });
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
    res.status(204).end();
  });

  return router;
}
