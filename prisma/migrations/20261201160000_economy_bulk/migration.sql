-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "economyBulk" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Batch" ADD COLUMN "economy" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Batch" ADD COLUMN "googleBatchName" TEXT;
ALTER TABLE "Batch" ADD COLUMN "googleState" TEXT;
ALTER TABLE "Batch" ADD COLUMN "googlePolls" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Batch" ADD COLUMN "googleSubmittedAt" DATETIME;

-- AlterTable
ALTER TABLE "Job" ADD COLUMN "batchRequests" TEXT;
