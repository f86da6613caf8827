import { z } from "zod";
import { prisma } from "~/infra/db.server";
import { unknownPlaceholders } from "~/shopify/alt-text";
import { billingEnabled, capForShop } from "~/models/billing.server";
import { lifestyleOptionsSchema, whiteOptionsSchema, type ProviderName, type StudioConfig } from "~/studio";

const capMessage = "Enter a whole number of images (0 or more), or leave it empty for no cap.";
const retentionMessage = "Enter a whole number of days from 1 to 3650.";

export const settingsSchema = z.object({
  defaultMode: z.enum(["white", "lifestyle"], "Choose white background or lifestyle."),
  provider: z.enum(["local", "gemini", "openai-compatible"], "Choose a provider.").nullable(),
  publishMode: z.enum(["review", "auto"], "Choose review first or publish automatically."),
  mediaPosition: z.enum(["append", "first"], "Choose where new images go."),
  altTextTemplate: z
    .string("Enter an alt-text template.")
    .trim()
    .min(1, "Enter an alt-text template.")
    .max(255, "Keep the template to 255 characters.")
    .superRefine((template, ctx) => {
      const unknown = unknownPlaceholders(template);
      if (unknown.length > 0) {
        ctx.addIssue({ code: "custom", message: `${unknown.join(", ")} cannot be filled in: use {title} and {mode}.` });
      }
    }),
  monthlyCap: z.number(capMessage).int(capMessage).min(0, capMessage).nullable(),
  retentionDays: z.number(retentionMessage).int(retentionMessage).min(1, retentionMessage).max(3650, retentionMessage),
  automation: z.boolean(),
  whiteOptions: whiteOptionsSchema,
  lifestyleOptions: lifestyleOptionsSchema,
});

export type SettingsInput = z.input<typeof settingsSchema>;
export type ShopSettings = Awaited<ReturnType<typeof getSettings>>;

/**
 * The shop's settings, with the mode defaults decoded from their JSON columns. `monthlyCap` is the cap in
 * force: with billing on, the plan's (its capped amount in images), whatever the row says.
 */
export async function getSettings(shop: string) {
  const row =
    (await prisma.shopSettings.findUnique({ where: { shop } })) ??
    (await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} }));
  return {
    ...row,
    monthlyCap: await capForShop(shop, row.monthlyCap),
    capFromPlan: billingEnabled(),
    whiteDefaults: decodeOptions(whiteOptionsSchema, row.whiteOptions),
    lifestyleDefaults: decodeOptions(lifestyleOptionsSchema, row.lifestyleOptions),
  };
}

// Stored options were valid when saved; if a later schema no longer accepts them, the built-in
// defaults keep the pages working until the merchant saves again.
function decodeOptions<T extends z.ZodType>(schema: T, stored: string): z.output<T> {
  try {
    const parsed = schema.safeParse(JSON.parse(stored));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: fall through to the defaults.
  }
  return schema.parse({});
}

