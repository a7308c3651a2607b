-- CreateTable
CREATE TABLE "operators" (
    "id" UUID NOT NULL,
    "username" VARCHAR(64) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "password_hash" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "operators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operator_tokens" (
    "id" UUID NOT NULL,
    "operator_id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "operator_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operator_audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "operator_id" UUID,
    "operator_name" VARCHAR(64) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "target" VARCHAR(200),
    "details" JSONB NOT NULL DEFAULT '{}',
    "source_ip" VARCHAR(64) NOT NULL,
    "user_agent" VARCHAR(256),

    CONSTRAINT "operator_audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "operators_username_key" ON "operators"("username");

-- CreateIndex
CREATE UNIQUE INDEX "operator_tokens_token_hash_key" ON "operator_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "operator_tokens_operator_id_idx" ON "operator_tokens"("operator_id");

-- CreateIndex
CREATE INDEX "operator_audit_log_at_idx" ON "operator_audit_log"("at");

-- CreateIndex
CREATE INDEX "operator_audit_log_operator_id_id_idx" ON "operator_audit_log"("operator_id", "id");

-- CreateIndex
CREATE INDEX "operator_audit_log_action_id_idx" ON "operator_audit_log"("action", "id");

-- CreateIndex
CREATE INDEX "operator_audit_log_target_id_idx" ON "operator_audit_log"("target", "id");

-- AddForeignKey
ALTER TABLE "operator_tokens" ADD CONSTRAINT "operator_tokens_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "operators"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The operator audit log is append-only: rows are inserted, never changed or removed.
CREATE FUNCTION operator_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'operator_audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER operator_audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "operator_audit_log"
  FOR EACH ROW EXECUTE FUNCTION operator_audit_log_append_only();

CREATE TRIGGER operator_audit_log_no_truncate BEFORE TRUNCATE ON "operator_audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION operator_audit_log_append_only();

-- Roles are a closed set (app/operators/operator.ts ROLES). A trigger rather than a CHECK
-- constraint: Prisma's WASM schema engine fails on CHECK constraints when it diffs migrations.
CREATE FUNCTION operators_role_valid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.role NOT IN ('admin', 'billing', 'support') THEN
    RAISE EXCEPTION 'operators.role must be admin, billing or support (got %)', NEW.role USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER operators_role_check BEFORE INSERT OR UPDATE OF role ON "operators"
  FOR EACH ROW EXECUTE FUNCTION operators_role_valid();
