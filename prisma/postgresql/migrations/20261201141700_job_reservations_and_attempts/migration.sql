-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "reservedImages" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reservedMonth" TEXT;

-- AlterTable
ALTER TABLE "Output" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Usage" ADD COLUMN     "paidImages" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reserved" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");
