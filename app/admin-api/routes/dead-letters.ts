import { Router } from 'express';
import { type DeadLetterAdmin } from '../../shared/infra/jetstream';
import { allow, audit } from '../operator-auth';
import { DeadLettersQuery, ReplayRequest } from '../dead-letters-schemas';

// Mounted on /v1/dead-letters: events consumers gave up on, listed with their reason and replayed.
export function deadLettersRouter(deadLetters: DeadLetterAdmin): Router {
  const router = Router();

  router.get('/', allow('admin'), async (req, res) => {
    const query = DeadLettersQuery.parse(req.query);
    res.json({ deadLetters: await deadLetters.list(query) });
  });

  // Idempotent: consumers apply an event once per event id, and a replayed dead letter is deleted.
  router.post('/replay', allow('admin'), async (req, res) => {
    const selection = ReplayRequest.parse(req.body ?? {});
    const replayed = await deadLetters.replay(selection);
    await audit(req, res, 'dead-letters.replay', undefined, { ...selection });
    res.json(replayed);
  });

  return router;
}
