import type { Locale } from "~/i18n/index";

/**
 * The app's plans, as data. Money is in whole US cents (Shopify bills apps in USD; no float ever
 * touches a price). A shop without an active paid subscription is on the free plan.
 *
 * - Free: the offline `local` provider only, unlimited, no subscription at all.
 * - Paid: a recurring fee every 30 days that includes a number of generative images (`gemini`,
 *   `openai-compatible`), then a usage charge per image beyond them, up to the subscription's capped
 *   amount, which the merchant approves on Shopify's page and may raise there. Images from the local
 *   provider stay free and unlimited on every plan.
 *
 * Why these prices (figures from app/studio/models.ts, read 2026-12-01): the default model
 * (Nano Banana 2.1) costs $0.0336 per 1K image and, conservatively, $0.1134 at the default 2048 px (no 2K
 * figure is published, so the registry uses the 4K price). Shopify keeps a 2.9% processing fee on
 * every charge and 15% of revenue past a developer's first $1M
 * (https://shopify.dev/docs/apps/launch/distribution/revenue-share). plans.test.ts holds every price
 * to covering the default model at 2048 px after both, with a margin, on included images and beyond;
 * cheaper per image as the plan grows. A merchant who sets GEMINI_MODEL to Nano Banana Pro or asks for
 * 4K images costs more than these prices cover: change the plans with the model, not separately.
 */

export type PaidPlanId = "starter" | "growth" | "pro";
export type PlanId = "free" | PaidPlanId;

export interface FreePlan {
  id: "free";
}

export interface PaidPlan {
  id: PaidPlanId;
  /**
   * The subscription's name on Shopify: shown to the merchant, and how an active subscription is mapped
   * back to its plan. Never rename one; add a plan instead.
   */
  subscriptionName: string;
  monthlyPriceCents: number;
  /** Generative images each 30-day interval covered by the recurring fee. */
  includedImages: number;
  /** The usage charge for each generative image beyond the included ones. */
  pricePerImageCents: number;
  /** The capped amount proposed when subscribing; the merchant can raise it. */
  defaultCappedAmountCents: number;
}

export type Plan = FreePlan | PaidPlan;

export const FREE_PLAN: FreePlan = { id: "free" };

export const PAID_PLANS: readonly PaidPlan[] = [
  {
    id: "starter",
    subscriptionName: "Photo Studio Starter",
    monthlyPriceCents: 999,
    includedImages: 40,
    pricePerImageCents: 19,
    defaultCappedAmountCents: 2_000,
  },
  {
    id: "growth",
    subscriptionName: "Photo Studio Growth",
    monthlyPriceCents: 2_999,
    includedImages: 150,
    pricePerImageCents: 17,
    defaultCappedAmountCents: 5_000,
  },
  {
    id: "pro",
    subscriptionName: "Photo Studio Pro",
    monthlyPriceCents: 7_999,
    includedImages: 500,
    pricePerImageCents: 15,
    defaultCappedAmountCents: 15_000,
  },
];

export function findPaidPlan(id: string): PaidPlan | undefined {
  return PAID_PLANS.find((plan) => plan.id === id);
}

/** The plan an active subscription stands for; undefined for a name this app never used. */
export function planForSubscriptionName(name: string): PaidPlan | undefined {
  return PAID_PLANS.find((plan) => plan.subscriptionName === name);
}

/**
 * The most generative images an interval allows: the included ones plus what the capped amount pays
 * for. This is the one number the app's cap and the subscription's capped amount share.
 */
export function imageLimit(plan: PaidPlan, cappedAmountCents: number): number {
  return plan.includedImages + Math.floor(cappedAmountCents / plan.pricePerImageCents);
}

/** The capped amount that allows `images` generative images an interval (at least one charged image: Shopify needs a capped amount above zero). */
export function cappedAmountForImages(plan: PaidPlan, images: number): number {
  return Math.max(1, images - plan.includedImages) * plan.pricePerImageCents;
}

/** What the next generative image costs when `made` were already made this interval: nothing while included. */
export function chargeForNextImage(plan: PaidPlan, made: number): number {
  return made < plan.includedImages ? 0 : plan.pricePerImageCents;
}

/** "9.99", as Shopify's MoneyInput takes it. */
export function formatCents(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`Not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Shopify's Decimal ("20.0", "0.19", "9.99") as whole cents, without going through a float. */
export function parseCents(amount: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a decimal amount: ${amount}`);
  const [, sign, whole, fraction = ""] = match;
  if (/[1-9]/.test(fraction.slice(2))) throw new Error(`Not a whole number of cents: ${amount}`);
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  return sign ? -cents : cents;
}

/** The usage terms the merchant reads on Shopify's approval page, in the admin user's language. */
export function usageTerms(plan: PaidPlan, locale: Locale): string {
  const price = formatCents(plan.pricePerImageCents);
  return locale === "zh-TW"
    ? `每 30 天含 ${plan.includedImages} 張生成圖片，超出部分每張 US$${price}。本機處理的圖片、失敗與安全封鎖一律不收費。`
    : `$${price} per generated image beyond the ${plan.includedImages} included every 30 days. Images made by the free local provider, failures and safety blocks are never charged.`;
}
