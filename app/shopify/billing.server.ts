import { setTimeout as sleep } from "node:timers/promises";
import { formatCents, parseCents, planForSubscriptionName, usageTerms, type PaidPlan } from "~/billing/plans";
import type { Locale } from "~/i18n/index";
import type { AppSubscriptionStatus, MoneyInput, MoneyV2 } from "../types/admin.types";
import type { AppUsageRecordsQuery, SubscriptionFieldsFragment } from "../types/admin.generated";
import { AdminApiError, assertNoUserErrors, type AdminApi } from "./admin-api.server";
import {
  ACTIVE_SUBSCRIPTIONS_QUERY,
  APP_SUBSCRIPTION_CANCEL_MUTATION,
  APP_SUBSCRIPTION_CREATE_MUTATION,
  APP_SUBSCRIPTION_LINE_ITEM_UPDATE_MUTATION,
  APP_SUBSCRIPTION_QUERY,
  APP_USAGE_RECORD_CREATE_MUTATION,
  APP_USAGE_RECORDS_QUERY,
  SHOP_BILLING_PLAN_QUERY,
} from "./documents";

// Shopify's Billing API through the app's own Admin API layer (pacing, retries, error classes), usable
// from the web app and the worker alike. Not @shopify/shopify-app-remix's `billing` helpers: their
// appUsageRecordCreate document never passes `idempotencyKey` to Shopify (it only sets the variable,
// which the document does not declare), so a retried charge is a second charge; and they exist only
// inside an authenticated request, never in the worker. Money is whole US cents.

export type SubscriptionStatus = AppSubscriptionStatus;

export interface Subscription {
  id: string;
  name: string;
  /** The app's plan this subscription stands for; undefined for a name the app does not know. */
  plan: PaidPlan | undefined;
  status: SubscriptionStatus;
  test: boolean;
  trialDays: number;
  createdAt: Date;
  /** End of the current 30-day interval; null unless ACTIVE. */
  currentPeriodEnd: Date | null;
  recurringLineItemId: string | null;
  usageLineItemId: string | null;
  monthlyPriceCents: number;
  cappedAmountCents: number;
  balanceUsedCents: number;
}

export interface UsageCharge {
  subscriptionId: string;
  lineItemId: string;
  priceCents: number;
  /** Shown to the merchant on their invoice. */
  description: string;
  /** The same key for the same charged thing on every try (e.g. derived from the output's id); at most 255 characters. */
  idempotencyKey: string;
  /**
   * When an earlier attempt may already have sent this charge (a crash, a retried job): the record is
   * then looked for first, and adopted if Shopify has it, whatever Shopify does with a repeated key.
   */
  sentBefore?: Date;
}

export interface RecordedUsage {
  id: string;
  idempotencyKey: string;
  priceCents: number;
  createdAt: Date;
  /** True when the record already existed (its first answer was lost, or an earlier attempt made it). */
  adopted: boolean;
}

type UsageRecordNode = NonNullable<AppUsageRecordsQuery["node"]>["lineItems"][number]["usageRecords"]["nodes"][number];

/** Shopify's answer when a usage record would take the interval's charges past the capped amount. */
const CAP_EXCEEDED = "Total price exceeds balance remaining";
const MAX_IDEMPOTENCY_KEY = 255;
/** How far Shopify's clock may be from ours when looking for a record made "since" a moment. */
const CLOCK_SKEW_MS = 10 * 60_000;
const CHARGE_TRIES = 3;

/**
 * Development and staff stores can approve test charges only (a real one cannot be approved there), so
 * the app asks them for test charges. Staff stores are the ones App Review uses.
 */
export async function needsTestCharges(api: AdminApi): Promise<boolean> {
  const data = await api.request(SHOP_BILLING_PLAN_QUERY);
  const { partnerDevelopment, publicDisplayName } = data.shop.plan;
  return partnerDevelopment || publicDisplayName === "Development" || publicDisplayName === "Staff Business";
}

/**
 * Asks Shopify for a plan's subscription and gives the page where the merchant approves or declines it.
 * Sending it twice is harmless (the unanswered one expires after two days), so it is retried like a query.
 */
export async function createSubscription(
  api: AdminApi,
  plan: PaidPlan,
  opts: { returnUrl: string; test: boolean; locale: Locale; cappedAmountCents?: number },
): Promise<{ confirmationUrl: string; subscription: Subscription }> {
  const cappedAmountCents = opts.cappedAmountCents ?? plan.defaultCappedAmountCents;
  if (!Number.isInteger(cappedAmountCents) || cappedAmountCents <= 0) {
    throw new AdminApiError("USER_ERROR", "The capped amount must be a whole number of cents above zero.", false);
  }
  const data = await api.request(
    APP_SUBSCRIPTION_CREATE_MUTATION,
    {
      name: plan.subscriptionName,
      returnUrl: opts.returnUrl,
      test: opts.test,
      lineItems: [
        { plan: { appRecurringPricingDetails: { price: usd(plan.monthlyPriceCents), interval: "EVERY_30_DAYS" } } },
        { plan: { appUsagePricingDetails: { cappedAmount: usd(cappedAmountCents), terms: usageTerms(plan, opts.locale) } } },
      ],
    },
    { idempotent: true },
  );
  const payload = data.appSubscriptionCreate;
  assertNoUserErrors(payload, "appSubscriptionCreate");
  if (!payload.appSubscription || !payload.confirmationUrl) {
    throw new AdminApiError("GRAPHQL_ERROR", "appSubscriptionCreate: Shopify returned no confirmation URL.", false);
  }
  return { confirmationUrl: payload.confirmationUrl, subscription: toSubscription(payload.appSubscription) };
}

