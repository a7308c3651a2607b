-- CreateTable
CREATE TABLE "routing_quality_batch" (
    "carrier_id" VARCHAR(64) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "attempts" INTEGER NOT NULL,
    "answered" INTEGER NOT NULL,
    "talk_ms" BIGINT NOT NULL,
    "pdd_count" INTEGER NOT NULL,
    "pdd_ms" BIGINT NOT NULL,
    "media_count" INTEGER NOT NULL,
    "mes_count" INTEGER NOT NULL,
    "mes_milli" BIGINT NOT NULL,
    "jitter_micros" BIGINT NOT NULL,
    "rx_packets" BIGINT NOT NULL,
    "lost_packets" BIGINT NOT NULL,

    CONSTRAINT "routing_quality_batch_pkey" PRIMARY KEY ("carrier_id","prefix")
);

-- CreateTable
CREATE TABLE "routing_batch_state" (
    "id" INTEGER NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "watermark" TIMESTAMPTZ(3) NOT NULL,
    "records" INTEGER NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "routing_batch_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_quality_minutes" (
    "carrier_id" VARCHAR(64) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL,
    "answered" INTEGER NOT NULL,
    "talk_ms" BIGINT NOT NULL,
    "pdd_count" INTEGER NOT NULL,
    "pdd_ms" BIGINT NOT NULL,
    "media_count" INTEGER NOT NULL,
    "mes_count" INTEGER NOT NULL,
    "mes_milli" BIGINT NOT NULL,
    "jitter_micros" BIGINT NOT NULL,
    "rx_packets" BIGINT NOT NULL,
    "lost_packets" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_quality_minutes_pkey" PRIMARY KEY ("carrier_id","prefix","minute")
);

-- CreateTable
CREATE TABLE "routing_deck_versions" (
    "carrier_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "rates" INTEGER NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "routing_deck_versions_pkey" PRIMARY KEY ("carrier_id")
);

-- CreateIndex
CREATE INDEX "routing_quality_minutes_minute_idx" ON "routing_quality_minutes"("minute");

-- CreateIndex
CREATE INDEX "routing_quality_minutes_updated_at_idx" ON "routing_quality_minutes"("updated_at");
