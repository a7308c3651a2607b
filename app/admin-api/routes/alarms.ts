import { Router } from 'express';
import { type AlarmMonitor } from '../../alarms';
import { allow, ANY_ROLE } from '../operator-auth';

// Mounted on /v1/alarms: the open alarms (any operator), oldest first.
export function alarmsRouter(alarms: Pick<AlarmMonitor, 'list'>): Router {
  const router = Router();
  router.get('/', allow(...ANY_ROLE), (_req, res) => {
    res.json({ alarms: alarms.list() });
  });
  return router;
}
