import { type Carrier } from './carrier';

// Calls from carriers enter this dialplan context, which hands them to the Stasis app.
export const CARRIERS_CONTEXT = 'from-carriers';

// The PJSIP realtime rows that make a carrier a trunk Asterisk can dial and recognise.
export interface CarrierIdentity {
  endpoint: {
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
    rtpTimeout: number;
    sendConnectedLine: string;
    transport: string | null;
  };
  aor: { id: string; contact: string; maxContacts: number; qualifyFrequency: number };
  auth: { id: string; authType: string; username: string; password: string } | null;
  identify: { id: string; endpoint: string; match: string };
}

export function carrierIdentityFor(carrier: Carrier, password: string | undefined): CarrierIdentity {
  const id = carrier.endpointId;
  const hasAuth = carrier.authUsername !== undefined && password !== undefined;
  return {
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
      rtpTimeout: 60,
      sendConnectedLine: 'no',
      transport: carrier.transport === 'tcp' ? 'transport-tcp' : null,
    },
    aor: {
      id,
      contact: `sip:${carrier.host}:${carrier.port}${carrier.transport === 'tcp' ? ';transport=tcp' : ''}`,
      maxContacts: 1,
      qualifyFrequency: 0,
    },
    auth: hasAuth ? { id, authType: 'userpass', username: carrier.authUsername ?? '', password: password ?? '' } : null,
    identify: { id, endpoint: id, match: carrier.inboundMatch },
  };
}
