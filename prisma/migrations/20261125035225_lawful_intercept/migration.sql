-- Lawful intercept: agencies, warrants, intercepts, recordings, hash-chained records, audit log.
-- CreateTable
CREATE TABLE "li_agencies" (
    "id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "li_agencies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_warrants" (
    "id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "content" BOOLEAN NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deactivated_at" TIMESTAMPTZ(3),
    "chain_seq" INTEGER NOT NULL DEFAULT 0,
    "chain_head" CHAR(64) NOT NULL,

    CONSTRAINT "li_warrants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_warrant_targets" (
    "warrant_id" UUID NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "value" VARCHAR(64) NOT NULL,

    CONSTRAINT "li_warrant_targets_pkey" PRIMARY KEY ("warrant_id","type","value")
);

-- CreateTable
CREATE TABLE "li_intercepts" (
    "id" UUID NOT NULL,
    "warrant_id" UUID NOT NULL,
    "call_id" UUID NOT NULL,
    "target_role" VARCHAR(8) NOT NULL,
    "target_channel_id" VARCHAR(128),
    "state" VARCHAR(16) NOT NULL,
    "content_state" VARCHAR(16) NOT NULL,
    "content_attempts" INTEGER NOT NULL DEFAULT 0,
    "content_error" VARCHAR(500),
    "next_attempt_at" TIMESTAMPTZ(3),
    "begun_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "li_intercepts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_recordings" (
    "id" UUID NOT NULL,
    "intercept_id" UUID NOT NULL,
    "warrant_id" UUID NOT NULL,
    "call_id" UUID NOT NULL,
    "segment" INTEGER NOT NULL,
    "snoop_in_id" VARCHAR(128) NOT NULL,
    "snoop_out_id" VARCHAR(128) NOT NULL,
    "name_in" VARCHAR(128) NOT NULL,
    "name_out" VARCHAR(128) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "claimed_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(500),
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,
    "size_bytes" INTEGER,
    "sha256" CHAR(64),
    "object_sha256" CHAR(64),
    "object_key" VARCHAR(200),
    "copies" INTEGER NOT NULL DEFAULT 0,
    "stored_at" TIMESTAMPTZ(3),
    "retain_until" TIMESTAMPTZ(3),
    "purged_at" TIMESTAMPTZ(3),

    CONSTRAINT "li_recordings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_events" (
    "id" BIGSERIAL NOT NULL,
    "warrant_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "dedupe_key" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "intercept_id" UUID,
    "call_id" UUID,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "li_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_chain_anchors" (
    "warrant_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "purged" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "li_chain_anchors_pkey" PRIMARY KEY ("warrant_id")
);

-- CreateTable
CREATE TABLE "li_audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "principal_type" VARCHAR(16) NOT NULL,
    "principal_id" VARCHAR(64),
    "action" VARCHAR(64) NOT NULL,
    "warrant_id" VARCHAR(64),
    "recording_id" VARCHAR(64),
    "outcome" VARCHAR(16) NOT NULL,
    "status" INTEGER NOT NULL,
    "remote_address" VARCHAR(64),

    CONSTRAINT "li_audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "li_job_leases" (
    "name" VARCHAR(64) NOT NULL,
    "holder" VARCHAR(128) NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "li_job_leases_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "li_agencies_token_hash_key" ON "li_agencies"("token_hash");

-- CreateIndex
CREATE INDEX "li_warrants_agency_id_idx" ON "li_warrants"("agency_id");

-- CreateIndex
CREATE INDEX "li_warrants_status_valid_from_valid_until_idx" ON "li_warrants"("status", "valid_from", "valid_until");

-- CreateIndex
CREATE INDEX "li_warrant_targets_type_value_idx" ON "li_warrant_targets"("type", "value");

-- CreateIndex
CREATE INDEX "li_intercepts_call_id_idx" ON "li_intercepts"("call_id");

-- CreateIndex
CREATE INDEX "li_intercepts_content_state_next_attempt_at_idx" ON "li_intercepts"("content_state", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "li_intercepts_warrant_id_call_id_key" ON "li_intercepts"("warrant_id", "call_id");

-- CreateIndex
CREATE INDEX "li_recordings_warrant_id_idx" ON "li_recordings"("warrant_id");

-- CreateIndex
CREATE INDEX "li_recordings_state_idx" ON "li_recordings"("state");

-- CreateIndex
CREATE INDEX "li_recordings_retain_until_idx" ON "li_recordings"("retain_until");

-- CreateIndex
CREATE UNIQUE INDEX "li_recordings_intercept_id_segment_key" ON "li_recordings"("intercept_id", "segment");

-- CreateIndex
CREATE INDEX "li_events_occurred_at_idx" ON "li_events"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "li_events_warrant_id_seq_key" ON "li_events"("warrant_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "li_events_warrant_id_dedupe_key_key" ON "li_events"("warrant_id", "dedupe_key");

-- CreateIndex
CREATE INDEX "li_audit_log_warrant_id_at_idx" ON "li_audit_log"("warrant_id", "at");

-- The access audit log is append-only: nobody (agencies, operators, the application) may change
-- or remove an entry once written.
CREATE FUNCTION li_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'li_audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER li_audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "li_audit_log"
  FOR EACH ROW EXECUTE FUNCTION li_audit_log_append_only();

CREATE TRIGGER li_audit_log_no_truncate BEFORE TRUNCATE ON "li_audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION li_audit_log_append_only();