export async function updateSettings(shop: string, input: Partial<SettingsInput>) {
  const { whiteOptions, lifestyleOptions, ...rest } = settingsSchema.partial().parse(input);
  const before =
    rest.automation === undefined ? null : await prisma.shopSettings.findUnique({ where: { shop }, select: { automation: true } });
  const data = {
    ...rest,
    // Turning automation on starts it from now: photos made before are not new to it.
    ...(rest.automation === undefined || Boolean(before?.automation) === rest.automation
      ? {}
      : { automationSince: rest.automation ? new Date() : null }),
    ...(whiteOptions ? { whiteOptions: JSON.stringify(whiteOptions) } : {}),
    ...(lifestyleOptions ? { lifestyleOptions: JSON.stringify(lifestyleOptions) } : {}),
  };
  return prisma.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

type FieldErrors = Record<string, string>;

// The studio's option schemas speak zod's generic language; the settings form says what to enter.
const OPTION_MESSAGES: Record<string, string> = {
  size: "Enter a size from 1000 to 4096 pixels.",
  ratio: "Choose one of the aspect ratios.",
  fill: "Choose a fill from 75% to 95%.",
  format: "Choose JPEG, PNG or WebP.",
  preset: "Choose one of the presets.",
  count: "Choose 2 or 3 scenes.",
};

/**
 * The settings form (field names as in `settingsSchema`, options as `whiteOptions.size`...), checked
 * against the schema and against the providers configured on this server. Errors are keyed by field name.
 */
export function parseSettingsForm(
  form: FormData,
  providers: ProviderName[],
): { data: z.output<typeof settingsSchema> } | { errors: FieldErrors } {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value.trim() : undefined;
  };
  const number = (name: string) => {
    const value = text(name);
    return value ? Number(value) : undefined;
  };
  const fill = number("whiteOptions.fill");
  const count = number("lifestyleOptions.count");
  const parsed = settingsSchema.safeParse({
    defaultMode: text("defaultMode"),
    provider: text("provider") || null,
    publishMode: text("publishMode"),
    mediaPosition: text("mediaPosition"),
    altTextTemplate: text("altTextTemplate"),
    monthlyCap: text("monthlyCap") ? Number(text("monthlyCap")) : null,
    retentionDays: number("retentionDays"),
    automation: form.has("automation"),
    whiteOptions: {
      size: number("whiteOptions.size") ?? NaN,
      ratio: text("whiteOptions.ratio"),
      // The form speaks percent; the options store a fraction.
      fill: fill === undefined ? NaN : fill / 100,
      shadow: form.has("whiteOptions.shadow"),
      format: text("whiteOptions.format"),
    },
    lifestyleOptions: {
      preset: text("lifestyleOptions.preset"),
      count: count ?? NaN,
      ratio: text("lifestyleOptions.ratio"),
      size: number("lifestyleOptions.size") ?? NaN,
      format: text("lifestyleOptions.format"),
    },
  });
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join(".");
      const isOption = issue.path[0] === "whiteOptions" || issue.path[0] === "lifestyleOptions";
      errors[field] ??= (isOption && OPTION_MESSAGES[String(issue.path[1])]) || issue.message;
    }
  }
  const provider = text("provider");
  if (provider && !errors.provider && !(providers as string[]).includes(provider)) {
    errors.provider = `The ${provider} provider is not configured on this server.`;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { errors };
  return { data: parsed.data };
}

export interface ProviderStatus {
  name: ProviderName | "vision";
  configured: boolean;
  model: string | null;
  /** Host (and port) of a non-default endpoint: never the path, query or user info, where keys can hide. */
  host: string | null;
  /** How Gemini is reached. */
  auth: "apiKey" | "vertex" | null;
}

/**
 * What the settings page may say about each provider and Cloud Vision. Built field by field from the
 * config, never by copying it, so no key, password or credentials path can reach the page.
 */
export function listProviderStatus(config: StudioConfig): ProviderStatus[] {
  const { gemini, openaiCompatible, vision } = config;
  return [
    { name: "local", configured: true, model: null, host: null, auth: null },
    {
      name: "gemini",
      configured: Boolean(gemini),
      model: gemini?.model ?? null,
      host: hostOf(gemini?.baseUrl),
      auth: gemini ? (gemini.vertex ? "vertex" : "apiKey") : null,
    },
    {
      name: "openai-compatible",
      configured: Boolean(openaiCompatible),
      model: openaiCompatible?.model ?? null,
      host: hostOf(openaiCompatible?.baseUrl),
      auth: null,
    },
    {
      name: "vision",
      configured: Boolean(vision),
      model: null,
      host: vision?.apiEndpoint ? `${vision.apiEndpoint}${vision.port ? `:${vision.port}` : ""}` : null,
      auth: null,
    },
  ];
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}
