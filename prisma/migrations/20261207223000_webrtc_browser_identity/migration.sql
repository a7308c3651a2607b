-- A user's browsers register as "<username>~web", an endpoint with the WebRTC media profile.
ALTER TABLE "ps_endpoints" ADD COLUMN "webrtc" VARCHAR(5);
-- A browser's identity sends its requests through the edge (its websocket is there): the
-- outbound_proxy column came with 20261207221500_media_encryption.

-- Users created before this get their browser identity too: the same digest credentials, Opus and
-- G.711, the WebRTC profile, and a Path (browsers only come through the edge).
INSERT INTO "ps_auths" ("id", "auth_type", "md5_cred", "password", "realm", "username")
SELECT a."id" || '~web', a."auth_type", a."md5_cred", a."password", a."realm", a."username"
FROM "ps_auths" a JOIN "users" u ON u."username" = a."id" AND u."deleted_at" IS NULL
ON CONFLICT ("id") DO NOTHING;

INSERT INTO "ps_aors" ("id", "default_expiration", "minimum_expiration", "maximum_expiration", "max_contacts",
  "remove_existing", "remove_unavailable", "qualify_frequency", "support_path")
SELECT a."id" || '~web', a."default_expiration", a."minimum_expiration", a."maximum_expiration", a."max_contacts",
  a."remove_existing", a."remove_unavailable", a."qualify_frequency", 'yes'
FROM "ps_aors" a JOIN "users" u ON u."username" = a."id" AND u."deleted_at" IS NULL
ON CONFLICT ("id") DO NOTHING;

INSERT INTO "ps_endpoints" ("id", "aors", "auth", "context", "disallow", "allow", "direct_media", "dtmf_mode",
  "force_rport", "rewrite_contact", "rtp_symmetric", "callerid", "identify_by", "trust_id_inbound", "send_pai",
  "rtp_timeout", "send_connected_line", "webrtc", "media_encryption", "media_encryption_optimistic")
SELECT e."id" || '~web', e."id" || '~web', e."id" || '~web', e."context", 'all', 'opus,ulaw,alaw', e."direct_media", e."dtmf_mode",
  e."force_rport", 'no', e."rtp_symmetric", e."callerid", e."identify_by", e."trust_id_inbound", e."send_pai",
  e."rtp_timeout", e."send_connected_line", 'yes', 'dtls', 'no'
FROM "ps_endpoints" e JOIN "users" u ON u."username" = e."id" AND u."deleted_at" IS NULL
ON CONFLICT ("id") DO NOTHING;
