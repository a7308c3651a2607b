import { type DirectoryChange } from '../shared/events';
import { browserEndpointOf } from '../users';
import { SORCERY_CACHES, type SorceryObjectType } from './ami-sorcery-cache';

// The switch's cached objects a change makes stale: a user's phone and browser identities, a
// carrier's; each is an endpoint, an auth and an AOR of the same id (app/users/sip-identity.ts,
// app/carriers/carrier-identity.ts). Other changes touch no SIP identity.
export function sorceryObjectsOf(change: DirectoryChange): Array<{ type: SorceryObjectType; id: string }> {
  const ids = change.kind === 'user' ? [change.username, browserEndpointOf(change.username)] : change.kind === 'carrier' ? [change.endpointId] : [];
  const types = Object.keys(SORCERY_CACHES) as SorceryObjectType[];
  return ids.flatMap((id) => types.map((type) => ({ type, id })));
}

