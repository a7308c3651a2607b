-- The edge refuses a "required" user on a plain transport (kamailio/edge-tls.cfg): its role reads
-- the policy, and only that, of active users (least privilege: 20261207220000_least_privilege_roles).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calling_edge') THEN
    GRANT SELECT ("username", "media_encryption", "deleted_at") ON "users" TO calling_edge;
  END IF;
END
$$;
