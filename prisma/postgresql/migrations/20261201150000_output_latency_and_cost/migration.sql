-- AlterTable
ALTER TABLE "Output" ADD COLUMN     "costMicros" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "providerMs" INTEGER;

-- CreateIndex
CREATE INDEX "Output_createdAt_idx" ON "Output"("createdAt");
