-- AlterTable
ALTER TABLE "call_records" ADD COLUMN     "attempts" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "direction" VARCHAR(10) NOT NULL DEFAULT 'on-net',
ADD COLUMN     "end_reason" VARCHAR(32),
ALTER COLUMN "caller_user_id" DROP NOT NULL,
ALTER COLUMN "caller_username" DROP NOT NULL;

-- CreateTable
CREATE TABLE "carriers" (
    "id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "endpoint_id" VARCHAR(40) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5060,
    "transport" VARCHAR(5) NOT NULL DEFAULT 'udp',
    "auth_username" VARCHAR(64),
    "number_format" VARCHAR(10) NOT NULL DEFAULT 'plus',
    "tech_prefix" VARCHAR(16) NOT NULL DEFAULT '',
    "max_concurrent_calls" INTEGER NOT NULL DEFAULT 100,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "inbound_match" VARCHAR(255) NOT NULL,
    "allow_above_retail" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "carriers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "carrier_rates" (
    "id" BIGSERIAL NOT NULL,
    "carrier_id" UUID NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "rate_per_minute_micros" BIGINT NOT NULL,
    "connect_fee_minor" BIGINT NOT NULL DEFAULT 0,
    "first_increment_seconds" INTEGER NOT NULL DEFAULT 60,
    "next_increment_seconds" INTEGER NOT NULL DEFAULT 60,

    CONSTRAINT "carrier_rates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "carriers_name_key" ON "carriers"("name");

-- CreateIndex
CREATE UNIQUE INDEX "carriers_endpoint_id_key" ON "carriers"("endpoint_id");

-- CreateIndex
CREATE UNIQUE INDEX "carrier_rates_carrier_id_prefix_key" ON "carrier_rates"("carrier_id", "prefix");
