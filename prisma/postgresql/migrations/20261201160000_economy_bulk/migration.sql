-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "economyBulk" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "economy" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "googleBatchName" TEXT,
ADD COLUMN     "googleState" TEXT,
ADD COLUMN     "googlePolls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "googleSubmittedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "batchRequests" TEXT;
