import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendText } from "./http";
import { shopNumericId, takeId, type EmulatorState, type ShopRecord } from "./state";
import { paginate, scalarText, type ViewContext } from "./views";

/**
 * Shopify's Billing API as the app uses it (Admin API 2026-10): subscriptions with a recurring and a usage
 * line item, the merchant's approval on a confirmation page, usage records with idempotency keys, the
 * capped amount, cancellation, and the shop's plan (development stores can approve test charges only).
 * Sources, read 2026-12-01 (the report of the billing work lists every fact with its page):
 * - https://shopify.dev/docs/apps/launch/billing/subscription-billing/create-usage-based-subscriptions
 *   (line item ids `gid://shopify/AppSubscriptionLineItem/<subscription>?v=1&index=<n>`, 30-day intervals)
 * - https://shopify.dev/changelog/idempotent-creation-of-appusagerecord (a repeated key answers the first
 *   record again) and the two community threads that saw otherwise (see `UsageIdempotency`)
 * - appUsageRecordCreate's reference: over the capped amount the answer is "Total price exceeds balance remaining"
 * - AppSubscriptionStatus: PENDING → ACTIVE on approval, DECLINED, EXPIRED after two days, FROZEN, CANCELLED
 * - The REST charge's `decorated_return_url` (`?charge_id=<id>`): what the return URL receives on approval;
 *   on a decline Shopify sends the merchant to the return URL without a charge id.
 * Userror texts not found in any source are marked "(emulator wording)".
 */

export type SubscriptionStatus = "PENDING" | "ACTIVE" | "DECLINED" | "EXPIRED" | "FROZEN" | "CANCELLED";

/**
 * What a repeated idempotency key does. "replay" is what Shopify documents: the first answer again and no
 * new charge. Two community reports saw otherwise, and the app must stay exactly-once against both:
 * "user-error" answers `Failed to create usage charge` (community.shopify.dev/t/3111, 2024-11), and
 * "duplicate" creates a second record carrying the same key (community.shopify.com/t/567190, 2025-10).
 */
export type UsageIdempotency = "replay" | "user-error" | "duplicate";

export interface ShopPlan {
  publicDisplayName: string;
  partnerDevelopment: boolean;
  shopifyPlus: boolean;
}

export interface UsageRecord {
  id: string;
  numericId: number;
  description: string;
  priceMicros: number;
  currencyCode: string;
  idempotencyKey: string | null;
  createdAt: number;
  /** The billing interval it counts in (the subscription's `period` when it was made). */
  period: number;
}

export type LineItem =
  | { id: string; kind: "recurring"; priceMicros: number; currencyCode: string; interval: "EVERY_30_DAYS" | "ANNUAL"; discount?: Discount }
  | {
      id: string;
      kind: "usage";
      cappedMicros: number;
      /** A raised capped amount waiting for the merchant's approval. */
      pendingCappedMicros?: number;
      currencyCode: string;
      terms: string;
      records: UsageRecord[];
    };

export interface Discount {
  durationLimitInIntervals: number | null;
  amountMicros?: number;
  percentage?: number;
}

export interface Subscription {
  id: string;
  numericId: number;
  name: string;
  returnUrl: string;
  test: boolean;
  trialDays: number;
  replacementBehavior: string;
  status: "PENDING" | "ACTIVE" | "DECLINED" | "FROZEN" | "CANCELLED";
  createdAt: number;
  updatedAt: number;
  /** Counts billing intervals since approval; usage records of earlier intervals no longer use the cap. */
  period: number;
  periodEnd?: number;
  lineItems: LineItem[];
}

export interface BillingWebhook {
  topic: "app_subscriptions/update" | "app_subscriptions/approaching_capped_amount";
  payload: Record<string, unknown>;
  at: number;
}

export interface ShopBilling {
  plan: ShopPlan;
  subscriptions: Map<string, Subscription>;
  idempotency: UsageIdempotency;
  /** What Shopify delivers to the app's webhook subscriptions, in order (sent once the app's URL is set). */
  webhooks: BillingWebhook[];
  /** Sends a webhook to the app; set by the emulator for each shop. */
  deliver?: (webhook: BillingWebhook) => void;
}

