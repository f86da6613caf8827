import { z } from "zod";
import { prisma } from "~/infra/db.server";
import { unknownPlaceholders } from "~/shopify/alt-text";
import { billingEnabled, capForShop } from "~/models/billing.server";
import { issue, OPTION_ERRORS, parseForm } from "~/infra/forms.server";
import type { FieldErrors } from "~/i18n/index";
import { lifestyleOptionsSchema, whiteOptionsSchema, type ProviderName, type StudioConfig } from "~/studio";

const capInvalid = issue("CAP_INVALID");
const retentionInvalid = issue("RETENTION_INVALID");

export const settingsSchema = z.object({
  defaultMode: z.enum(["white", "lifestyle"], issue("MODE_REQUIRED")),
  provider: z.enum(["local", "gemini", "openai-compatible"], issue("PROVIDER_REQUIRED")).nullable(),
  publishMode: z.enum(["review", "auto"], issue("PUBLISH_MODE_REQUIRED")),
  mediaPosition: z.enum(["append", "first"], issue("MEDIA_POSITION_REQUIRED")),
  altTextTemplate: z
    .string(issue("ALT_TEXT_REQUIRED"))
    .trim()
    .min(1, issue("ALT_TEXT_REQUIRED"))
    .max(255, issue("ALT_TEXT_TOO_LONG"))
    .superRefine((template, ctx) => {
      const unknown = unknownPlaceholders(template);
      if (unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: issue("ALT_TEXT_UNKNOWN_PLACEHOLDERS", { list: unknown.join(", "), title: "{title}", mode: "{mode}" }),
        });
      }
    }),
  monthlyCap: z.number(capInvalid).int(capInvalid).min(0, capInvalid).nullable(),
  retentionDays: z.number(retentionInvalid).int(retentionInvalid).min(1, retentionInvalid).max(3650, retentionInvalid),
  automation: z.boolean(),
  economyBulk: z.boolean(),
  whiteOptions: whiteOptionsSchema,
  lifestyleOptions: lifestyleOptionsSchema,
});

// The settings page's form: empty fields mean "none" for the provider and the cap, the fill is in
// percent, and an unticked shadow box sends nothing (so it is false here, not the engine's default).
const settingsFormSchema = settingsSchema.extend({
  provider: settingsSchema.shape.provider.optional().transform((provider) => provider ?? null),
  monthlyCap: z
    .number(capInvalid)
    .int(capInvalid)
    .min(0, capInvalid)
    .optional()
    .transform((cap) => cap ?? null),
  whiteOptions: whiteOptionsSchema.extend({
    fill: z
      .number(issue("FILL_INVALID"))
      .transform((percent) => percent / 100)
      .pipe(whiteOptionsSchema.shape.fill.unwrap()),
    // A ticked box, whatever value it sends.
    shadow: z.preprocess((value) => value !== undefined, z.boolean()),
  }),
  // A ticked box, whatever value it sends; an unticked (or disabled) one sends nothing.
  economyBulk: z.preprocess((value) => value !== undefined, z.boolean()),
  automation: z.preprocess((value) => value !== undefined, z.boolean()),
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

/**
 * The settings form (field names as in `settingsSchema`, options as `whiteOptions.size`...), checked
 * against the schema and against the providers configured on this server. Errors are keyed by field name.
 */
export function parseSettingsForm(
  form: FormData,
  providers: ProviderName[],
): { data: z.output<typeof settingsSchema> } | { errors: FieldErrors } {
  const parsed = parseForm(form, settingsFormSchema, OPTION_ERRORS);
  const errors: FieldErrors = "errors" in parsed ? { ...parsed.errors } : {};
  const provider = form.get("provider");
  if (typeof provider === "string" && provider && !errors.provider && !(providers as string[]).includes(provider)) {
    errors.provider = { code: "PROVIDER_NOT_CONFIGURED", values: { provider } };
  }
  return Object.keys(errors).length > 0 ? { errors } : parsed;
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
