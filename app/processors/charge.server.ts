import { prisma } from "~/infra/db.server";
import { formatCents } from "~/billing/plans";
import { adminApiForShop } from "~/models/admin.server";
import { AdminApiError } from "~/shopify/admin-api.server";
import { recordUsage } from "~/shopify/billing.server";

// One usage charge, sent to Shopify exactly once. `sentAt` is written before appUsageRecordCreate goes
// out: a try that finds it set (a killed worker, a lost answer, a failed write of the answer) looks the
// record up by its idempotency key first and adopts it, and sends the same key if Shopify has none.

export async function processCharge(shop: string, chargeId: string, signal?: AbortSignal) {
  const charge = await prisma.usageCharge.findFirst({ where: { id: chargeId, shop } });
  if (!charge || (charge.status !== "pending" && charge.status !== "sent")) return;
  if (!charge.subscriptionId || !charge.lineItemId) return;
  const sentBefore = charge.sentAt ?? undefined;
  if (!sentBefore) {
    const { count } = await prisma.usageCharge.updateMany({
      where: { id: chargeId, shop, sentAt: null },
      data: { sentAt: new Date(), status: "sent" },
    });
    // Another run took it between the read and this write: it looks the record up before sending.
    if (count === 0) return processCharge(shop, chargeId, signal);
  }
  const api = await adminApiForShop(shop);
  try {
    const record = await recordUsage(
      api,
      {
        subscriptionId: charge.subscriptionId,
        lineItemId: charge.lineItemId,
        priceCents: charge.amountCents,
        description: `Generated image beyond the plan (US$${formatCents(charge.amountCents)})`,
        idempotencyKey: charge.idempotencyKey,
        sentBefore,
      },
      { signal },
    );
    await prisma.usageCharge.updateMany({
      where: { id: chargeId, shop },
      data: { status: "recorded", recordId: record.id, error: null },
    });
  } catch (error) {
    if (error instanceof AdminApiError && (error.code === "USAGE_CAP_REACHED" || error.code === "USER_ERROR")) {
      // Over the capped amount, or a subscription no longer active: no retry makes this charge. Anything
      // else (a refused token, Shopify down) leaves it "sent" for the reconciler to try again.
      await prisma.usageCharge.updateMany({
        where: { id: chargeId, shop, status: "sent" },
        data: { status: "refused", error: `${error.code}: ${error.message}`.slice(0, 500) },
      });
      return;
    }
    throw error;
  }
}
