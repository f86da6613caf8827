import { z } from "zod";
import { prisma } from "~/db.server";

export const settingsSchema = z.object({
  defaultMode: z.enum(["white", "lifestyle"]),
  provider: z.enum(["local", "gemini", "openai-compatible"]).nullable(),
  publishMode: z.enum(["review", "auto"]),
  mediaPosition: z.enum(["append", "first"]),
  altTextTemplate: z.string().trim().min(1).max(255),
  monthlyCap: z.number().int().min(0).nullable(),
  retentionDays: z.number().int().min(1).max(3650),
});

export type ShopSettings = Awaited<ReturnType<typeof getSettings>>;

export async function getSettings(shop: string) {
  return (
    (await prisma.shopSettings.findUnique({ where: { shop } })) ??
    (await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} }))
  );
}

export async function updateSettings(shop: string, input: Partial<z.infer<typeof settingsSchema>>) {
  const data = settingsSchema.partial().parse(input);
  return prisma.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

export function renderAltText(template: string, values: { title: string; mode: string }): string {
  return template.replaceAll("{title}", values.title).replaceAll("{mode}", values.mode).slice(0, 512);
}
