-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "username" VARCHAR(40) NOT NULL,
    "connection_id" VARCHAR(255) NOT NULL,
    "contact_uri" VARCHAR(511) NOT NULL,
    "transport" VARCHAR(10),
    "user_agent" VARCHAR(255),
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "refreshed_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" VARCHAR(20),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_records" (
    "call_id" UUID NOT NULL,
    "event_id" VARCHAR(64) NOT NULL,
    "caller_user_id" UUID NOT NULL,
    "caller_username" VARCHAR(40) NOT NULL,
    "caller_number" VARCHAR(16) NOT NULL,
    "dialed" VARCHAR(64) NOT NULL,
    "callee_user_id" UUID,
    "callee_username" VARCHAR(40),
    "callee_number" VARCHAR(16),
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "ringing_at" TIMESTAMPTZ(3),
    "answered_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3) NOT NULL,
    "talk_ms" INTEGER NOT NULL,
    "end_cause" VARCHAR(20) NOT NULL,
    "sip_code" INTEGER,
    "carrier_id" VARCHAR(64),
    "quality" JSONB NOT NULL,
    "history" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_records_pkey" PRIMARY KEY ("call_id")
);

-- CreateTable
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(64) NOT NULL,
    "event_id" VARCHAR(64) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "sessions_user_id_ended_at_idx" ON "sessions"("user_id", "ended_at");

-- CreateIndex
CREATE INDEX "sessions_connection_id_ended_at_idx" ON "sessions"("connection_id", "ended_at");

-- CreateIndex
CREATE UNIQUE INDEX "call_records_event_id_key" ON "call_records"("event_id");

-- CreateIndex
CREATE INDEX "call_records_caller_user_id_requested_at_idx" ON "call_records"("caller_user_id", "requested_at");

-- CreateIndex
CREATE INDEX "call_records_callee_user_id_requested_at_idx" ON "call_records"("callee_user_id", "requested_at");

-- CreateIndex
CREATE INDEX "call_records_ended_at_idx" ON "call_records"("ended_at");