export const DAY_MS = 86_400_000;
const INTERVAL_MS = 30 * DAY_MS;
/** PENDING subscriptions the merchant has not answered within two days are EXPIRED. */
const PENDING_MS = 2 * DAY_MS;
/** The app's id in confirmation URLs; the emulator serves one app. */
const APP_ID = 4_242_424_242;
const MAX_IDEMPOTENCY_KEY = 255;
const CAP_EXCEEDED = "Total price exceeds balance remaining";
const CAP_WARNING_SHARE = 0.9;
const CHARGE_PAGE =
  /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/charges\/(\d+)\/(\d+)\/RecurringApplicationCharge\/(confirm_recurring_application_charge|confirm_update_capped_amount)$/;

type Args = Record<string, unknown>;
type UserError = { field: string[] | null; message: string };

export interface BillingContext extends ViewContext {
  state: EmulatorState;
  uploadSecret: string;
}

/** A new shop's billing: an ordinary paying store, or a development store (the demo shop is one). */
export function createShopBilling(development: boolean): ShopBilling {
  return {
    plan: development
      ? { publicDisplayName: "Development", partnerDevelopment: true, shopifyPlus: false }
      : { publicDisplayName: "Basic", partnerDevelopment: false, shopifyPlus: false },
    subscriptions: new Map(),
    idempotency: "replay",
    webhooks: [],
  };
}

export function createBillingMutations(ctx: BillingContext) {
  return {
    appSubscriptionCreate: (args: Args) => createSubscription(ctx, args),
    appSubscriptionLineItemUpdate: (args: Args) => updateLineItem(ctx, args),
    appSubscriptionCancel: (args: Args) => cancelSubscription(ctx, args.id as string),
    appUsageRecordCreate: (args: Args) => createUsageRecord(ctx, args),
  };
}

/** Fields of `currentAppInstallation` about billing. */
export function viewInstallationBilling(ctx: ViewContext) {
  const all = () => [...ctx.shop.billing.subscriptions.values()];
  return {
    // Only subscriptions billed now. Whether Shopify also lists FROZEN ones here is not documented; the app
    // checks `status` itself, so either answer is safe for it.
    activeSubscriptions: () =>
      all()
        .filter((s) => statusOf(s, ctx.now) === "ACTIVE")
        .map((s) => viewSubscription(ctx, s)),
    allSubscriptions: (args: Args) =>
      paginate(
        all(),
        args,
        (s) => viewSubscription(ctx, s),
        (s) => s.numericId,
      ),
  };
}

export function viewShopPlan(shop: ShopRecord) {
  const { plan } = shop.billing;
  return { ...plan, displayName: plan.publicDisplayName };
}

/** `node(id:)` for billing objects; undefined when the id is not a billing type. */
export function findBillingNode(ctx: ViewContext, type: string, id: string): unknown {
  if (type === "AppSubscription") {
    const subscription = ctx.shop.billing.subscriptions.get(id);
    return subscription ? viewSubscription(ctx, subscription) : null;
  }
  if (type === "AppUsageRecord") {
    for (const subscription of ctx.shop.billing.subscriptions.values()) {
      for (const item of subscription.lineItems) {
        const record = item.kind === "usage" ? item.records.find((r) => r.id === id) : undefined;
        if (record && item.kind === "usage") return viewUsageRecord(ctx, subscription, item, record);
      }
    }
    return null;
  }
  return undefined;
}

