-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "automation" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ShopSettings" ADD COLUMN "automationSince" DATETIME;

-- CreateTable
CREATE TABLE "ShopBilling" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "plan" TEXT NOT NULL DEFAULT 'free',
    "subscriptionId" TEXT,
    "usageLineItemId" TEXT,
    "status" TEXT,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "cappedAmountCents" INTEGER NOT NULL DEFAULT 0,
    "periodStart" DATETIME,
    "periodEnd" DATETIME,
    "pendingSubscriptionId" TEXT,
    "pendingPlan" TEXT,
    "pendingCappedCents" INTEGER,
    "syncedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "UsageCharge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "outputId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "subscriptionId" TEXT,
    "lineItemId" TEXT,
    "sentAt" DATETIME,
    "recordId" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AutomationEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "mediaId" TEXT NOT NULL,
    "productTitle" TEXT NOT NULL DEFAULT '',
    "topic" TEXT NOT NULL,
    "webhookId" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "jobId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "UsageCharge_shop_month_idx" ON "UsageCharge"("shop", "month");

-- CreateIndex
CREATE INDEX "UsageCharge_status_updatedAt_idx" ON "UsageCharge"("status", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "UsageCharge_shop_outputId_key" ON "UsageCharge"("shop", "outputId");

-- CreateIndex
CREATE UNIQUE INDEX "UsageCharge_shop_idempotencyKey_key" ON "UsageCharge"("shop", "idempotencyKey");

-- CreateIndex
CREATE INDEX "AutomationEvent_shop_createdAt_idx" ON "AutomationEvent"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AutomationEvent_shop_productId_mediaId_key" ON "AutomationEvent"("shop", "productId", "mediaId");
