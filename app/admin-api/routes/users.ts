import { Router } from 'express';
import { type User, type UserService } from '../../users';
import { CreateUserRequest, UserIdParam } from '../schemas';

export function toUserResponse(user: User): Record<string, unknown> {
  return { id: user.id, username: user.username, phoneNumber: user.phoneNumber, createdAt: user.createdAt.toISOString() };
}

export function usersRouter(users: UserService): Router {
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
    res.status(204).end();
  });

  return router;
}