function createSubscription(ctx: BillingContext, args: Args) {
  const name = scalarText(args.name).trim();
  const returnUrl = scalarText(args.returnUrl);
  const inputs = (args.lineItems ?? []) as Args[];
  const userErrors: UserError[] = [];
  if (!name) userErrors.push({ field: ["name"], message: "Name can't be blank" });
  if (!isHttpUrl(returnUrl)) userErrors.push({ field: ["returnUrl"], message: "Return url is invalid" });
  if (args.trialDays != null && Number(args.trialDays) < 0)
    userErrors.push({ field: ["trialDays"], message: "Trial days must be greater than or equal to 0" });
  if (args.replacementBehavior === "APPLY_ON_NEXT_BILLING_CYCLE") {
    userErrors.push({ field: ["replacementBehavior"], message: "APPLY_ON_NEXT_BILLING_CYCLE is not implemented by the emulator" });
  }
  const numericId = takeId(ctx.state);
  const lineItems: LineItem[] = [];
  inputs.forEach((input, index) => {
    const field = (...rest: string[]) => ["lineItems", String(index), "plan", ...rest];
    const plan = (input.plan ?? {}) as Args;
    const recurring = plan.appRecurringPricingDetails as Args | undefined;
    const usage = plan.appUsagePricingDetails as Args | undefined;
    const id = `gid://shopify/AppSubscriptionLineItem/${numericId}?v=1&index=${index}`;
    if (Boolean(recurring) === Boolean(usage)) {
      userErrors.push({
        field: field(),
        message: "A plan needs exactly one of appRecurringPricingDetails and appUsagePricingDetails (emulator wording)",
      });
    } else if (recurring) {
      const price = readMoney(recurring.price);
      if (!price || price.micros < 0)
        userErrors.push({ field: field("appRecurringPricingDetails", "price"), message: "Price must be greater than or equal to 0" });
      else if (!acceptsCurrency(ctx.shop, price.currencyCode))
        userErrors.push({
          field: field("appRecurringPricingDetails", "price", "currencyCode"),
          message: `Currency ${price.currencyCode} is not supported`,
        });
      else {
        lineItems.push({
          id,
          kind: "recurring",
          priceMicros: price.micros,
          currencyCode: price.currencyCode,
          interval: (recurring.interval as "EVERY_30_DAYS" | "ANNUAL" | undefined) ?? "EVERY_30_DAYS",
          discount: readDiscount(recurring.discount as Args | undefined),
        });
      }
    } else if (usage) {
      const capped = readMoney(usage.cappedAmount);
      const terms = scalarText(usage.terms).trim();
      if (!capped || capped.micros <= 0)
        userErrors.push({ field: field("appUsagePricingDetails", "cappedAmount"), message: "Capped amount must be greater than 0" });
      else if (!acceptsCurrency(ctx.shop, capped.currencyCode))
        userErrors.push({
          field: field("appUsagePricingDetails", "cappedAmount", "currencyCode"),
          message: `Currency ${capped.currencyCode} is not supported`,
        });
      if (!terms) userErrors.push({ field: field("appUsagePricingDetails", "terms"), message: "Terms can't be blank" });
      if (capped && capped.micros > 0 && terms) {
        lineItems.push({ id, kind: "usage", cappedMicros: capped.micros, currencyCode: capped.currencyCode, terms, records: [] });
      }
    }
  });
  if (inputs.length === 0) userErrors.push({ field: ["lineItems"], message: "Line items can't be blank" });
  for (const kind of ["recurring", "usage"] as const) {
    if (lineItems.filter((item) => item.kind === kind).length > 1) {
      userErrors.push({ field: ["lineItems"], message: "Only one pricing plan can be defined for each available type" });
    }
  }
  if (userErrors.length) return { appSubscription: null, confirmationUrl: null, userErrors };

  const subscription: Subscription = {
    id: `gid://shopify/AppSubscription/${numericId}`,
    numericId,
    name,
    returnUrl,
    test: args.test === true,
    trialDays: Number(args.trialDays ?? 0),
    replacementBehavior: (args.replacementBehavior as string | undefined) ?? "STANDARD",
    status: "PENDING",
    createdAt: ctx.now,
    updatedAt: ctx.now,
    period: 0,
    lineItems,
  };
  ctx.shop.billing.subscriptions.set(subscription.id, subscription);
  notifyUpdate(ctx.shop, subscription, ctx.now);
  return {
    appSubscription: viewSubscription(ctx, subscription),
    confirmationUrl: confirmationUrl(ctx, subscription, "confirm_recurring_application_charge"),
    userErrors: [],
  };
}

function updateLineItem(ctx: BillingContext, args: Args) {
  const found = findLineItem(ctx.shop, args.id as string);
  if (!found || found.item.kind !== "usage") {
    return {
      appSubscription: null,
      confirmationUrl: null,
      userErrors: [{ field: ["id"], message: "Subscription line item not found (emulator wording)" }],
    };
  }
  const { subscription, item } = found;
  const capped = readMoney(args.cappedAmount);
  const userErrors: UserError[] = [];
  if (statusOf(subscription, ctx.now) !== "ACTIVE")
    userErrors.push({ field: ["id"], message: "The subscription is not active (emulator wording)" });
  if (!capped || capped.currencyCode !== item.currencyCode)
    userErrors.push({
      field: ["cappedAmount", "currencyCode"],
      message: "Currency must match the subscription's currency (emulator wording)",
    });
  else if (capped.micros <= item.cappedMicros) {
    userErrors.push({
      field: ["cappedAmount"],
      message: "The capped amount must be greater than the current capped amount (emulator wording)",
    });
  }
  if (userErrors.length) return { appSubscription: viewSubscription(ctx, subscription), confirmationUrl: null, userErrors };
  item.pendingCappedMicros = capped!.micros;
  return {
    appSubscription: viewSubscription(ctx, subscription),
    confirmationUrl: confirmationUrl(ctx, subscription, "confirm_update_capped_amount"),
    userErrors: [],
  };
}