/**
 * The shop's active paid plan, or null for the free plan (no subscription, or only pending, declined,
 * frozen or cancelled ones, or one under a name the app never used). Never more than one is active:
 * the app replaces plans immediately; should Shopify list two, the newest counts.
 */
export async function readSubscription(api: AdminApi): Promise<Subscription | null> {
  const data = await api.request(ACTIVE_SUBSCRIPTIONS_QUERY);
  const active = data.currentAppInstallation.activeSubscriptions
    .map(toSubscription)
    .filter((s) => s.status === "ACTIVE" && s.plan && s.usageLineItemId)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return active[0] ?? null;
}

/** One subscription by id, whatever its status (e.g. the `charge_id` on the return URL); null if Shopify has none. */
export async function readSubscriptionById(api: AdminApi, id: string): Promise<Subscription | null> {
  const gid = /^\d+$/.test(id) ? `gid://shopify/AppSubscription/${id}` : id;
  // Another type's id answers an object without the fragment's fields.
  const { node } = await api.request(APP_SUBSCRIPTION_QUERY, { id: gid });
  return node && "lineItems" in node ? toSubscription(node) : null;
}

/**
 * Charges one usage record exactly once under retries, lost answers and crashes. A failure that may have
 * reached Shopify (a cut connection, a 5xx) is never answered by sending again blindly: the record is
 * looked for by its idempotency key first, and adopted if it exists. This holds whichever way Shopify
 * answers a repeated key (documented: the first record again; reported: an error, or a second record).
 * Over the capped amount it throws USAGE_CAP_REACHED, which no retry fixes until the merchant raises the cap.
 */
export async function recordUsage(
  api: AdminApi,
  charge: UsageCharge,
  opts: { signal?: AbortSignal; retryDelayMs?: number } = {},
): Promise<RecordedUsage> {
  if (!Number.isInteger(charge.priceCents) || charge.priceCents <= 0) {
    throw new AdminApiError("USER_ERROR", `A usage charge is a whole number of cents above zero, not ${charge.priceCents}.`, false);
  }
  if (!charge.idempotencyKey || charge.idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
    throw new AdminApiError("USER_ERROR", `A usage charge needs an idempotency key of 1 to ${MAX_IDEMPOTENCY_KEY} characters.`, false);
  }
  const since = new Date((charge.sentBefore ?? new Date()).getTime() - CLOCK_SKEW_MS);
  const lookUp = () => findUsageRecord(api, charge, since, opts.signal);
  if (charge.sentBefore) {
    const found = await lookUp();
    if (found) return found;
  }
  const variables = {
    lineItemId: charge.lineItemId,
    price: usd(charge.priceCents),
    description: charge.description,
    idempotencyKey: charge.idempotencyKey,
  };
  for (let attempt = 1; ; attempt++) {
    let payload;
    try {
      const data = await api.request(APP_USAGE_RECORD_CREATE_MUTATION, variables, { signal: opts.signal });
      payload = data.appUsageRecordCreate;
    } catch (error) {
      if (!(error instanceof AdminApiError) || !error.transient) throw error;
      const found = await lookUp();
      if (found) return found;
      if (attempt >= CHARGE_TRIES) throw error;
      await sleep((opts.retryDelayMs ?? 500) * attempt, undefined, { signal: opts.signal });
      continue;
    }
    if (payload?.appUsageRecord && payload.userErrors.length === 0) return toRecorded(payload.appUsageRecord, false);
    if (payload?.userErrors.some((e) => e.message === CAP_EXCEEDED)) {
      throw new AdminApiError(
        "USAGE_CAP_REACHED",
        "This charge would pass the subscription's capped amount; the merchant must raise it first.",
        false,
        payload.userErrors,
      );
    }
    // A key Shopify has already seen can come back as "Failed to create usage charge": the record may exist.
    const found = await lookUp();
    if (found) return found;
    assertNoUserErrors(payload, "appUsageRecordCreate");
    throw new AdminApiError("GRAPHQL_ERROR", "appUsageRecordCreate: Shopify returned no usage record.", false);
  }
}

