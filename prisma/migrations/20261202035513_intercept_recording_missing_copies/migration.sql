-- AlterTable
ALTER TABLE "li_recordings" ADD COLUMN     "missing_locations" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "spool_kept" BOOLEAN NOT NULL DEFAULT false;
