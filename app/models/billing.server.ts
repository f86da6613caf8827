import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { enqueueMany } from "~/infra/queue.server";
import {
  cappedAmountForImages,
  chargeForNextImage,
  findPaidPlan,
  FREE_PLAN,
  imageLimit,
  type PaidPlan,
  type PaidPlanId,
  type Plan,
} from "~/billing/plans";
import type { Locale } from "~/i18n/index";
import type { AdminApi } from "~/shopify/admin-api.server";
import {
  cancelSubscription,
  createSubscription,
  needsTestCharges,
  raiseCap,
  readSubscription,
  readSubscriptionById,
  type Subscription,
} from "~/shopify/billing.server";
import { currentMonth, isCapped, TRANSACTION } from "~/models/usage.server";

// The shop's plan, as last confirmed with Shopify, and the usage charges its paid images make. Shopify is
// the source of truth for the plan: every change (approval, decline, cancellation, a frozen store) is
// read back from the Billing API before it is recorded. The monthly cap of a paid plan is the
// subscription's capped amount expressed in images (plans.ts: imageLimit), so the two never disagree.
//
// Exactly-once charging: each paid output gets one UsageCharge row (unique per shop and output) whose
// idempotency key is fixed by the output id. A charge job sends it; `sentAt` is written before the
// mutation, so any later try looks the record up by its key before sending again (and sends the same
// key if it must). The reconciler re-queues charges that were never confirmed.

export const PROVIDERS_ON_FREE_PLAN = ["local"] as const;

export function billingEnabled(): boolean {
  return env.BILLING === "shopify";
}

export interface BillingState {
  plan: Plan;
  subscriptionId: string | null;
  usageLineItemId: string | null;
  status: string | null;
  test: boolean;
  cappedAmountCents: number;
  periodEnd: Date | null;
  pendingPlan: PaidPlanId | null;
  pendingCappedCents: number | null;
}

export async function getBilling(shop: string): Promise<BillingState> {
  const row = await prisma.shopBilling.findUnique({ where: { shop } });
  const plan = (row && findPaidPlan(row.plan)) || FREE_PLAN;
  return {
    plan,
    subscriptionId: plan.id === "free" ? null : (row?.subscriptionId ?? null),
    usageLineItemId: plan.id === "free" ? null : (row?.usageLineItemId ?? null),
    status: row?.status ?? null,
    test: row?.test ?? false,
    cappedAmountCents: plan.id === "free" ? 0 : (row?.cappedAmountCents ?? 0),
    periodEnd: row?.periodEnd ?? null,
    pendingPlan: (row?.pendingPlan as PaidPlanId | null) ?? null,
    pendingCappedCents: row?.pendingCappedCents ?? null,
  };
}

/**
 * The monthly cap in paid images. With billing off it is the settings' cap; on a paid plan the included
 * images plus what the capped amount pays for; on the free plan no paid image at all.
 */
export async function capForShop(shop: string, settingsCap: number | null): Promise<number | null> {
  if (!billingEnabled()) return settingsCap;
  const billing = await getBilling(shop);
  return billing.plan.id === "free" ? 0 : imageLimit(billing.plan, billing.cappedAmountCents);
}

/** Which providers the shop's plan allows: the free plan only the local one; every provider with billing off. */
export async function providersAllowed(shop: string): Promise<readonly string[] | "all"> {
  if (!billingEnabled()) return "all";
  return (await getBilling(shop)).plan.id === "free" ? PROVIDERS_ON_FREE_PLAN : "all";
}

/**
 * Records what Shopify said was active at `readAt`: a paid plan, or the free plan (none, declined,
 * cancelled, frozen). Reads answer in any order (a webhook and the billing page at once): a read older
 * than the one recorded changes nothing.
 */
export async function recordSubscription(shop: string, subscription: Subscription | null, readAt = new Date()): Promise<BillingState> {
  const paid = subscription?.status === "ACTIVE" && subscription.plan && subscription.usageLineItemId ? subscription : null;
  const data = paid
    ? {
        plan: paid.plan!.id,
        subscriptionId: paid.id,
        usageLineItemId: paid.usageLineItemId,
        status: paid.status,
        test: paid.test,
        cappedAmountCents: paid.cappedAmountCents,
        periodEnd: paid.currentPeriodEnd,
        periodStart: paid.currentPeriodEnd ? new Date(paid.currentPeriodEnd.getTime() - 30 * 86_400_000) : null,
      }
    : { plan: "free", subscriptionId: null, usageLineItemId: null, status: null, cappedAmountCents: 0, periodEnd: null, periodStart: null };
  await prisma.shopBilling.upsert({ where: { shop }, create: { shop }, update: {} });
  await prisma.shopBilling.updateMany({
    where: { shop, OR: [{ syncedAt: null }, { syncedAt: { lte: readAt } }] },
    data: { ...data, syncedAt: readAt },
  });
  return getBilling(shop);
}

