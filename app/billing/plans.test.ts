import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_MODEL, pricePerImageUsd } from "~/studio/models";
import {
  cappedAmountForImages,
  chargeForNextImage,
  findPaidPlan,
  formatCents,
  imageLimit,
  PAID_PLANS,
  parseCents,
  planForSubscriptionName,
  usageTerms,
} from "./plans";

// What Shopify keeps of each charge: 2.9% processing, and 15% revenue share past a developer's first $1M.
const KEPT_SHARE = 1 - 0.029 - 0.15;
const MARGIN = 1.05;
const DEFAULT_SIZE = 2048;

describe("paid plans", () => {
  const costCents = pricePerImageUsd("gemini", DEFAULT_IMAGE_MODEL, DEFAULT_SIZE) * 100;

  it("cover the default model at the default size, after Shopify's fee and revenue share, on included images and beyond", () => {
    for (const plan of PAID_PLANS) {
      expect({ plan: plan.id, covered: plan.monthlyPriceCents * KEPT_SHARE >= plan.includedImages * costCents * MARGIN }).toEqual({
        plan: plan.id,
        covered: true,
      });
      expect({ plan: plan.id, covered: plan.pricePerImageCents * KEPT_SHARE >= costCents * MARGIN }).toEqual({
        plan: plan.id,
        covered: true,
      });
    }
  });

  it("get cheaper per image as they grow, and each allows more images at its default cap", () => {
    const perIncluded = PAID_PLANS.map((p) => p.monthlyPriceCents / p.includedImages);
    expect([...perIncluded].sort((a, b) => b - a)).toEqual(perIncluded);
    const beyond = PAID_PLANS.map((p) => p.pricePerImageCents);
    expect([...beyond].sort((a, b) => b - a)).toEqual(beyond);
    const limits = PAID_PLANS.map((p) => imageLimit(p, p.defaultCappedAmountCents));
    expect([...limits].sort((a, b) => a - b)).toEqual(limits);
    expect(new Set(PAID_PLANS.map((p) => p.subscriptionName)).size).toBe(PAID_PLANS.length);
  });

  it("turn a capped amount into an image limit and back: the one number the cap and Shopify share", () => {
    const starter = findPaidPlan("starter")!;
    expect(imageLimit(starter, 2_000)).toBe(40 + 105);
    expect(cappedAmountForImages(starter, 145)).toBe(1_995);
    expect(imageLimit(starter, cappedAmountForImages(starter, 145))).toBe(145);
    // A limit inside the included images still needs a capped amount above zero.
    expect(cappedAmountForImages(starter, 10)).toBe(19);
  });

  it("charge nothing for the included images and the plan's price for each one beyond", () => {
    const growth = findPaidPlan("growth")!;
    expect(chargeForNextImage(growth, 0)).toBe(0);
    expect(chargeForNextImage(growth, 149)).toBe(0);
    expect(chargeForNextImage(growth, 150)).toBe(17);
  });

  it("are found from a subscription's name, and an unknown name is no plan", () => {
    expect(planForSubscriptionName("Photo Studio Pro")?.id).toBe("pro");
    expect(planForSubscriptionName("Some Other Plan")).toBeUndefined();
  });

  it("state their terms in English and Traditional Chinese", () => {
    const pro = findPaidPlan("pro")!;
    expect(usageTerms(pro, "en")).toBe(
      "$0.15 per generated image beyond the 500 included every 30 days. Images made by the free local provider, failures and safety blocks are never charged.",
    );
    expect(usageTerms(pro, "zh-TW")).toContain("超出部分每張 US$0.15");
  });
});

describe("money", () => {
  it("writes cents as Shopify's decimals and reads them back without floats", () => {
    expect([999, 19, 5, 0, 2_000].map(formatCents)).toEqual(["9.99", "0.19", "0.05", "0.00", "20.00"]);
    expect(["20.0", "0.19", "9.99", "0.0", "15", "0.190"].map(parseCents)).toEqual([2_000, 19, 999, 0, 1_500, 19]);
    expect(parseCents("0.1") + parseCents("0.2")).toBe(30);
    expect(() => parseCents("0.195")).toThrow(/whole number of cents/);
    expect(() => formatCents(0.5)).toThrow(/whole number of cents/);
  });
});
