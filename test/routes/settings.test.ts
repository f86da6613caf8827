import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Queue } from "bullmq";
import { asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import { english } from "../messages";
import type * as AppSettingsModule from "~/routes/app.settings/route";
import type * as ApiGenerateModule from "~/routes/api.generate";
import type * as SettingsModule from "~/models/settings.server";
import type * as DbModule from "~/infra/db.server";

// The settings page: what a new shop starts with, saving (per shop, validated field by field), that no
// provider secret ever reaches the page, and that the saved defaults are what generation then uses.

// Recognisable fake secrets in the server's provider configuration: none may appear in the page's data.
const SECRETS = {
  NANO_BANANA_API_KEY: "sk-FAKE-settings-key-7f3a9c",
  NANO_BANANA_API_BASE: "https://gw-user:FAKE-basic-pass-4411@gateway.example.test:8443/v1?api_key=FAKE-query-key-9d2",
  GOOGLE_APPLICATION_CREDENTIALS: "/run/secrets/FAKE-vision-credentials.json",
};

let app: AppTest;
let route: typeof AppSettingsModule;
let generateRoute: typeof ApiGenerateModule;
let settingsModel: typeof SettingsModule;
let prisma: typeof DbModule.prisma;

function settingsForm(overrides: Record<string, string | null> = {}) {
  const fields: Record<string, string | null> = {
    defaultMode: "white",
    provider: "",
    publishMode: "review",
    mediaPosition: "append",
    altTextTemplate: "{title} – {mode}",
    monthlyCap: "",
    retentionDays: "90",
    "whiteOptions.size": "2048",
    "whiteOptions.ratio": "1:1",
    "whiteOptions.fill": "85",
    "whiteOptions.shadow": "true",
    "whiteOptions.format": "jpeg",
    "lifestyleOptions.preset": "minimal-studio",
    "lifestyleOptions.count": "3",
    "lifestyleOptions.ratio": "4:5",
    "lifestyleOptions.size": "2048",
    "lifestyleOptions.format": "jpeg",
    ...overrides,
  };
  const form = new FormData();
  // null leaves the field out, as a browser does with an unchecked checkbox.
  for (const [name, value] of Object.entries(fields)) if (value !== null) form.set(name, value);
  return form;
}

async function save(shop: string, form: FormData) {
  return call(route.action, await asShop(shop, "/app/settings", { method: "POST", body: form }));
}

async function load(shop: string) {
  const response = await call(route.loader, await asShop(shop, "/app/settings"));
  expect(response.status).toBe(200);
  return response;
}

function row(shop: string) {
  return prisma.shopSettings.findUnique({ where: { shop } });
}

beforeAll(async () => {
  app = await startAppTest();
  Object.assign(process.env, SECRETS);
  route = await import("~/routes/app.settings/route");
  generateRoute = await import("~/routes/api.generate");
  settingsModel = await import("~/models/settings.server");
  prisma = (await import("~/infra/db.server")).prisma;
});

beforeEach(async () => {
  await prisma.shopSettings.deleteMany({ where: { shop: { in: [SHOP_A, SHOP_B] } } });
});

afterAll(async () => {
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  if (app) {
    const queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await app?.stop();
});

describe("the settings page's data", () => {
  test("a new shop gets the built-in defaults and the configured providers only", async () => {
    const body = await (await load(SHOP_A)).json();
    expect(body.settings).toEqual({
      defaultMode: "white",
      provider: null,
      publishMode: "review",
      mediaPosition: "append",
      altTextTemplate: "{title} – {mode}",
      monthlyCap: null,
      capFromPlan: false,
      automation: false,
      retentionDays: 90,
      economyBulk: false,
      whiteOptions: { size: 2048, ratio: "1:1", fill: 0.85, shadow: true, format: "jpeg", topView: false },
      lifestyleOptions: { preset: "minimal-studio", style: "", count: 3, ratio: "4:5", size: 2048, format: "jpeg" },
    });
    expect(body.providers).toEqual(["local", "openai-compatible"]);
    // Google's Batch API needs Gemini with an API key: not through the OpenAI-style gateway configured here.
    expect(body.economyAvailable).toBe(false);
    expect(body.usage).toMatchObject({ images: 0, costUsd: 0 });
  });

  test("shows this month's usage", async () => {
    const { currentMonth } = await import("~/models/usage.server");
    await prisma.usage.create({ data: { shop: SHOP_A, month: currentMonth(), images: 4, paidImages: 4, costMicros: 156_000 } });
    try {
      const body = await (await load(SHOP_A)).json();
      expect(body.usage).toMatchObject({ images: 4, costUsd: 0.156 });
      expect((await (await load(SHOP_B)).json()).usage.images).toBe(0);
    } finally {
      await prisma.usage.deleteMany({ where: { shop: SHOP_A } });
    }
  });

  test("names each provider's model and endpoint host, and contains no key, password or credentials path", async () => {
    const response = await load(SHOP_A);
    const text = await response.text();
    expect(text).not.toContain("FAKE");
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    const body = JSON.parse(text);
    expect(body.providerStatus).toEqual([
      { name: "local", configured: true, model: null, host: null, auth: null },
      { name: "gemini", configured: false, model: null, host: null, auth: null },
      { name: "openai-compatible", configured: true, model: "gemini-nano-banana-2.1", host: "gateway.example.test:8443", auth: null },
      { name: "vision", configured: true, model: null, host: null, auth: null },
    ]);
  });

  test("the provider status copies nothing secret from any part of the config", () => {
    const status = settingsModel.listProviderStatus({
      gemini: {
        apiKey: "AIza-FAKE-gemini-key",
        vertex: { project: "demo-project", location: "us-central1" },
        model: "gemini-3-pro-image-preview",
        baseUrl: "https://proxy-user:FAKE-proxy-pass@gemini-proxy.example.test/v1beta?key=FAKE-in-query",
      },
      openaiCompatible: { baseUrl: "https://gateway.example.test/v1#FAKE-fragment", apiKey: "sk-FAKE-openai-key", model: "nano-banana" },
      vision: {
        apiEndpoint: "vision.example.test",
        port: 9443,
        protocol: "https",
        authClient: { credentials: { private_key: "FAKE-private-key" } } as never,
      },
    });
    expect(JSON.stringify(status)).not.toContain("FAKE");
    expect(status).toEqual([
      { name: "local", configured: true, model: null, host: null, auth: null },
      { name: "gemini", configured: true, model: "gemini-3-pro-image-preview", host: "gemini-proxy.example.test", auth: "vertex" },
      { name: "openai-compatible", configured: true, model: "nano-banana", host: "gateway.example.test", auth: null },
      { name: "vision", configured: true, model: null, host: "vision.example.test:9443", auth: null },
    ]);
  });
});

describe("saving settings", () => {
  test("valid settings are stored for this shop, and another shop's settings are untouched", async () => {
    await settingsModel.updateSettings(SHOP_B, { monthlyCap: 7, altTextTemplate: "{title}" });
    const before = await row(SHOP_B);

    const response = await save(
      SHOP_A,
      settingsForm({
        defaultMode: "lifestyle",
        provider: "openai-compatible",
        publishMode: "auto",
        mediaPosition: "first",
        altTextTemplate: "  {title} ({mode})  ",
        monthlyCap: "250",
        retentionDays: "30",
        economyBulk: "on",
        "whiteOptions.size": "1600",
        "whiteOptions.ratio": "4:3",
        "whiteOptions.fill": "78",
        "whiteOptions.shadow": null,
        "whiteOptions.format": "webp",
        "lifestyleOptions.preset": "rustic-wood",
        "lifestyleOptions.count": "2",
        "lifestyleOptions.ratio": "16:9",
        "lifestyleOptions.size": "3000",
        "lifestyleOptions.format": "png",
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ saved: true });

    const saved = await row(SHOP_A);
    expect(saved).toMatchObject({
      defaultMode: "lifestyle",
      provider: "openai-compatible",
      publishMode: "auto",
      mediaPosition: "first",
      altTextTemplate: "{title} ({mode})",
      monthlyCap: 250,
      retentionDays: 30,
      economyBulk: true,
    });
    expect(JSON.parse(saved!.whiteOptions)).toEqual({
      size: 1600,
      ratio: "4:3",
      fill: 0.78,
      shadow: false,
      format: "webp",
      topView: false,
    });
    expect(JSON.parse(saved!.lifestyleOptions)).toEqual({
      preset: "rustic-wood",
      style: "",
      count: 2,
      ratio: "16:9",
      size: 3000,
      format: "png",
    });

    // The page shows what was saved.
    const body = await (await load(SHOP_A)).json();
    expect(body.settings).toMatchObject({ defaultMode: "lifestyle", monthlyCap: 250, whiteOptions: { fill: 0.78, shadow: false } });

    expect(await row(SHOP_B)).toEqual(before);
  });

  test("an empty cap means no cap", async () => {
    await settingsModel.updateSettings(SHOP_A, { monthlyCap: 10 });
    const response = await save(SHOP_A, settingsForm({ monthlyCap: "" }));
    expect(response.status).toBe(200);
    expect((await row(SHOP_A))?.monthlyCap).toBeNull();
  });

  const invalid: [string, Record<string, string>, string][] = [
    ["a negative monthly cap", { monthlyCap: "-1" }, "monthlyCap"],
    ["a fractional monthly cap", { monthlyCap: "2.5" }, "monthlyCap"],
    ["zero retention days", { retentionDays: "0" }, "retentionDays"],
    ["an empty alt-text template", { altTextTemplate: "   " }, "altTextTemplate"],
    ["an alt-text placeholder nothing fills in", { altTextTemplate: "{title} for {price}" }, "altTextTemplate"],
    ["an unknown preset", { "lifestyleOptions.preset": "neon-disco" }, "lifestyleOptions.preset"],
    ["a provider that is not configured on this server", { provider: "gemini" }, "provider"],
    ["a provider that does not exist", { provider: "dall-e" }, "provider"],
    ["a white-background size over 4096", { "whiteOptions.size": "5000" }, "whiteOptions.size"],
    ["a fill under 75%", { "whiteOptions.fill": "60" }, "whiteOptions.fill"],
    ["4 lifestyle scenes", { "lifestyleOptions.count": "4" }, "lifestyleOptions.count"],
  ];

  test.each(invalid)("%s is refused with an error on that field and nothing is saved", async (_, overrides, field) => {
    await settingsModel.updateSettings(SHOP_A, { monthlyCap: 5, defaultMode: "white" });
    const before = await row(SHOP_A);

    const response = await save(SHOP_A, settingsForm({ ...overrides, defaultMode: "lifestyle" }));
    expect(response.status).toBe(400);
    const errors = english((await response.json()).errors);
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).toEqual(expect.any(String));
    expect(await row(SHOP_A)).toEqual(before);
  });

  test("the messages say what to enter", async () => {
    const response = await save(
      SHOP_A,
      settingsForm({
        monthlyCap: "-1",
        retentionDays: "0",
        altTextTemplate: "{title} {price}",
        provider: "gemini",
        "lifestyleOptions.preset": "x",
      }),
    );
    const errors = english((await response.json()).errors);
    expect(errors).toEqual({
      monthlyCap: expect.stringMatching(/whole number.*empty for no cap/),
      retentionDays: expect.stringMatching(/1 to 3650/),
      altTextTemplate: expect.stringMatching(/\{price\} cannot be filled in/),
      provider: expect.stringMatching(/gemini provider is not configured/),
      "lifestyleOptions.preset": "Choose one of the presets.",
    });
    expect(await row(SHOP_A)).toBeNull();
  });

  test("a request without a valid session token is refused and changes nothing", async () => {
    const headers = { authorization: "Bearer not-a-token" };
    const loaded = await call(route.loader, new Request("http://localhost:3000/app/settings", { headers }));
    expect(loaded.status).toBe(401);

    const saved = await call(
      route.action,
      new Request("http://localhost:3000/app/settings", { method: "POST", headers, body: settingsForm({ defaultMode: "lifestyle" }) }),
    );
    expect(saved.status).toBe(401);
    expect(await row(SHOP_A)).toBeNull();
  });
});

describe("the saved defaults elsewhere in the app", () => {
  test("the extensions' endpoint presets the saved default mode", async () => {
    expect((await save(SHOP_A, settingsForm({ defaultMode: "lifestyle" }))).status).toBe(200);

    const a = await call(generateRoute.loader, await asShop(SHOP_A, "/api/generate"));
    expect(await a.json()).toEqual({ defaultMode: "lifestyle" });
    const b = await call(generateRoute.loader, await asShop(SHOP_B, "/api/generate"));
    expect(await b.json()).toEqual({ defaultMode: "white" });
  });

  test("a generation without options uses the saved white-background defaults and provider", async () => {
    const saved = await save(
      SHOP_A,
      settingsForm({
        provider: "local",
        "whiteOptions.size": "1500",
        "whiteOptions.ratio": "4:3",
        "whiteOptions.fill": "80",
        "whiteOptions.shadow": null,
        "whiteOptions.format": "png",
      }),
    );
    expect(saved.status).toBe(200);

    const product = [...app.emulator.state.shops.get(SHOP_A)!.products.values()].find((p) => p.mediaIds.length > 0)!;
    const request = await asShop(SHOP_A, "/api/generate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productIds: [product.id], mode: "white" }),
    });
    const response = await call(generateRoute.action, request);
    expect(response.status).toBe(200);
    const { jobs } = await response.json();

    const job = await prisma.job.findFirstOrThrow({ where: { id: jobs[0].id, shop: SHOP_A } });
    expect(job.provider).toBe("local");
    expect(JSON.parse(job.options)).toEqual({ size: 1500, ratio: "4:3", fill: 0.8, shadow: false, format: "png", topView: false });
  });
});
