-- The call history's page by user or number reads each column's index backwards and stops after a
-- page (app/call-log/call-record-query.ts, branchesOf): with call_id last, the index order is the
-- page's order (requested_at, call_id), so no branch reads more than a page. The narrower indexes
-- they replace are dropped (every read of them is served by the new ones). On a large existing
-- call_records the builds block the call-records consumer's inserts while they run (its events
-- wait in JetStream meanwhile): 10 million records took about a minute per index on 2 vCPUs.

-- DropIndex
DROP INDEX "call_records_caller_user_id_requested_at_idx";

-- DropIndex
DROP INDEX "call_records_callee_user_id_requested_at_idx";

-- DropIndex
DROP INDEX "call_records_caller_number_requested_at_idx";

-- DropIndex
DROP INDEX "call_records_callee_number_requested_at_idx";

-- DropIndex
DROP INDEX "call_records_dialed_requested_at_idx";

-- CreateIndex
CREATE INDEX "call_records_caller_user_id_requested_at_call_id_idx" ON "call_records"("caller_user_id", "requested_at", "call_id");

-- CreateIndex
CREATE INDEX "call_records_callee_user_id_requested_at_call_id_idx" ON "call_records"("callee_user_id", "requested_at", "call_id");

-- CreateIndex
CREATE INDEX "call_records_caller_number_requested_at_call_id_idx" ON "call_records"("caller_number", "requested_at", "call_id");

-- CreateIndex
CREATE INDEX "call_records_callee_number_requested_at_call_id_idx" ON "call_records"("callee_number", "requested_at", "call_id");

-- CreateIndex
CREATE INDEX "call_records_dialed_requested_at_call_id_idx" ON "call_records"("dialed", "requested_at", "call_id");