function cancelSubscription(ctx: BillingContext, id: string) {
  const subscription = ctx.shop.billing.subscriptions.get(id);
  if (!subscription)
    return { appSubscription: null, userErrors: [{ field: ["id"], message: "Couldn't find the app subscription (emulator wording)" }] };
  const status = statusOf(subscription, ctx.now);
  if (status !== "ACTIVE" && status !== "FROZEN" && status !== "PENDING") {
    return {
      appSubscription: viewSubscription(ctx, subscription),
      userErrors: [{ field: ["id"], message: `The app subscription is ${status.toLowerCase()} and can't be cancelled (emulator wording)` }],
    };
  }
  setStatus(ctx.shop, subscription, "CANCELLED", ctx.now);
  return { appSubscription: viewSubscription(ctx, subscription), userErrors: [] };
}

function createUsageRecord(ctx: BillingContext, args: Args) {
  const refuse = (userErrors: UserError[]) => ({ appUsageRecord: null, userErrors });
  const key = typeof args.idempotencyKey === "string" ? args.idempotencyKey : null;
  if (key !== null && key.length > MAX_IDEMPOTENCY_KEY) {
    return refuse([{ field: ["idempotencyKey"], message: `Idempotency key is too long (maximum is ${MAX_IDEMPOTENCY_KEY} characters)` }]);
  }
  const found = findLineItem(ctx.shop, args.subscriptionLineItemId as string);
  if (!found) return refuse([{ field: ["subscriptionLineItemId"], message: "Subscription line item not found (emulator wording)" }]);
  const { subscription, item } = found;
  if (item.kind !== "usage")
    return refuse([{ field: ["subscriptionLineItemId"], message: "This app subscription line item must have a usage pricing plan" }]);

  // The key is scoped to the shop and the app (the changelog), not to one line item.
  const earlier = key === null ? undefined : findRecordByKey(ctx.shop, key);
  if (earlier && ctx.shop.billing.idempotency === "replay")
    return { appUsageRecord: viewUsageRecord(ctx, earlier.subscription, earlier.item, earlier.record), userErrors: [] };
  if (earlier && ctx.shop.billing.idempotency === "user-error") return refuse([{ field: null, message: "Failed to create usage charge" }]);

  if (statusOf(subscription, ctx.now) !== "ACTIVE")
    return refuse([{ field: ["subscriptionLineItemId"], message: "The app subscription is not active (emulator wording)" }]);
  const price = readMoney(args.price);
  if (!price || price.micros <= 0) return refuse([{ field: ["price"], message: "Price must be greater than 0 (emulator wording)" }]);
  if (price.currencyCode !== item.currencyCode)
    return refuse([{ field: ["price", "currencyCode"], message: "Currency must match the capped amount's currency (emulator wording)" }]);
  const before = balanceUsed(item, subscription.period);
  if (before + price.micros > item.cappedMicros) return refuse([{ field: null, message: CAP_EXCEEDED }]);

  const numericId = takeId(ctx.state);
  const record: UsageRecord = {
    id: `gid://shopify/AppUsageRecord/${numericId}`,
    numericId,
    description: scalarText(args.description),
    priceMicros: price.micros,
    currencyCode: price.currencyCode,
    idempotencyKey: key,
    createdAt: ctx.now,
    period: subscription.period,
  };
  item.records.push(record);
  const threshold = item.cappedMicros * CAP_WARNING_SHARE;
  if (before < threshold && before + price.micros >= threshold) {
    recordWebhook(ctx.shop, {
      topic: "app_subscriptions/approaching_capped_amount",
      payload: webhookPayload(ctx.shop, subscription, ctx.now),
      at: ctx.now,
    });
  }
  return { appUsageRecord: viewUsageRecord(ctx, subscription, item, record), userErrors: [] };
}

