-- Publishing exactly once: per-output attempts and owning queue job, the attach step, per-output errors.
ALTER TABLE "Output" ADD COLUMN "mediaAttempt" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Output" ADD COLUMN "mediaQueueId" TEXT;
ALTER TABLE "Output" ADD COLUMN "attachSentAt" DATETIME;
ALTER TABLE "Output" ADD COLUMN "errorCode" TEXT;
ALTER TABLE "Output" ADD COLUMN "error" TEXT;

-- CreateIndex
CREATE INDEX "Output_reviewState_updatedAt_idx" ON "Output"("reviewState", "updatedAt");
