import { Router } from 'express';
import { type DeadLetterAdmin } from '../../shared/infra/jetstream';
import { DeadLettersQuery, ReplayRequest } from '../dead-letters-schemas';

// Mounted on /v1/dead-letters: events consumers gave up on, listed with their reason and replayed.
export function deadLettersRouter(deadLetters: DeadLetterAdmin): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = DeadLettersQuery.parse(req.query);
    res.json({ deadLetters: await deadLetters.list(query) });
  });

  // Idempotent: consumers apply an event once per event id, and a replayed dead letter is deleted.
  router.post('/replay', async (req, res) => {
    const selection = ReplayRequest.parse(req.body ?? {});
    res.json(await deadLetters.replay(selection));
  });

  return router;
}