/** Reads the shop's active subscription from Shopify and records it. */
export async function syncBilling(api: AdminApi, shop: string): Promise<BillingState> {
  const readAt = new Date();
  return recordSubscription(shop, await readSubscription(api), readAt);
}

/**
 * Asks Shopify for a plan: the merchant approves or declines on the page returned. Development and staff
 * stores get a test charge. The capped amount defaults to the plan's.
 */
export async function requestPlan(
  api: AdminApi,
  shop: string,
  plan: PaidPlan,
  opts: { returnUrl: string; locale: Locale; capImages?: number },
): Promise<string> {
  const test = await needsTestCharges(api);
  const cappedAmountCents = opts.capImages ? cappedAmountForImages(plan, opts.capImages) : undefined;
  const { confirmationUrl, subscription } = await createSubscription(api, plan, {
    returnUrl: opts.returnUrl,
    test,
    locale: opts.locale,
    cappedAmountCents,
  });
  const pending = { pendingSubscriptionId: subscription.id, pendingPlan: plan.id, pendingCappedCents: subscription.cappedAmountCents };
  await prisma.shopBilling.upsert({ where: { shop }, create: { shop, ...pending }, update: pending });
  return confirmationUrl;
}

/**
 * The billing page after Shopify's approval page (`charge_id` on the return URL after an approval; none
 * after a decline, when the pending subscription recorded by requestPlan says what was asked): the plan
 * recorded is whatever Shopify now has active. Approved: the new plan; declined: the plan before (the
 * free plan for a first subscription). Null outcome when nothing was waiting for an answer.
 */
export async function confirmPlan(
  api: AdminApi,
  shop: string,
  chargeId: string | null,
): Promise<{ outcome: BillingOutcome | null; billing: BillingState }> {
  const row = await prisma.shopBilling.findUnique({ where: { shop } });
  const asked = chargeId ?? row?.pendingSubscriptionId ?? null;
  const answered = asked ? await readSubscriptionById(api, asked) : null;
  await syncBilling(api, shop);
  const status = answered?.status;
  if (status !== "PENDING") {
    await prisma.shopBilling.updateMany({ where: { shop }, data: { pendingSubscriptionId: null, pendingPlan: null } });
  }
  // A raise of the cap is answered on Shopify's page, and the merchant comes back here: the subscription
  // stays ACTIVE either way, and Shopify's return (with or without a charge_id) says nothing of the
  // answer. So the answer is whether the capped amount Shopify now has (read back by syncBilling)
  // reaches the one asked for. Approved later in another tab, the cap still rises at the next sync.
  const capAsked = row?.pendingCappedCents != null && !row.pendingSubscriptionId ? row.pendingCappedCents : null;
  if (capAsked != null) {
    await prisma.shopBilling.updateMany({ where: { shop }, data: { pendingCappedCents: null } });
  }
  const billing = await getBilling(shop);
  if (capAsked != null && billing.plan.id !== "free") {
    return { outcome: billing.cappedAmountCents >= capAsked ? "capRaised" : "capDeclined", billing };
  }
  const outcome = !answered ? null : status === "ACTIVE" ? "approved" : status === "PENDING" ? "pending" : "declined";
  return { outcome, billing };
}

/** What the merchant answered on Shopify's approval page, as the billing page tells it. */
export type BillingOutcome = "approved" | "declined" | "pending" | "capRaised" | "capDeclined";

/** Asks to raise the monthly cap to `images` (Shopify lets a capped amount only grow); the merchant approves it on Shopify's page. */
export async function requestCap(api: AdminApi, shop: string, images: number): Promise<string | { error: string }> {
  const billing = await getBilling(shop);
  if (billing.plan.id === "free" || !billing.usageLineItemId) return { error: "free" };
  const cents = cappedAmountForImages(billing.plan, images);
  if (cents <= billing.cappedAmountCents) return { error: "notHigher" };
  const { confirmationUrl } = await raiseCap(api, { lineItemId: billing.usageLineItemId, cappedAmountCents: cents });
  await prisma.shopBilling.updateMany({ where: { shop }, data: { pendingCappedCents: cents } });
  return confirmationUrl;
}

/** Back to the free plan at once: the subscription is cancelled (prorated) and paid providers stop. */
export async function cancelPlan(api: AdminApi, shop: string): Promise<BillingState> {
  const billing = await getBilling(shop);
  if (billing.subscriptionId) await cancelSubscription(api, billing.subscriptionId);
  return syncBilling(api, shop);
}

/**
 * app_subscriptions/update: the payload names a subscription and its status. A change to the shop's
 * recorded subscription (cancelled, frozen, declined, expired, or approved) is read back from Shopify
 * when the shop's token works, and taken from the payload otherwise: a subscription that is no longer
 * ACTIVE puts the shop on the free plan.
 */
