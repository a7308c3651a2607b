import { type Database } from '../shared/infra/prisma';
import { BROWSER_SUFFIX } from './sip-identity';

// Users created before a change of their SIP identity's shape get the new shape at start, so that
// every user's identity is what UserService.create makes today whatever release created it:
// - a browser identity ("<username>~web"), with the same digest credential (HA1) as the phone's,
//   for users created before the webrtc migration ran or by a controller older than it;
// - behind the edge, the edge as outbound proxy of both identities (a node sends every request to a
//   device through it), a Path kept (support_path) and the contact as the device wrote it (not
//   rewritten to the edge's address): the edge's address is config (SIP_EDGE_NODE_SIDE), which
//   no SQL migration knows.
// Idempotent (rows are inserted only where missing, updated only where they differ), and safe when
// several controllers start at once (ON CONFLICT DO NOTHING; updates take row locks). The numbers
// of rows it changed are returned for the start log.
export interface IdentityBackfillOptions {
  behindEdge: boolean;
  // The edge's SIP URI as the nodes reach it, e.g. sip:198.18.0.2:5060 (without ;lr).
  edgeProxy?: string;
}

export interface IdentityBackfillResult {
  browserIdentities: number;
  edgeRoutes: number;
}

export async function backfillSipIdentities(db: Database, options: IdentityBackfillOptions): Promise<IdentityBackfillResult> {
  // Asterisk's realtime stores ';' as '^3B' (prisma-user-repository.ts, toRealtime).
  const proxy = options.behindEdge && options.edgeProxy ? `${options.edgeProxy}^3Blr` : null;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO ps_auths (id, auth_type, md5_cred, password, realm, username)
      SELECT a.id || ${BROWSER_SUFFIX}, a.auth_type, a.md5_cred, a.password, a.realm, a.username
      FROM ps_auths a JOIN users u ON u.username = a.id AND u.deleted_at IS NULL
      ON CONFLICT (id) DO NOTHING`;
    await tx.$executeRaw`
      INSERT INTO ps_aors (id, default_expiration, minimum_expiration, maximum_expiration, max_contacts,
        remove_existing, remove_unavailable, qualify_frequency, support_path)
      SELECT a.id || ${BROWSER_SUFFIX}, a.default_expiration, a.minimum_expiration, a.maximum_expiration, a.max_contacts,
        a.remove_existing, a.remove_unavailable, a.qualify_frequency, 'yes'
      FROM ps_aors a JOIN users u ON u.username = a.id AND u.deleted_at IS NULL
      ON CONFLICT (id) DO NOTHING`;
    // The browser's endpoint as browserSipIdentityFor makes it: the WebRTC profile, DTLS-SRTP, Opus first.
    const browserIdentities = await tx.$executeRaw`
      INSERT INTO ps_endpoints (id, aors, auth, context, disallow, allow, direct_media, dtmf_mode, force_rport,
        rewrite_contact, rtp_symmetric, callerid, identify_by, trust_id_inbound, send_pai, rtp_timeout,
        send_connected_line, webrtc, media_encryption, media_encryption_optimistic, outbound_proxy)
      SELECT e.id || ${BROWSER_SUFFIX}, e.id || ${BROWSER_SUFFIX}, e.id || ${BROWSER_SUFFIX}, e.context, 'all', 'opus,ulaw,alaw',
        e.direct_media, e.dtmf_mode, e.force_rport, 'no', e.rtp_symmetric, e.callerid, e.identify_by, e.trust_id_inbound,
        e.send_pai, e.rtp_timeout, e.send_connected_line, 'yes', 'dtls', 'no', ${proxy}
      FROM ps_endpoints e JOIN users u ON u.username = e.id AND u.deleted_at IS NULL
      ON CONFLICT (id) DO NOTHING`;
    if (!proxy) return { browserIdentities, edgeRoutes: 0 };
    const edgeRoutes = await tx.$executeRaw`
      UPDATE ps_endpoints e SET outbound_proxy = ${proxy}, rewrite_contact = 'no'
      FROM users u
      WHERE u.deleted_at IS NULL AND (e.id = u.username OR e.id = u.username || ${BROWSER_SUFFIX})
        AND (e.outbound_proxy IS DISTINCT FROM ${proxy} OR e.rewrite_contact IS DISTINCT FROM 'no')`;
    await tx.$executeRaw`
      UPDATE ps_aors a SET support_path = 'yes'
      FROM users u
      WHERE u.deleted_at IS NULL AND a.id = u.username AND a.support_path IS DISTINCT FROM 'yes'`;
    return { browserIdentities, edgeRoutes };
  });
}
