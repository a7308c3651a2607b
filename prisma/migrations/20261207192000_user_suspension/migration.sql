-- Suspension of users by an operator (issue 14): they may register and call emergency numbers only.
ALTER TABLE "users" ADD COLUMN "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN "suspension_reason" VARCHAR(200);
