import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { renderAltText, shopLanguage } from "~/shopify/alt-text";
import { createAdminApi } from "./admin-api.server";
import { readShopPrimaryLocale } from "./shop-locale.server";
import { openShop } from "./test-support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ mediaProcessingMs: 40, seedDemoShop: false });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});
afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  await emu.close();
});

describe("the shop's primary locale, from the Admin API (emulator, schema-validated)", () => {
  it("is read from shopLocales, and a Traditional Chinese shop gets its alt text in Traditional Chinese", async () => {
    const { api, record } = openShop(emu);
    record.locales = [
      { locale: "en", name: "English", primary: false, published: true },
      { locale: "zh-TW", name: "Chinese (Traditional)", primary: true, published: true },
    ];

    const locale = await readShopPrimaryLocale(api);

    expect(locale).toBe("zh-TW");
    expect(renderAltText("{title} – {mode}", { title: "手工陶瓷馬克杯", mode: "white", language: shopLanguage(locale) })).toBe(
      "手工陶瓷馬克杯（白底圖）",
    );
    const call = emu.state.log.findLast((entry) => entry.shop === record.domain);
    expect(call?.rootFields).toEqual(["shopLocales"]);
  });

  it("is unknown (alt text stays English) when the grant lacks read_locales, instead of failing the publish", async () => {
    const { shop, record } = openShop(emu);
    record.locales = [{ locale: "zh-TW", name: "Chinese (Traditional)", primary: true, published: true }];
    const api = createAdminApi({
      shop,
      accessToken: emu.issueToken(shop, "write_products,write_files"),
      log: { warn: () => {} },
      retry: { baseDelayMs: 20 },
    });

    expect(await readShopPrimaryLocale(api)).toBeNull();
    expect(shopLanguage(null)).toBe("en");
  });
});