export async function onSubscriptionWebhook(shop: string, payload: unknown, api: AdminApi | undefined): Promise<void> {
  const subscription = (payload as { app_subscription?: { admin_graphql_api_id?: unknown; status?: unknown } })?.app_subscription;
  const id = typeof subscription?.admin_graphql_api_id === "string" ? subscription.admin_graphql_api_id : null;
  const status = typeof subscription?.status === "string" ? subscription.status : null;
  if (!id || !status) return;
  const row = await prisma.shopBilling.findUnique({ where: { shop } });
  const ours = row?.subscriptionId === id || row?.pendingSubscriptionId === id;
  if (!ours && status !== "ACTIVE") return;
  if (api) {
    try {
      await syncBilling(api, shop);
      return;
    } catch (error) {
      console.warn("[billing] subscription not read back; using the webhook's status", { shop, error: (error as Error).message });
    }
  }
  if (row?.subscriptionId === id && status !== "ACTIVE") await recordSubscription(shop, null);
}

export interface SavedOutput {
  id: string;
  jobId: string;
  provider: string;
}

/**
 * Counts the saved outputs of paid providers against the plan, once per output: the first ones of each
 * month are included in the plan (a row of 0 cents), the rest are charged at the plan's price. Outputs of
 * the local provider, failures and safety blocks (no output) are never charged. Returns the ids of the
 * charges to send. Safe to call again for the same outputs.
 */
export async function countCharges(shop: string, outputs: SavedOutput[]): Promise<string[]> {
  if (!billingEnabled()) return [];
  const paid = outputs.filter((output) => isCapped(output.provider));
  if (paid.length === 0) return [];
  const billing = await getBilling(shop);
  const month = currentMonth();
  return prisma.$transaction(async (tx) => {
    // A write first: it takes SQLite's write lock, and PostgreSQL's row lock orders concurrent counters of one shop.
    await tx.shopBilling.upsert({ where: { shop }, create: { shop }, update: { updatedAt: new Date() } });
    const toSend: string[] = [];
    for (const output of paid) {
      const existing = await tx.usageCharge.findUnique({ where: { shop_outputId: { shop, outputId: output.id } } });
      if (existing) {
        if (existing.status === "pending" || existing.status === "sent") toSend.push(existing.id);
        continue;
      }
      const made = await tx.usageCharge.count({ where: { shop, month } });
      const plan = billing.plan.id === "free" ? null : billing.plan;
      const amountCents = plan ? chargeForNextImage(plan, made) : 0;
      const status = !plan || !billing.usageLineItemId ? "unbilled" : amountCents === 0 ? "included" : "pending";
      const charge = await tx.usageCharge.create({
        data: {
          shop,
          outputId: output.id,
          jobId: output.jobId,
          month,
          idempotencyKey: `output-${output.id}`,
          amountCents,
          status,
          subscriptionId: billing.subscriptionId,
          lineItemId: billing.usageLineItemId,
        },
      });
      if (status === "pending") toSend.push(charge.id);
    }
    return toSend;
  }, TRANSACTION);
}

export function chargeQueueId(chargeId: string) {
  return `charge-${chargeId}`;
}

/**
 * The hook every path that saves outputs calls right after its transaction (the generate job, a batch
 * result): counts them and queues their charges. A crash before this runs, or a queue that is down, is
 * made good by the reconciler, which finds paid outputs without a charge and charges that were not sent.
 */
export async function afterOutputsSaved(shop: string, outputs: SavedOutput[]): Promise<void> {
  try {
    await enqueueCharges(shop, await countCharges(shop, outputs));
  } catch (error) {
    console.warn("[billing] charges not counted or queued; the reconciler will", {
      shop,
      outputs: outputs.length,
      error: (error as Error).message,
    });
  }
}

export async function enqueueCharges(shop: string, chargeIds: string[]) {
  await enqueueMany(chargeIds.map((chargeId) => ({ data: { kind: "charge", shop, jobId: chargeId }, id: chargeQueueId(chargeId) })));
}

/** This month's charges, for the billing page. */
export async function getMonthCharges(shop: string, month = currentMonth()) {
  const rows = await prisma.usageCharge.groupBy({
    by: ["status"],
    where: { shop, month },
    _count: { _all: true },
    _sum: { amountCents: true },
  });
  const of = (...statuses: string[]) => rows.filter((row) => statuses.includes(row.status));
  const count = (...statuses: string[]) => of(...statuses).reduce((sum, row) => sum + row._count._all, 0);
  const cents = (...statuses: string[]) => of(...statuses).reduce((sum, row) => sum + (row._sum.amountCents ?? 0), 0);
  return {
    month,
    included: count("included"),
    charged: count("recorded"),
    chargedCents: cents("recorded"),
    waiting: count("pending", "sent"),
    waitingCents: cents("pending", "sent"),
    refused: count("refused"),
  };
}
