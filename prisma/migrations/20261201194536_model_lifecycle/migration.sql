-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "parentVersionId" TEXT,
ADD COLUMN     "preprocessing" JSONB,
ADD COLUMN     "quantization" TEXT,
ADD COLUMN     "trainingJobId" TEXT;

-- AlterTable
ALTER TABLE "usage_records" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'inference';

-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "columns" JSONB NOT NULL,
    "storageUri" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_jobs" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "apiKeyId" TEXT,
    "userId" TEXT,
    "requestId" TEXT,
    "modelId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" JSONB,
    "history" JSONB NOT NULL DEFAULT '[]',
    "modelVersionId" TEXT,
    "error" JSONB,
    "computeMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "quotaReservation" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "cancelRequestedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "training_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluations" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "rows" INTEGER NOT NULL DEFAULT 0,
    "metrics" JSONB,
    "error" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "datasets_tenantId_createdAt_idx" ON "datasets"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "training_jobs_tenantId_createdAt_idx" ON "training_jobs"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "training_jobs_status_lockedUntil_idx" ON "training_jobs"("status", "lockedUntil");

-- CreateIndex
CREATE INDEX "evaluations_tenantId_modelVersionId_idx" ON "evaluations"("tenantId", "modelVersionId");

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_jobs" ADD CONSTRAINT "training_jobs_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
