-- CreateTable
CREATE TABLE "price_plans" (
    "id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "on_net_rate_per_minute_micros" BIGINT NOT NULL DEFAULT 0,
    "on_net_connect_fee_minor" BIGINT NOT NULL DEFAULT 0,
    "first_increment_seconds" INTEGER NOT NULL DEFAULT 60,
    "next_increment_seconds" INTEGER NOT NULL DEFAULT 60,
    "rounding" VARCHAR(10) NOT NULL DEFAULT 'up',
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "price_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_rates" (
    "id" BIGSERIAL NOT NULL,
    "plan_id" UUID NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "rate_per_minute_micros" BIGINT NOT NULL,
    "connect_fee_minor" BIGINT NOT NULL DEFAULT 0,
    "first_increment_seconds" INTEGER,
    "next_increment_seconds" INTEGER,
    "time_from_minute" INTEGER,
    "time_to_minute" INTEGER,
    "description" VARCHAR(128),

    CONSTRAINT "plan_rates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "user_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "plan_id" UUID,
    "balance_minor" BIGINT NOT NULL DEFAULT 0,
    "reserved_minor" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" VARCHAR(10) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "call_id" UUID,
    "reference" VARCHAR(128),
    "balance_after" BIGINT NOT NULL,
    "reserved_after" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reservations" (
    "call_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reserved_minor" BIGINT NOT NULL,
    "reserved_seconds" INTEGER NOT NULL,
    "free" BOOLEAN NOT NULL,
    "destination" VARCHAR(32) NOT NULL,
    "plan_id" UUID,
    "prefix" VARCHAR(16),
    "rate_per_minute_micros" BIGINT NOT NULL,
    "connect_fee_minor" BIGINT NOT NULL,
    "first_increment_seconds" INTEGER NOT NULL,
    "next_increment_seconds" INTEGER NOT NULL,
    "rounding" VARCHAR(10) NOT NULL,
    "status" VARCHAR(10) NOT NULL DEFAULT 'open',
    "charged_minor" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("call_id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "period" CHAR(7) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "total_minor" BIGINT NOT NULL DEFAULT 0,
    "line_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_lines" (
    "id" BIGSERIAL NOT NULL,
    "invoice_id" UUID NOT NULL,
    "event_id" VARCHAR(64) NOT NULL,
    "call_id" UUID NOT NULL,
    "destination" VARCHAR(32) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "talk_seconds" INTEGER NOT NULL,
    "billed_seconds" INTEGER NOT NULL,
    "rate_per_minute_micros" BIGINT NOT NULL,
    "connect_fee_minor" BIGINT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_lines_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "price_plans_name_key" ON "price_plans"("name");

-- CreateIndex
CREATE INDEX "plan_rates_plan_id_prefix_idx" ON "plan_rates"("plan_id", "prefix");

-- CreateIndex
CREATE UNIQUE INDEX "plan_rates_plan_id_prefix_time_from_minute_time_to_minute_key" ON "plan_rates"("plan_id", "prefix", "time_from_minute", "time_to_minute");

-- CreateIndex
CREATE INDEX "ledger_entries_user_id_created_at_idx" ON "ledger_entries"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "ledger_entries_call_id_idx" ON "ledger_entries"("call_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_user_id_reference_key" ON "ledger_entries"("user_id", "reference");

-- CreateIndex
CREATE INDEX "reservations_user_id_status_idx" ON "reservations"("user_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_user_id_period_currency_key" ON "invoices"("user_id", "period", "currency");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_lines_event_id_key" ON "invoice_lines"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_lines_call_id_key" ON "invoice_lines"("call_id");

-- CreateIndex
CREATE INDEX "invoice_lines_invoice_id_idx" ON "invoice_lines"("invoice_id");
