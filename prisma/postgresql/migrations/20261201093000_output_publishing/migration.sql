-- Publishing exactly once: per-output attempts and owning queue job, the attach step, per-output errors.
ALTER TABLE "Output" ADD COLUMN "mediaAttempt" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "mediaQueueId" TEXT,
ADD COLUMN "attachSentAt" TIMESTAMP(3),
ADD COLUMN "errorCode" TEXT,
ADD COLUMN "error" TEXT;

-- CreateIndex
CREATE INDEX "Output_reviewState_updatedAt_idx" ON "Output"("reviewState", "updatedAt");
