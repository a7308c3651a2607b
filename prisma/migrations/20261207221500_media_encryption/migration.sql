-- Per-user media encryption policy (issue 13: SIP over TLS with SDES-SRTP), and the endpoint
-- columns Asterisk reads for it. Existing users get the default (optional); their endpoints are
-- set to match it (optimistic SDES), so every endpoint follows its user's policy.
ALTER TABLE "users" ADD COLUMN "media_encryption" VARCHAR(10) NOT NULL DEFAULT 'optional';

ALTER TABLE "ps_endpoints" ADD COLUMN "media_encryption" VARCHAR(10),
ADD COLUMN "media_encryption_optimistic" VARCHAR(5),
ADD COLUMN "outbound_proxy" VARCHAR(255);

UPDATE "ps_endpoints" SET "media_encryption" = 'sdes', "media_encryption_optimistic" = 'yes'
WHERE "id" IN (SELECT "username" FROM "users" WHERE "deleted_at" IS NULL);
