import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { appLink, fetchDefaultMode, requestGeneration } from "../extensions/shared/generate";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "./app";
import type * as ApiGenerateModule from "~/routes/api.generate";

// The two admin action extensions: they build offline with the project's Shopify CLI, every text they
// show exists in English and Traditional Chinese, and their client speaks the real /api/generate route.

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const EXTENSIONS = [
  { handle: "product-action", target: "admin.product-details.action.render" },
  { handle: "bulk-action", target: "admin.product-index.selection-action.render" },
];
const hasCli = existsSync(path.join(ROOT, "node_modules/.bin/shopify"));
if (!hasCli) console.warn("[extensions] Skipping the extension build: the Shopify CLI is not installed (run npm ci).");

describe.skipIf(!hasCli)("building the admin extensions with the Shopify CLI", () => {
  beforeAll(async () => {
    await run("bash", ["scripts/build-extensions.sh"], { cwd: ROOT, timeout: 120_000 });
  }, 180_000);

  test.each(EXTENSIONS)("$handle is bundled with Preact for $target and calls the app's endpoint", ({ handle, target }) => {
    const bundle = readFileSync(path.join(ROOT, "extensions", handle, "dist", `${handle}.js`), "utf8");
    expect(bundle).toContain(target);
    expect(bundle).toContain("/api/generate");
    // The CLI's limit for a UI extension bundle is 64 KB.
    expect(Buffer.byteLength(bundle)).toBeLessThan(64 * 1024);
    // Preact only: the app's React must not leak in (a shared .tsx without the preact pragma would do that).
    const { inputs } = JSON.parse(readFileSync(path.join(ROOT, "extensions", handle, "dist", `${handle}.metafile.json`), "utf8"));
    expect(Object.keys(inputs).filter((input) => /node_modules\/react(-dom)?\//.test(input))).toEqual([]);
    expect(Object.keys(inputs)).toContain("node_modules/preact/jsx-runtime/dist/jsxRuntime.module.js");
  });

  test.each(EXTENSIONS)(
    "$handle type-checks against its target's API",
    async ({ handle }) => {
      const tsc = path.join(ROOT, "node_modules/.bin/tsc");
      await expect(run(tsc, ["-p", path.join("extensions", handle, "tsconfig.json")], { cwd: ROOT })).resolves.toBeDefined();
    },
    60_000,
  );
});

type Messages = { [key: string]: string | Messages };

function leafKeys(messages: Messages, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) => {
    if (typeof value === "string") return [`${prefix}${key}`];
    // A plural entry ({one, other}) is one key; Chinese has only "other".
    if ("other" in value && typeof value.other === "string") return [`${prefix}${key}`];
    return leafKeys(value, `${prefix}${key}.`);
  });
}

