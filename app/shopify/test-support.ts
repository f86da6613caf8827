import { randomUUID } from "node:crypto";
import sharp from "sharp";
import type { Emulator } from "../../scripts/emulator/index.ts";
import { createAdminApi, type AdminApiOptions } from "./admin-api.server";

/** Helpers for this folder's tests against the Admin API emulator; not used by the app. */

export async function makePng(seed: number, size = 64): Promise<Buffer> {
  const background = { r: (seed * 70) % 256, g: (seed * 130) % 256, b: (seed * 200) % 256 };
  return sharp({ create: { width: size, height: size, channels: 3, background } })
    .png()
    .toBuffer();
}

/** A fresh seeded shop with its own token, so tests never share state (or Redis keys). */
export function openShop(emu: Emulator, options: Partial<AdminApiOptions> = {}) {
  const shop = `test-${randomUUID().slice(0, 8)}.myshopify.com`;
  emu.addShop(shop, { seed: true });
  const token = emu.issueToken(shop);
  const record = emu.state.shops.get(shop)!;
  const api = createAdminApi({ shop, accessToken: token, log: { warn: () => {} }, retry: { baseDelayMs: 20 }, ...options });
  const firstProduct = [...record.products.values()][0];
  const calls = () => emu.state.log.filter((entry) => entry.shop === shop);
  return { shop, token, record, api, product: firstProduct, calls };
}
