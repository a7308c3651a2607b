-- AlterTable
ALTER TABLE "li_events" ADD COLUMN     "key_id" VARCHAR(16);
