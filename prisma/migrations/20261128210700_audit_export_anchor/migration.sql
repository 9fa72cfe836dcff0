-- AlterTable
ALTER TABLE "audit_exports" ADD COLUMN     "lastHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "prevHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "purgedAt" TIMESTAMP(3);
