import { prisma } from "~/db.server";

// Estimated provider cost per output image, in millionths of a dollar (Gemini 2.5 Flash Image: ~$0.039).
const COST_MICROS: Record<string, number> = { local: 0, gemini: 39_000, "openai-compatible": 39_000 };

export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

export async function recordUsage(shop: string, provider: string, images: number) {
  const month = currentMonth();
  const cost = (COST_MICROS[provider] ?? 0) * images;
  await prisma.usage.upsert({
    where: { shop_month: { shop, month } },
    create: { shop, month, images, costMicros: cost },
    update: { images: { increment: images }, costMicros: { increment: cost } },
  });
}

export async function getUsage(shop: string, month = currentMonth()) {
  const row = await prisma.usage.findUnique({ where: { shop_month: { shop, month } } });
  return { month, images: row?.images ?? 0, costUsd: (row?.costMicros ?? 0) / 1_000_000 };
}
