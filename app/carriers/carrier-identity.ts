import { type Carrier, effectiveRegistration } from './carrier';

// Calls from carriers enter this dialplan context, which hands them to the Stasis app.
export const CARRIERS_CONTEXT = 'from-carriers';

// Behind the SIP edge (kamailio/edge.cfg), a carrier's requests reach the switch from the edge's
// address: the edge names the carrier it recognised by source address in this header, which it
// strips from every other request, and PJSIP identify matches it (match_header).
export const EDGE_CARRIER_HEADER = 'X-Calling-Carrier';

export interface IdentityOptions {
  behindEdge?: boolean;
  // Behind the edge: the edge as the switch reaches it (sip:host:port). Calls to the carrier go out
  // through it (outbound proxy), so the carrier sees the edge's address only, never a node's.
  edgeProxy?: string;
}

// A registration that failed is retried for about a week at the default interval, then Asterisk
// stops; the carriers module's periodic sync does not restart it (only a change of the row does).
const REGISTRATION_MAX_RETRIES = 10_000;

export interface EndpointRow {
  id: string;
  aors: string;
  outboundAuth: string | null;
  context: string;
  disallow: string;
  allow: string;
  directMedia: string;
  rtpSymmetric: string;
  forceRport: string;
  rewriteContact: string;
  dtmfMode: string;
  identifyBy: string;
  trustIdInbound: string;
  sendPai: string;
  trustIdOutbound: string;
  rtpTimeout: number;
  sendConnectedLine: string;
  transport: string | null;
  // Realtime's ';' is '^3B': "sip:edge:5060^3Blr".
  outboundProxy: string | null;
}

export interface RegistrationRow {
  id: string;
  serverUri: string;
  clientUri: string;
  contactUser: string | null;
  expiration: number;
  retryInterval: number;
  forbiddenRetryInterval: number;
  fatalRetryInterval: number;
  maxRetries: number;
  authRejectionPermanent: string;
  outboundAuth: string | null;
  transport: string | null;
}

// The PJSIP realtime rows that make a carrier a trunk Asterisk can dial, recognise and register
// with. A part that is null must not exist: a disabled carrier keeps only its credentials (auth),
// which nothing refers to until it is enabled again, so Asterisk neither sends calls to it, takes
// calls from it, nor registers with it.
export interface CarrierIdentity {
  // Every row has this id.
  id: string;
  endpoint: EndpointRow | null;
  aor: { id: string; contact: string; maxContacts: number; qualifyFrequency: number } | null;
  auth: { id: string; authType: string; username: string; password: string } | null;
  identify: { id: string; endpoint: string; match: string; matchHeader: string | null } | null;
  registration: RegistrationRow | null;
}

export function carrierIdentityFor(carrier: Carrier, password: string | undefined, options: IdentityOptions = {}): CarrierIdentity {
  const id = carrier.endpointId;
  const hasAuth = carrier.authUsername !== undefined && password !== undefined;
  const transport = carrier.transport === 'tcp' ? 'transport-tcp' : null;
  const auth = hasAuth ? { id, authType: 'userpass', username: carrier.authUsername ?? '', password: password ?? '' } : null;
  if (!carrier.enabled) return { id, endpoint: null, aor: null, auth, identify: null, registration: null };
  const registration = carrier.registration && effectiveRegistration(carrier, carrier.registration);
  return {
    id,
    endpoint: {
      id,
      aors: id,
      outboundAuth: hasAuth ? id : null,
      context: CARRIERS_CONTEXT,
      disallow: 'all',
      allow: 'ulaw,alaw',
      directMedia: 'no',
      rtpSymmetric: 'yes',
      forceRport: 'yes',
      rewriteContact: 'no',
      dtmfMode: 'rfc4733',
      // Carriers are recognised by their source address, never by a username they could pick.
      identifyBy: 'ip',
      // The caller's number comes from the network: trust what the carrier says.
      trustIdInbound: 'yes',
      sendPai: 'yes',
      // The carrier gets the caller's real number in P-Asserted-Identity even when it is withheld
      // from the callee (CLIR): regulators need it.
      trustIdOutbound: 'yes',
      rtpTimeout: 60,
      sendConnectedLine: 'no',
      transport,
      outboundProxy: options.behindEdge === true && options.edgeProxy ? `${options.edgeProxy}^3Blr` : null,
    },
    aor: {
      id,
      contact: `sip:${carrier.host}:${carrier.port}${carrier.transport === 'tcp' ? ';transport=tcp' : ''}`,
      maxContacts: 1,
      qualifyFrequency: 0,
    },
    auth,
    identify: { id, endpoint: id, match: carrier.inboundMatch, matchHeader: options.behindEdge === true ? `${EDGE_CARRIER_HEADER}: ${id}` : null },
    registration: registration
      ? {
          id,
          serverUri: registration.serverUri,
          clientUri: registration.clientUri,
          contactUser: registration.contactUser ?? null,
          expiration: registration.expirationSeconds,
          retryInterval: registration.retryIntervalSeconds,
          // Asterisk's defaults give up for good on a 403, another fatal answer or a refused
          // challenge; a carrier's account problem is usually fixed on their side, later.
          forbiddenRetryInterval: registration.retryIntervalSeconds,
          fatalRetryInterval: registration.retryIntervalSeconds,
          maxRetries: REGISTRATION_MAX_RETRIES,
          authRejectionPermanent: 'no',
          outboundAuth: hasAuth ? id : null,
          transport,
        }
      : null,
  };
}
