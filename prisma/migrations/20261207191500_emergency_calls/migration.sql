-- Emergency calls (issue 14): carriers that take them, per country, and the mark on call records.
ALTER TABLE "carriers" ADD COLUMN "emergency" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "emergency_countries" VARCHAR(2)[] DEFAULT ARRAY[]::VARCHAR(2)[];

ALTER TABLE "call_records" ADD COLUMN "emergency" BOOLEAN NOT NULL DEFAULT false;