/** The merchant's answer on the confirmation page: approve or decline; returns where Shopify sends them next. */
function answerCharge(
  shop: ShopRecord,
  subscription: Subscription,
  kind: ChargePage,
  approve: boolean,
  now: number,
): { location?: string; refusal?: string } {
  if (kind === "confirm_update_capped_amount") {
    const item = subscription.lineItems.find((i) => i.kind === "usage");
    if (!item || item.kind !== "usage" || item.pendingCappedMicros === undefined)
      return { refusal: "There is no capped amount waiting for approval." };
    if (approve) item.cappedMicros = item.pendingCappedMicros;
    item.pendingCappedMicros = undefined;
    subscription.updatedAt = now;
    if (approve) notifyUpdate(shop, subscription, now);
    return { location: approve ? withChargeId(subscription) : subscription.returnUrl };
  }
  const status = statusOf(subscription, now);
  if (status !== "PENDING") return { refusal: `This charge is ${status.toLowerCase()}; there is nothing to approve.` };
  if (!approve) {
    setStatus(shop, subscription, "DECLINED", now);
    return { location: subscription.returnUrl };
  }
  if (!subscription.test && !canApproveRealCharges(shop.billing.plan)) {
    return {
      refusal:
        "This store can't approve real charges: development stores accept test charges only. The app must create the charge with test: true.",
    };
  }
  // Replacing a plan: the one active subscription gives way at once (STANDARD and APPLY_IMMEDIATELY for
  // 30-day plans; the annual exceptions of STANDARD do not arise with the plans the emulator accepts).
  for (const other of shop.billing.subscriptions.values()) {
    const otherStatus = statusOf(other, now);
    if (other !== subscription && (otherStatus === "ACTIVE" || otherStatus === "FROZEN")) setStatus(shop, other, "CANCELLED", now);
  }
  subscription.periodEnd = now + INTERVAL_MS;
  setStatus(shop, subscription, "ACTIVE", now);
  return { location: withChargeId(subscription) };
}

type ChargePage = "confirm_recurring_application_charge" | "confirm_update_capped_amount";

/**
 * The stand-in for Shopify's approval page: GET shows the charge with Approve and Decline, POST answers it
 * and redirects (303) to the app's return URL, with `charge_id` on approval. Returns false for other paths.
 */
export async function handleChargePage(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: EmulatorState,
  secret: string,
): Promise<boolean> {
  const match = CHARGE_PAGE.exec(url.pathname);
  if (!match) return false;
  const [, shopDomain, , numericId, kind] = match as unknown as [string, string, string, string, ChargePage];
  const shop = state.shops.get(shopDomain);
  const subscription = shop?.billing.subscriptions.get(`gid://shopify/AppSubscription/${numericId}`);
  if (!shop || !subscription || !verifySignature(secret, shopDomain, subscription, kind, url.searchParams.get("signature"))) {
    req.resume();
    sendText(res, 404, "Not Found");
    return true;
  }
  if (req.method === "POST") {
    const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString("utf8"));
    const decision = form.get("decision");
    if (decision !== "approve" && decision !== "decline") {
      sendText(res, 400, "decision must be approve or decline");
      return true;
    }
    const answer = answerCharge(shop, subscription, kind, decision === "approve", Date.now());
    if (answer.location) {
      res.writeHead(303, { Location: answer.location, "Content-Length": 0 });
      res.end();
    } else {
      sendText(res, 422, renderPage(shop, subscription, kind, url, answer.refusal), "text/html; charset=utf-8");
    }
    return true;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendText(res, 405, "Method Not Allowed");
    return true;
  }
  sendText(res, 200, renderPage(shop, subscription, kind, url), "text/html; charset=utf-8");
  return true;
}

