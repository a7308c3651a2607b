-- The history's indexes (GET /v1/call-records). On a large existing call_records they block the
-- call-records consumer's inserts while they build (its events wait in JetStream meanwhile).

-- AlterTable
ALTER TABLE "call_records" ADD COLUMN     "carrier_cost_micros" BIGINT,
ADD COLUMN     "carrier_currency" CHAR(3),
ADD COLUMN     "node" VARCHAR(64);

-- CreateIndex
CREATE INDEX "call_records_requested_at_call_id_idx" ON "call_records"("requested_at", "call_id");

-- CreateIndex
CREATE INDEX "call_records_caller_number_requested_at_idx" ON "call_records"("caller_number", "requested_at");

-- CreateIndex
CREATE INDEX "call_records_callee_number_requested_at_idx" ON "call_records"("callee_number", "requested_at");

-- CreateIndex
CREATE INDEX "call_records_dialed_requested_at_idx" ON "call_records"("dialed", "requested_at");

-- CreateIndex
CREATE INDEX "call_records_carrier_id_requested_at_idx" ON "call_records"("carrier_id", "requested_at");
