-- AlterTable
ALTER TABLE "inference_jobs" ADD COLUMN     "quotaReservation" JSONB,
ADD COLUMN     "requestId" TEXT,
ADD COLUMN     "webhookAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "webhookDeliveredAt" TIMESTAMP(3),
ADD COLUMN     "webhookError" TEXT,
ADD COLUMN     "webhookSecret" TEXT;