function renderPage(shop: ShopRecord, subscription: Subscription, kind: ChargePage, url: URL, message?: string): string {
  const now = Date.now();
  const status = statusOf(subscription, now);
  const usage = subscription.lineItems.find((i) => i.kind === "usage");
  const recurring = subscription.lineItems.find((i) => i.kind === "recurring");
  const rows: string[] = [];
  if (recurring?.kind === "recurring")
    rows.push(
      `<li>${displayMoney(recurring.priceMicros)} ${recurring.currencyCode} every ${recurring.interval === "ANNUAL" ? "year" : "30 days"}</li>`,
    );
  if (usage?.kind === "usage") {
    const cap =
      kind === "confirm_update_capped_amount" && usage.pendingCappedMicros !== undefined ? usage.pendingCappedMicros : usage.cappedMicros;
    rows.push(
      `<li>Usage charges: ${escapeHtml(usage.terms)}</li>`,
      `<li>Capped at ${displayMoney(cap)} ${usage.currencyCode} every 30 days</li>`,
    );
  }
  const open =
    kind === "confirm_update_capped_amount" ? usage?.kind === "usage" && usage.pendingCappedMicros !== undefined : status === "PENDING";
  const blocked = kind === "confirm_recurring_application_charge" && !subscription.test && !canApproveRealCharges(shop.billing.plan);
  const heading = kind === "confirm_update_capped_amount" ? "Approve a new usage limit" : "Approve subscription";
  const notice =
    message ??
    (blocked
      ? "This store can't approve real charges: development stores accept test charges only."
      : !open
        ? `This charge is ${status.toLowerCase()}.`
        : "");
  const action = escapeHtml(`${url.pathname}${url.search}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${heading} · ${escapeHtml(shop.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}.test{background:#fff4d6;padding:.5rem .75rem;border-radius:.25rem}</style>
</head><body>
<main>
<h1>${heading}</h1>
<p><strong>${escapeHtml(subscription.name)}</strong> for ${escapeHtml(shop.name)}</p>
${subscription.test ? `<p class="test" role="note">This is a test charge: the store will not be billed.</p>` : ""}
<ul>${rows.join("")}</ul>
${notice ? `<p role="alert">${escapeHtml(notice)}</p>` : ""}
${open && !blocked ? `<form method="post" action="${action}"><button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="decline">Decline</button></form>` : ""}
</main>
</body></html>`;
}

/** Hooks for tests: what the merchant or Shopify does outside the app's requests. */
export function createBillingHooks(state: EmulatorState) {
  const shopOf = (domain: string) => {
    const shop = state.shops.get(domain);
    if (!shop) throw new Error(`Unknown shop ${domain}`);
    return shop;
  };
  const subscriptionOf = (domain: string, id: string) => {
    const subscription = shopOf(domain).billing.subscriptions.get(id);
    if (!subscription) throw new Error(`Unknown subscription ${id} on ${domain}`);
    return subscription;
  };
  return {
    /** The shop's Shopify plan, e.g. a development store ({ partnerDevelopment: true }) or a staff store. */
    setShopPlan: (domain: string, plan: Partial<ShopPlan>) => void Object.assign(shopOf(domain).billing.plan, plan),
    /** How a repeated idempotency key is answered (see UsageIdempotency). */
    setUsageIdempotency: (domain: string, mode: UsageIdempotency) => void (shopOf(domain).billing.idempotency = mode),
    /** Non-payment: the subscription is FROZEN until `unfreeze`. */
    freeze: (domain: string, id: string) => setStatus(shopOf(domain), subscriptionOf(domain, id), "FROZEN", Date.now()),
    unfreeze: (domain: string, id: string) => setStatus(shopOf(domain), subscriptionOf(domain, id), "ACTIVE", Date.now()),
    /** Shopify cancels the subscription outside the app (the store closed, or support cancelled it). */
    cancel: (domain: string, id: string) => setStatus(shopOf(domain), subscriptionOf(domain, id), "CANCELLED", Date.now()),
    /** The merchant raises the capped amount in the Shopify admin (possible since 2022-07-31), no app involved. */
    setCappedAmount: (domain: string, id: string, amountUsd: number) => {
      const subscription = subscriptionOf(domain, id);
      const item = subscription.lineItems.find((i) => i.kind === "usage");
      if (item?.kind !== "usage") throw new Error(`${id} has no usage line item`);
      item.cappedMicros = Math.round(amountUsd * 1_000_000);
      subscription.updatedAt = Date.now();
      notifyUpdate(shopOf(domain), subscription, subscription.updatedAt);
    },
    /** The 30-day interval ends now: balanceUsed starts again from zero. */
    endBillingPeriod: (domain: string) => {
      const now = Date.now();
      for (const subscription of shopOf(domain).billing.subscriptions.values()) {
        if (subscription.periodEnd !== undefined) {
          subscription.period += 1;
          subscription.periodEnd = now + INTERVAL_MS;
        }
      }
    },
  };
}

export type BillingHooks = ReturnType<typeof createBillingHooks>;

function viewSubscription(ctx: ViewContext, subscription: Subscription) {
  const status = statusOf(subscription, ctx.now);
  return {
    __typename: "AppSubscription",
    id: subscription.id,
    name: subscription.name,
    status,
    test: subscription.test,
    trialDays: subscription.trialDays,
    returnUrl: subscription.returnUrl,
    createdAt: new Date(subscription.createdAt).toISOString(),
    currentPeriodEnd: status === "ACTIVE" && subscription.periodEnd !== undefined ? new Date(subscription.periodEnd).toISOString() : null,
    lineItems: subscription.lineItems.map((item) => viewLineItem(ctx, subscription, item)),
  };
}

function viewLineItem(ctx: ViewContext, subscription: Subscription, item: LineItem) {
  const pricingDetails =
    item.kind === "recurring"
      ? {
          __typename: "AppRecurringPricing",
          interval: item.interval,
          price: money(item.priceMicros, item.currencyCode),
          planHandle: null,
          discount: item.discount ? viewDiscount(item, item.discount) : null,
        }
      : {
          __typename: "AppUsagePricing",
          interval: "EVERY_30_DAYS",
          terms: item.terms,
          cappedAmount: money(item.cappedMicros, item.currencyCode),
          balanceUsed: money(balanceUsed(item, subscription.period), item.currencyCode),
        };
  return {
    id: item.id,
    plan: { pricingDetails },
    usageRecords: (args: Args) =>
      paginate(
        item.kind === "usage" ? item.records : [],
        args,
        (r) => viewUsageRecord(ctx, subscription, item as Extract<LineItem, { kind: "usage" }>, r),
        (r) => r.numericId,
      ),
  };
}

function viewUsageRecord(ctx: ViewContext, subscription: Subscription, item: Extract<LineItem, { kind: "usage" }>, record: UsageRecord) {
  return {
    __typename: "AppUsageRecord",
    id: record.id,
    description: record.description,
    idempotencyKey: record.idempotencyKey,
    price: money(record.priceMicros, record.currencyCode),
    createdAt: new Date(record.createdAt).toISOString(),
    subscriptionLineItem: () => viewLineItem(ctx, subscription, item),
  };
}

function viewDiscount(item: Extract<LineItem, { kind: "recurring" }>, discount: Discount) {
  const off = discount.amountMicros ?? Math.round((item.priceMicros * (discount.percentage ?? 0)) / 100);
  return {
    durationLimitInIntervals: discount.durationLimitInIntervals,
    remainingDurationInIntervals: discount.durationLimitInIntervals,
    priceAfterDiscount: money(Math.max(0, item.priceMicros - off), item.currencyCode),
    value:
      discount.amountMicros !== undefined
        ? { __typename: "AppSubscriptionDiscountAmount", amount: money(discount.amountMicros, item.currencyCode) }
        : { __typename: "AppSubscriptionDiscountPercentage", percentage: discount.percentage ?? 0 },
  };
}

/** The status at `now`: an unanswered charge expires after two days, and an ended interval rolls over. */
function statusOf(subscription: Subscription, now: number): SubscriptionStatus {
  if (subscription.status === "PENDING" && now - subscription.createdAt > PENDING_MS) return "EXPIRED";
  while (subscription.status === "ACTIVE" && subscription.periodEnd !== undefined && now >= subscription.periodEnd) {
    subscription.period += 1;
    subscription.periodEnd += INTERVAL_MS;
  }
  return subscription.status;
}

function setStatus(shop: ShopRecord, subscription: Subscription, status: Subscription["status"], now: number): void {
  subscription.status = status;
  subscription.updatedAt = now;
  notifyUpdate(shop, subscription, now);
}

function notifyUpdate(shop: ShopRecord, subscription: Subscription, now: number): void {
  recordWebhook(shop, { topic: "app_subscriptions/update", payload: webhookPayload(shop, subscription, now), at: now });
}

function recordWebhook(shop: ShopRecord, webhook: BillingWebhook): void {
  shop.billing.webhooks.push(webhook);
  shop.billing.deliver?.(webhook);
}

/** The shape of Shopify's app_subscriptions/update sample payload. */
function webhookPayload(shop: ShopRecord, subscription: Subscription, now: number): Record<string, unknown> {
  const usage = subscription.lineItems.find((i) => i.kind === "usage");
  const recurring = subscription.lineItems.find((i) => i.kind === "recurring");
  const currency = (usage ?? recurring)?.currencyCode ?? shop.currencyCode;
  return {
    app_subscription: {
      admin_graphql_api_id: subscription.id,
      name: subscription.name,
      status: statusOf(subscription, now),
      admin_graphql_api_shop_id: `gid://shopify/Shop/${shopNumericId(shop.domain)}`,
      created_at: new Date(subscription.createdAt).toISOString(),
      updated_at: new Date(subscription.updatedAt).toISOString(),
      currency,
      ...(usage?.kind === "usage" ? { capped_amount: formatUsd(usage.cappedMicros) } : {}),
      ...(recurring?.kind === "recurring" ? { price: formatUsd(recurring.priceMicros) } : {}),
    },
  };
}

function balanceUsed(item: Extract<LineItem, { kind: "usage" }>, period: number): number {
  return item.records.filter((r) => r.period === period).reduce((sum, r) => sum + r.priceMicros, 0);
}

function findLineItem(shop: ShopRecord, id: string): { subscription: Subscription; item: LineItem } | undefined {
  for (const subscription of shop.billing.subscriptions.values()) {
    const item = subscription.lineItems.find((i) => i.id === id);
    if (item) return { subscription, item };
  }
  return undefined;
}

function findRecordByKey(shop: ShopRecord, key: string) {
  for (const subscription of shop.billing.subscriptions.values()) {
    for (const item of subscription.lineItems) {
      const record = item.kind === "usage" ? item.records.find((r) => r.idempotencyKey === key) : undefined;
      if (record && item.kind === "usage") return { subscription, item, record };
    }
  }
  return undefined;
}

/** Development and staff stores cannot pay: Shopify lets them approve test charges only. */
function canApproveRealCharges(plan: ShopPlan): boolean {
  return !plan.partnerDevelopment && plan.publicDisplayName !== "Staff Business";
}

/** Charges are in USD, or in the shop's own currency. */
function acceptsCurrency(shop: ShopRecord, currencyCode: string): boolean {
  return currencyCode === "USD" || currencyCode === shop.currencyCode;
}

function confirmationUrl(ctx: BillingContext, subscription: Subscription, kind: ChargePage): string {
  const signature = sign(ctx.uploadSecret, ctx.shop.domain, subscription, kind);
  return `${ctx.origin}/${ctx.shop.domain}/admin/charges/${APP_ID}/${subscription.numericId}/RecurringApplicationCharge/${kind}?signature=${signature}`;
}

function sign(secret: string, shop: string, subscription: Subscription, kind: ChargePage): string {
  return createHmac("sha256", secret).update(`charge:${shop}:${subscription.numericId}:${kind}`).digest("base64url");
}

function verifySignature(secret: string, shop: string, subscription: Subscription, kind: ChargePage, given: string | null): boolean {
  const expected = Buffer.from(sign(secret, shop, subscription, kind));
  const actual = Buffer.from(given ?? "");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function withChargeId(subscription: Subscription): string {
  const url = new URL(subscription.returnUrl);
  url.searchParams.set("charge_id", String(subscription.numericId));
  return url.href;
}

function readMoney(value: unknown): { micros: number; currencyCode: string } | undefined {
  const input = value as { amount?: unknown; currencyCode?: unknown } | undefined;
  if (!input || typeof input.currencyCode !== "string") return undefined;
  const text = scalarText(input.amount);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const [whole, fraction = ""] = text.replace("-", "").split(".");
  const micros = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
  return { micros: text.startsWith("-") ? -micros : micros, currencyCode: input.currencyCode };
}

function readDiscount(input: Args | undefined): Discount | undefined {
  if (!input) return undefined;
  const value = (input.value ?? {}) as Args;
  const amount = value.amount == null ? undefined : readMoney({ amount: value.amount, currencyCode: "USD" })?.micros;
  return {
    durationLimitInIntervals: (input.durationLimitInIntervals as number | undefined) ?? null,
    amountMicros: amount,
    percentage: value.percentage as number | undefined,
  };
}

function money(micros: number, currencyCode: string) {
  return { amount: formatUsd(micros), currencyCode };
}

/** Decimal as Shopify prints it: at least one decimal place ("20.0", "0.19"). */
function formatUsd(micros: number): string {
  const whole = Math.trunc(micros / 1_000_000);
  const fraction = String(Math.abs(micros % 1_000_000))
    .padStart(6, "0")
    .replace(/0+$/, "");
  return `${micros < 0 && whole === 0 ? "-" : ""}${whole}.${fraction || "0"}`;
}

function displayMoney(micros: number): string {
  return (micros / 1_000_000).toFixed(2);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
