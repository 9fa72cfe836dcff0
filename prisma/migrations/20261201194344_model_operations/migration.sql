-- AlterTable
ALTER TABLE "models" ADD COLUMN     "downloadsEnabled" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "files" JSONB;

-- CreateTable
CREATE TABLE "model_metric_minutes" (
    "tenantId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "writer" TEXT NOT NULL,
    "calls" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "instances" INTEGER NOT NULL DEFAULT 0,
    "batchSizeSum" INTEGER NOT NULL DEFAULT 0,
    "latencySumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latencyBuckets" INTEGER[],

    CONSTRAINT "model_metric_minutes_pkey" PRIMARY KEY ("tenantId","versionId","minute","writer")
);

-- CreateTable
CREATE TABLE "model_input_minutes" (
    "tenantId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "writer" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "counts" INTEGER[],

    CONSTRAINT "model_input_minutes_pkey" PRIMARY KEY ("tenantId","versionId","minute","writer","feature")
);

-- CreateTable
CREATE TABLE "model_input_baselines" (
    "versionId" TEXT NOT NULL,
    "tenantId" TEXT,
    "source" TEXT NOT NULL,
    "samples" INTEGER NOT NULL,
    "features" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_input_baselines_pkey" PRIMARY KEY ("versionId")
);

-- CreateIndex
CREATE INDEX "model_metric_minutes_tenantId_modelId_minute_idx" ON "model_metric_minutes"("tenantId", "modelId", "minute");
