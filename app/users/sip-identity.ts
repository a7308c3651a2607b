import { createHash } from 'node:crypto';
import { DEFAULT_MEDIA_ENCRYPTION, type MediaEncryption } from './user';

// The PJSIP realtime rows that make a user a SIP endpoint Asterisk authenticates and can ring.
export interface SipIdentity {
  endpoint: {
    id: string;
    aors: string;
    auth: string;
    context: string;
    disallow: string;
    allow: string;
    directMedia: string;
    rtpSymmetric: string;
    forceRport: string;
    rewriteContact: string;
    dtmfMode: string;
    identifyBy: string;
    callerid: string;
    trustIdInbound: string;
    sendPai: string;
    rtpTimeout: number;
    sendConnectedLine: string;
    mediaEncryption: string;
    mediaEncryptionOptimistic: string;
    // yes: the WebRTC media profile (DTLS-SRTP, ICE, rtcp-mux, AVPF), for a user's browsers.
    webrtc?: string;
    // Behind the edge: every request to a device goes through it (the edge knows how to reach the
    // device back: over its TLS connection or websocket, from the alias the edge put in its contact).
    outboundProxy?: string;
  };
  auth: { id: string; authType: string; md5Cred: string; realm: string; username: string };
  aor: {
    id: string;
    maxContacts: number;
    removeExisting: string;
    removeUnavailable: string;
    defaultExpiration: number;
    minimumExpiration: number;
    maximumExpiration: number;
    qualifyFrequency: number;
    supportPath: string;
  };
}

// Asterisk's SDES-SRTP settings for a policy. optional is "optimistic" SDES: Asterisk offers its
// key in an RTP/AVP offer and accepts SRTP or plain answers and offers; the edge removes the key
// lines from every SDP to or from a device that is not on TLS, so a key never crosses the public
// side in clear and only devices on TLS are offered SRTP. required offers RTP/SAVP only and refuses a
// plain offer (488); off never offers a key and refuses an RTP/SAVP offer.
export function mediaEncryptionOf(policy: MediaEncryption): { mediaEncryption: string; mediaEncryptionOptimistic: string } {
  switch (policy) {
    case 'required':
      return { mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'no' };
    case 'optional':
      return { mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'yes' };
    case 'off':
      return { mediaEncryption: 'no', mediaEncryptionOptimistic: 'no' };
  }
}

// Calls from users enter this dialplan context, which hands them to the Stasis app.
export const USERS_CONTEXT = 'from-users';

// A user's browsers register as an identity of their own, "<username>~web": Asterisk has one media
// profile per endpoint, and a browser needs WebRTC's (DTLS-SRTP, ICE, Opus) where a phone needs
// plain RTP. Both identities are devices of the same user ("~" is not allowed in usernames, so no
// user's name collides with another's browser identity).
export const BROWSER_SUFFIX = '~web';
export const browserEndpointOf = (username: string): string => `${username}${BROWSER_SUFFIX}`;
// The user a switch endpoint belongs to: the endpoint itself, or the user of a browser identity.
export const usernameOfEndpoint = (endpoint: string): string =>
  endpoint.endsWith(BROWSER_SUFFIX) ? endpoint.slice(0, -BROWSER_SUFFIX.length) : endpoint;

// HA1 of RFC 2617 digest authentication: only this is stored, never the password itself.
export function digestHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

