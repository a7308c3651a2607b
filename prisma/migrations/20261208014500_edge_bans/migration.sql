-- The edge's bans (kamailio/edge-guard.cfg) outlive a restart of the edge: Kamailio's htable keeps
-- them in memory and loads this table at start (htable's database backend, its own column names).
-- A ban is written when it is made and the table is rewritten from memory at a clean stop (a lift
-- through the admin API, or a ban's end, is then gone from it too); expires is a Unix time.
CREATE TABLE "edge_bans" (
    "id" SERIAL NOT NULL,
    "key_name" VARCHAR(64) NOT NULL,
    "key_type" INTEGER NOT NULL DEFAULT 0,
    "value_type" INTEGER NOT NULL DEFAULT 0,
    "key_value" VARCHAR(128) NOT NULL DEFAULT '',
    "expires" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "edge_bans_pkey" PRIMARY KEY ("id")
);

-- The edge's role writes and reads them (least privilege: 20261207220000_least_privilege_roles);
-- the app's may only delete one (an operator's lift, DELETE /v1/sip-bans/{address}: the admin API
-- reads bans from the edge itself, over its RPC).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_edge') THEN
    GRANT SELECT, INSERT, DELETE ON "edge_bans" TO calling_edge;
    GRANT USAGE ON SEQUENCE "edge_bans_id_seq" TO calling_edge;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_app') THEN
    GRANT SELECT ("key_name"), DELETE ON "edge_bans" TO calling_app;
  END IF;
END
$$;
