-- CreateTable
CREATE TABLE "registration_changes" (
    "id" BIGSERIAL NOT NULL,
    "op" VARCHAR(16) NOT NULL,
    "contact_id" VARCHAR(255) NOT NULL,
    "endpoint" VARCHAR(40),
    "uri" VARCHAR(511),
    "user_agent" VARCHAR(255),
    "via_addr" VARCHAR(40),
    "via_port" INTEGER,
    "expiration_time" BIGINT,
    "previous_expiration_time" BIGINT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registration_changes_pkey" PRIMARY KEY ("id")
);


-- Hand-written below this line: Prisma does not model functions or triggers. (No CHECK constraint
-- on op: the JS schema engine of Prisma 6.19 crashes introspecting one in `migrate diff`; the
-- trigger function below is the only writer of op.)

-- Asterisk's registrar writes ps_contacts (PJSIP realtime); ARI does not report those writes for
-- realtime contacts. This trigger turns each write into a row of registration_changes, in the
-- registrar's own transaction, so a change is recorded exactly when it happens and kept until the
-- registration watcher has published it. pg_notify only wakes the watcher up (it is delivered at
-- commit and lost if nobody listens); the table is the source of truth.
CREATE FUNCTION "registration_changes_capture"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  change_id BIGINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO registration_changes (op, contact_id, endpoint, uri, user_agent, via_addr, via_port, expiration_time, changed_at)
    VALUES ('registered', NEW.id, NEW.endpoint, NEW.uri, NEW.user_agent, NEW.via_addr, NEW.via_port, NEW.expiration_time, clock_timestamp())
    RETURNING id INTO change_id;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO registration_changes (op, contact_id, endpoint, uri, user_agent, via_addr, via_port, expiration_time, previous_expiration_time, changed_at)
    VALUES ('refreshed', NEW.id, NEW.endpoint, NEW.uri, NEW.user_agent, NEW.via_addr, NEW.via_port, NEW.expiration_time, OLD.expiration_time, clock_timestamp())
    RETURNING id INTO change_id;
  ELSE
    -- Asterisk prunes a contact some time after it expired (contact_expiration_check_interval);
    -- a contact deleted before its expiry was removed on purpose: an unregister (Expires: 0), a
    -- newer device replacing it (remove_existing) or an operator's logout. One second of slack
    -- covers the rounding of expiration_time to whole seconds.
    INSERT INTO registration_changes (op, contact_id, endpoint, uri, user_agent, via_addr, via_port, expiration_time, changed_at)
    VALUES (
      CASE WHEN OLD.expiration_time <= floor(extract(epoch FROM clock_timestamp()))::bigint + 1 THEN 'expired' ELSE 'unregistered' END,
      OLD.id, OLD.endpoint, OLD.uri, OLD.user_agent, OLD.via_addr, OLD.via_port, OLD.expiration_time, clock_timestamp())
    RETURNING id INTO change_id;
  END IF;
  PERFORM pg_notify('registration_changes', change_id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "ps_contacts_registration_changes"
  AFTER INSERT OR DELETE ON "ps_contacts"
  FOR EACH ROW EXECUTE FUNCTION "registration_changes_capture"();

-- A refresh is a change of the expiry; Asterisk's other updates of a contact (e.g. qualify
-- results, were they enabled) are not registration changes.
CREATE TRIGGER "ps_contacts_registration_refreshes"
  AFTER UPDATE OF "expiration_time" ON "ps_contacts"
  FOR EACH ROW WHEN (OLD."expiration_time" IS DISTINCT FROM NEW."expiration_time")
  EXECUTE FUNCTION "registration_changes_capture"();
