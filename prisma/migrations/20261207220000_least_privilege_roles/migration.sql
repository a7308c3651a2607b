-- Least privilege (issue 15). Three roles share this database:
--   * the owner (the role that runs these migrations): owns every table, function and trigger;
--     only it can change the schema or disable a trigger (ALTER TABLE needs ownership);
--   * calling_app, the controller: reads and writes rows, no DDL, and only appends to the audit
--     tables (operators' audit log, the intercept access log and hash-chained events);
--   * calling_asterisk, the switch (PJSIP realtime through res_config_pgsql): reads its ps_*
--     configuration and writes registrations (ps_contacts), nothing else: a compromised switch
--     cannot read users, balances or evidence, nor rewrite them;
--   * calling_edge, the Kamailio edge of a fleet: four columns of carriers, read only.
-- The login roles and their passwords are created by the set-up, as a superuser, before the
-- migrations run (scripts/stack.sh, scripts/lib/fleet-services.sh, docker/postgres-init/); where
-- a role does not exist this migration grants it nothing. Default privileges give calling_app
-- every table a later migration creates; a new audit table must be revoked below, in its own
-- migration, and a new table Asterisk needs granted to calling_asterisk.

-- Asterisk's writes of ps_contacts are recorded by a trigger into registration_changes: the
-- function runs as its owner, so the switch needs no right on that table.
ALTER FUNCTION "registration_changes_capture"() SECURITY DEFINER SET search_path = public, pg_temp;

-- Retention of the intercept hash chain: a prefix of a warrant's chain is removed only together
-- with the anchor that records it (seq, hash, count), so the application never deletes an event
-- itself; a deletion always leaves its trace in the chain.
CREATE FUNCTION li_purge_chain_prefix(p_warrant_id UUID, p_through_seq INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_hash TEXT;
  purged INTEGER;
BEGIN
  SELECT hash INTO last_hash FROM li_events WHERE warrant_id = p_warrant_id AND seq = p_through_seq;
  IF last_hash IS NULL THEN
    RAISE EXCEPTION 'li_events: no record % in the chain of warrant %', p_through_seq, p_warrant_id;
  END IF;
  DELETE FROM li_events WHERE warrant_id = p_warrant_id AND seq <= p_through_seq;
  GET DIAGNOSTICS purged = ROW_COUNT;
  INSERT INTO li_chain_anchors (warrant_id, seq, hash, purged, updated_at)
  VALUES (p_warrant_id, p_through_seq, last_hash, purged, now())
  ON CONFLICT (warrant_id) DO UPDATE
    SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, purged = li_chain_anchors.purged + EXCLUDED.purged, updated_at = now();
  RETURN purged;
END;
$$;
REVOKE ALL ON FUNCTION li_purge_chain_prefix(UUID, INTEGER) FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_app') THEN
    EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database()) || ' TO calling_app';
    GRANT USAGE ON SCHEMA public TO calling_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO calling_app;
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO calling_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO calling_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO calling_app;
    -- The migrations' own bookkeeping is the owner's.
    REVOKE ALL ON "_prisma_migrations" FROM calling_app;
    -- Audit tables: append and read only.
    REVOKE UPDATE, DELETE, TRUNCATE ON "operator_audit_log", "li_audit_log", "li_events" FROM calling_app;
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "li_chain_anchors" FROM calling_app;
    GRANT EXECUTE ON FUNCTION li_purge_chain_prefix(UUID, INTEGER) TO calling_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_asterisk') THEN
    EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database()) || ' TO calling_asterisk';
    GRANT USAGE ON SCHEMA public TO calling_asterisk;
    GRANT SELECT ON "ps_endpoints", "ps_auths", "ps_aors", "ps_endpoint_id_ips", "ps_registrations" TO calling_asterisk;
    GRANT SELECT, INSERT, UPDATE, DELETE ON "ps_contacts" TO calling_asterisk;
  END IF;
  -- The Kamailio edge recognises carriers by source address (kamailio/edge.cfg): those columns only.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_edge') THEN
    EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database()) || ' TO calling_edge';
    GRANT USAGE ON SCHEMA public TO calling_edge;
    GRANT SELECT ("endpoint_id", "inbound_match", "deleted_at", "enabled") ON "carriers" TO calling_edge;
  END IF;
END;
$$;
