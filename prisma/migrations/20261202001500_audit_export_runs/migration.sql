-- CreateTable
CREATE TABLE "audit_export_runs" (
    "tenantId" TEXT NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),

    CONSTRAINT "audit_export_runs_pkey" PRIMARY KEY ("tenantId")
);
