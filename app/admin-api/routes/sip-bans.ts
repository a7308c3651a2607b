import { Router } from 'express';
import { type SipBans } from '../../edge';
import { allow, audit, principalOf } from '../operator-auth';
import { SipBanAddress } from '../sip-bans-schemas';

// Mounted on /v1/sip-bans: the SIP edge's bans of source addresses, listed and lifted.
export function sipBansRouter(bans: SipBans): Router {
  const router = Router();

  router.get('/', allow('admin', 'support'), async (_req, res) => {
    const view = await bans.view();
    res.json({ ...view, bans: view.bans.map((ban) => ({ ...ban, until: ban.until.toISOString() })) });
  });

  router.delete('/:address', allow('admin'), async (req, res) => {
    const address = SipBanAddress.parse(req.params.address);
    await bans.lift(address, principalOf(res).name);
    await audit(req, res, 'sip-bans.lift', address);
    res.status(204).end();
  });

  return router;
}