describe("the extensions' texts", () => {
  test.each(EXTENSIONS)("every text $handle shows is in English and Traditional Chinese", ({ handle }) => {
    const dir = path.join(ROOT, "extensions", handle);
    const en = leafKeys(JSON.parse(readFileSync(path.join(dir, "locales/en.default.json"), "utf8")));
    const zh = leafKeys(JSON.parse(readFileSync(path.join(dir, "locales/zh-TW.json"), "utf8")));
    expect(zh.sort()).toEqual(en.sort());

    // The modal itself is shared (extensions/shared) and takes its texts from the calling extension.
    const source = [path.join(dir, "src"), path.join(ROOT, "extensions/shared")]
      .flatMap((folder) => readdirSync(folder).map((file) => readFileSync(path.join(folder, file), "utf8")))
      .join("\n");
    const used = [...source.matchAll(/i18n\.translate\("([^"]+)"/g)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const key of [...used, "name"]) expect(en, `missing "${key}"`).toContain(key);
  });
});

describe("the extensions' client against the app's /api/generate route", () => {
  let app: AppTest;
  let route: typeof ApiGenerateModule;
  let productIds: string[];
  let token: string;
  const auth = { idToken: async () => token };
  const realFetch = globalThis.fetch;

  // In the admin, fetch("/api/generate") resolves against the app's URL; here it reaches the route module.
  function routeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith("/api/generate")) return realFetch(input, init);
    const request = new Request(new URL(url, process.env.SHOPIFY_APP_URL), init);
    return request.method === "GET" ? call(route.loader, request) : call(route.action, request);
  }

  beforeAll(async () => {
    app = await startAppTest();
    route = await import("~/routes/api.generate");
    const products = [...app.emulator.state.shops.get(SHOP_A)!.products.values()].filter((p) => p.mediaIds.length > 0);
    productIds = products.slice(0, 2).map((p) => p.id);
    token = (await asShop(SHOP_A, "/")).headers.get("authorization")!.replace(/^Bearer /, "");
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  afterAll(async () => {
    await app?.stop();
  });

  test("the product action queues one job and links to it inside the app", async () => {
    vi.stubGlobal("fetch", routeFetch);
    const outcome = await requestGeneration(auth, [productIds[0]], "white");
    expect(outcome.kind).toBe("queued");
    if (outcome.kind !== "queued") return;
    expect(outcome.jobs).toHaveLength(1);
    expect(outcome.jobs[0].productId).toBe(productIds[0]);
    expect(appLink(outcome.jobs[0].url)).toBe(`app:app/jobs/${outcome.jobs[0].id}`);
  });

  test("the bulk action queues one job per selected product in one batch", async () => {
    vi.stubGlobal("fetch", routeFetch);
    const outcome = await requestGeneration(auth, productIds, "lifestyle");
    expect(outcome.kind).toBe("queued");
    if (outcome.kind !== "queued") return;
    expect(outcome.batchId).toEqual(expect.any(String));
    expect(outcome.jobs.map((job) => job.productId).sort()).toEqual([...productIds].sort());
  });

  test("an id that is not a product comes back as the app's own message", async () => {
    vi.stubGlobal("fetch", routeFetch);
    const outcome = await requestGeneration(auth, ["gid://shopify/Order/1"], undefined);
    expect(outcome).toEqual({ kind: "rejected", messages: [expect.any(String)] });
  });

  test("the mode choice starts at the shop's default mode", async () => {
    const { updateSettings } = await import("~/models/settings.server");
    await updateSettings(SHOP_A, { defaultMode: "lifestyle" });
    vi.stubGlobal("fetch", routeFetch);
    expect(await fetchDefaultMode(auth)).toBe("lifestyle");
  });
});

describe("the extensions' client when the app cannot take the request", () => {
  const auth = { idToken: async () => "token" };
  const productId = "gid://shopify/Product/1";

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  test("a network failure is told apart from a refusal", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("fetch failed")));
    expect(await requestGeneration(auth, [productId], "white")).toEqual({ kind: "unreachable" });
    expect(await fetchDefaultMode(auth)).toBeUndefined();
  });

  test("an answer that is not the app's (a proxy's error page) is told apart from a refusal", async () => {
    vi.stubGlobal("fetch", () => Promise.resolve(new Response("<html>Bad gateway</html>", { status: 502 })));
    expect(await requestGeneration(auth, [productId], "white")).toEqual({ kind: "unreachable", status: 502 });
    expect(await fetchDefaultMode(auth)).toBeUndefined();
  });

  test("the app's own refusal while its queue is down is shown as it is", async () => {
    const errors = { queue: "Generation is unavailable right now. Try again in a minute." };
    vi.stubGlobal("fetch", () => Promise.resolve(Response.json({ errors }, { status: 503 })));
    expect(await requestGeneration(auth, [productId], "white")).toEqual({ kind: "rejected", messages: [errors.queue] });
  });

  test("the session token goes with the request as a Bearer header", async () => {
    const seen: Request[] = [];
    vi.stubGlobal("fetch", (input: string, init: RequestInit) => {
      seen.push(new Request(new URL(input, "https://app.example"), init));
      return Promise.resolve(Response.json({ batchId: null, jobs: [] }));
    });
    await requestGeneration(auth, [productId], undefined);
    expect(seen[0].headers.get("authorization")).toBe("Bearer token");
    expect(await seen[0].json()).toEqual({ productIds: [productId] });
  });
});