export function sipIdentityFor(
  user: { username: string; phoneNumber: string; password: string; mediaEncryption?: MediaEncryption },
  // behindEdge: registrations come through the SIP edge (SIP_BEHIND_EDGE), with a Path to it.
  // edgeProxy: the edge's SIP URI (e.g. sip:198.18.0.2:5060), the nodes' outbound proxy to devices.
  options: { realm: string; maxDevices: number; behindEdge?: boolean; edgeProxy?: string },
): SipIdentity {
  const behindEdge = options.behindEdge === true;
  const id = user.username;
  return {
    endpoint: {
      id,
      aors: id,
      auth: id,
      context: USERS_CONTEXT,
      disallow: 'all',
      allow: 'ulaw,alaw,g722',
      // Media always flows through Asterisk: needed for recording, quality stats and NAT.
      directMedia: 'no',
      rtpSymmetric: 'yes',
      forceRport: 'yes',
      // Behind the edge the packet's source is the edge: the device's own address is in the Path
      // the edge added, so the contact is kept as the device wrote it.
      rewriteContact: behindEdge ? 'no' : 'yes',
      dtmfMode: 'rfc4733',
      identifyBy: 'username',
      callerid: `"${user.username}" <${user.phoneNumber}>`,
      // A device cannot choose the identity it presents: it is always the account's.
      trustIdInbound: 'no',
      sendPai: 'yes',
      // A peer that vanished mid-call (no RTP for this long) is hung up.
      rtpTimeout: 60,
      // No re-INVITE/UPDATE to tell a device who it is connected to: the 200 OK already says it,
      // and every extra transaction is load on the switch and on battery-powered phones.
      sendConnectedLine: 'no',
      ...mediaEncryptionOf(user.mediaEncryption ?? DEFAULT_MEDIA_ENCRYPTION),
      // ";lr" as Asterisk's realtime stores a ";" (^3B): a loose route, not a strict one.
      ...(behindEdge && options.edgeProxy ? { outboundProxy: `${options.edgeProxy}^3Blr` } : {}),
    },
    auth: { id, authType: 'md5', md5Cred: digestHa1(user.username, options.realm, user.password), realm: options.realm, username: id },
    aor: {
      id,
      maxContacts: options.maxDevices,
      // A new device past the limit replaces the oldest registration instead of being refused.
      removeExisting: 'yes',
      removeUnavailable: 'yes',
      defaultExpiration: 600,
      minimumExpiration: 60,
      maximumExpiration: 3600,
      qualifyFrequency: 0,
      supportPath: behindEdge ? 'yes' : 'no',
    },
  };
}

// The browser identity of a user: the same digest credentials (the web phone logs in with the
// user's SIP username and password), the WebRTC media profile, Opus first and G.711 beside it (the
// switch transcodes to phones and carriers). Browsers only come through the edge (wss), with a Path.
// Asterisk applies a contact's Path only when it dials the AOR, not the contact URI the controller
// dials (one leg per device), so a browser's INVITE is sent to the edge as outbound proxy (as a phone's
// behind the edge: sipIdentityFor): the edge finds the websocket from the Contact's alias.
export function browserSipIdentityFor(
  user: { username: string; phoneNumber: string; password: string; mediaEncryption?: MediaEncryption },
  options: { realm: string; maxDevices: number; behindEdge?: boolean; edgeProxy?: string },
): SipIdentity {
  const phone = sipIdentityFor(user, { ...options, behindEdge: true });
  const id = browserEndpointOf(user.username);
  return {
    // DTLS-SRTP whatever the user's SDES policy for phones (webrtc=yes needs it; a browser has no other).
    endpoint: { ...phone.endpoint, id, aors: id, auth: id, allow: 'opus,ulaw,alaw', webrtc: 'yes', mediaEncryption: 'dtls', mediaEncryptionOptimistic: 'no' },
    // The digest username stays the user's own: only the endpoint and its rows are named apart.
    auth: { ...phone.auth, id },
    aor: { ...phone.aor, id },
  };
}

// Every identity a user has on the switch: its phones' and its browsers'.
export function sipIdentitiesFor(
  user: { username: string; phoneNumber: string; password: string; mediaEncryption?: MediaEncryption },
  options: { realm: string; maxDevices: number; behindEdge?: boolean; edgeProxy?: string },
): SipIdentity[] {
  return [sipIdentityFor(user, options), browserSipIdentityFor(user, options)];
}