/**
 * The usage record with this idempotency key made since `since`, newest first; null if there is none.
 * For recovering a charge whose outcome is unknown (a crash after sending it). Records carrying the same
 * key twice (a Shopify fault reported by developers) resolve to the first one.
 */
export async function findUsageRecord(
  api: AdminApi,
  charge: Pick<UsageCharge, "subscriptionId" | "lineItemId" | "idempotencyKey">,
  since: Date,
  signal?: AbortSignal,
): Promise<RecordedUsage | null> {
  let match: UsageRecordNode | undefined;
  let after: string | null = null;
  for (;;) {
    const data: AppUsageRecordsQuery = await api.request(APP_USAGE_RECORDS_QUERY, { id: charge.subscriptionId, after }, { signal });
    const page = data.node?.lineItems?.find((item) => item.id === charge.lineItemId)?.usageRecords;
    if (!page) return null;
    for (const record of page.nodes) {
      if (new Date(record.createdAt) < since) return match ? toRecorded(match, true) : null;
      if (record.idempotencyKey === charge.idempotencyKey) match = record;
    }
    if (!page.pageInfo.hasNextPage) return match ? toRecorded(match, true) : null;
    after = page.pageInfo.endCursor ?? null;
  }
}

/**
 * Asks to raise the usage line item's capped amount: it takes effect once the merchant approves it on
 * the page returned. Sending the same request twice is harmless.
 */
export async function raiseCap(
  api: AdminApi,
  opts: { lineItemId: string; cappedAmountCents: number },
): Promise<{ confirmationUrl: string }> {
  const data = await api.request(
    APP_SUBSCRIPTION_LINE_ITEM_UPDATE_MUTATION,
    { id: opts.lineItemId, cappedAmount: usd(opts.cappedAmountCents) },
    { idempotent: true },
  );
  const payload = data.appSubscriptionLineItemUpdate;
  assertNoUserErrors(payload, "appSubscriptionLineItemUpdate");
  if (!payload.confirmationUrl)
    throw new AdminApiError("GRAPHQL_ERROR", "appSubscriptionLineItemUpdate: Shopify returned no confirmation URL.", false);
  return { confirmationUrl: payload.confirmationUrl };
}

/**
 * Cancels a subscription: the shop is on the free plan from then on. By default the merchant is
 * credited the unused part of the interval. Safe to repeat: a subscription already cancelled (by an
 * earlier try whose answer was lost) counts as done.
 */
export async function cancelSubscription(api: AdminApi, subscriptionId: string, opts: { prorate?: boolean } = {}): Promise<void> {
  const data = await api.request(
    APP_SUBSCRIPTION_CANCEL_MUTATION,
    { id: subscriptionId, prorate: opts.prorate ?? true },
    { idempotent: true },
  );
  const payload = data.appSubscriptionCancel;
  if (payload?.userErrors.length && (await readSubscriptionById(api, subscriptionId))?.status === "CANCELLED") return;
  assertNoUserErrors(payload, "appSubscriptionCancel");
}

function toSubscription(node: SubscriptionFieldsFragment): Subscription {
  const recurring = node.lineItems.find((item) => item.plan.pricingDetails.__typename === "AppRecurringPricing");
  const usage = node.lineItems.find((item) => item.plan.pricingDetails.__typename === "AppUsagePricing");
  const recurringPrice =
    recurring?.plan.pricingDetails.__typename === "AppRecurringPricing" ? recurring.plan.pricingDetails.price : undefined;
  const usagePrice = usage?.plan.pricingDetails.__typename === "AppUsagePricing" ? usage.plan.pricingDetails : undefined;
  return {
    id: node.id,
    name: node.name,
    plan: planForSubscriptionName(node.name),
    status: node.status,
    test: node.test,
    trialDays: node.trialDays,
    createdAt: new Date(node.createdAt),
    currentPeriodEnd: node.currentPeriodEnd ? new Date(node.currentPeriodEnd) : null,
    recurringLineItemId: recurring?.id ?? null,
    usageLineItemId: usage?.id ?? null,
    monthlyPriceCents: recurringPrice ? centsOf(recurringPrice) : 0,
    cappedAmountCents: usagePrice ? centsOf(usagePrice.cappedAmount) : 0,
    balanceUsedCents: usagePrice ? centsOf(usagePrice.balanceUsed) : 0,
  };
}

function toRecorded(node: UsageRecordNode, adopted: boolean): RecordedUsage {
  return {
    id: node.id,
    idempotencyKey: node.idempotencyKey ?? "",
    priceCents: centsOf(node.price),
    createdAt: new Date(node.createdAt),
    adopted,
  };
}

function centsOf(money: Pick<MoneyV2, "amount" | "currencyCode">): number {
  if (money.currencyCode !== "USD")
    throw new AdminApiError("GRAPHQL_ERROR", `Billing amounts are in USD, not ${money.currencyCode}.`, false);
  return parseCents(money.amount);
}

function usd(cents: number): MoneyInput {
  return { amount: formatCents(cents), currencyCode: "USD" };
}
