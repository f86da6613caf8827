-- AlterTable
ALTER TABLE "Output" ADD COLUMN "providerMs" INTEGER;
ALTER TABLE "Output" ADD COLUMN "costMicros" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Output_createdAt_idx" ON "Output"("createdAt");
