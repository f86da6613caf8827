import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { startGeminiBatchFake, type BatchAnswer } from "../../../test/fakes/gemini-batch-fake";
import { geminiAnswers } from "../../../test/fakes/gemini-fake";
import type { StudioError } from "../errors";
import { createGeminiBatchClient, pollDelayMs, type BatchRequest } from "./gemini-batch";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const photo = (background: string) =>
  sharp({ create: { width: 48, height: 32, channels: 3, background } })
    .jpeg()
    .toBuffer();

/** Product n's image is n + 10 px wide, so each answer can be traced to its request. */
const widthFor = (prompt: string) => Number(/product (\d+)/.exec(prompt)![1]) + 10;

/** An answer per request, made from the request's own prompt, except two failures. */
async function answers() {
  const images = new Map<number, Buffer>();
  for (let n = 1; n <= 20; n++)
    images.set(
      n + 10,
      await sharp({ create: { width: n + 10, height: 8, channels: 3, background: "#fff" } })
        .png()
        .toBuffer(),
    );
  return (request: { key: string; request: Record<string, unknown> }): BatchAnswer => {
    if (request.key === "job-07") return { response: geminiAnswers.imageSafety().body };
    if (request.key === "job-13")
      return { error: { code: 400, message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" } };
    const prompt = (request.request.contents as { parts: { text?: string }[] }[])[0].parts.at(-1)!.text!;
    return { response: geminiAnswers.image(images.get(widthFor(prompt))!).body };
  };
}

async function twentyRequests(): Promise<BatchRequest[]> {
  const photos = await Promise.all(["#c33", "#3c3"].map(photo));
  return Array.from({ length: 20 }, (_, i) => ({
    key: `job-${String(i + 1).padStart(2, "0")}`,
    request: { prompt: `product ${i + 1} on pure white`, photos, ratio: "1:1", size: 2048 },
  }));
}

describe("the Gemini Batch API client against a fake that speaks the SDK's wire format", () => {
  it.each([
    ["inline requests", undefined],
    ["a JSONL file (a batch too large to send inline)", 1_000],
  ])("maps 20 answers back to their keys through %s, with 2 failures classified like interactive calls", async (_how, inlineLimitBytes) => {
    const fake = await startGeminiBatchFake(await answers());
    close = fake.close;
    const client = createGeminiBatchClient({ apiKey: "test-key", model: "gemini-3-pro-image", baseUrl: fake.url }, { inlineLimitBytes });

    const submitted = await client.submit(await twentyRequests(), { displayName: "shop-a-batch-1" });
    expect(submitted).toMatchObject({ state: "pending", done: false });
    expect(submitted.name).toMatch(/^batches\//);
    fake.start(submitted.name);
    expect(await client.get(submitted.name)).toMatchObject({ state: "running", done: false });
    await fake.finish(submitted.name);
    expect(await client.get(submitted.name)).toMatchObject({ state: "succeeded", done: true });

    const results = await client.results(submitted.name);

    expect(results.map((r) => r.key).sort()).toEqual((await twentyRequests()).map((r) => r.key));
    const failed = results.filter((r) => "error" in r).sort((a, b) => a.key.localeCompare(b.key));
    expect(failed.map((r) => [r.key, (r as { error: StudioError }).error.code])).toEqual([
      ["job-07", "SAFETY_BLOCKED"],
      ["job-13", "PROVIDER_BAD_REQUEST"],
    ]);
    expect(failed.map((r) => r.key).sort()).toEqual(["job-07", "job-13"]);
    // Each image is the one made for its own request, whatever order Google answered in.
    for (const result of results) {
      if (!("answer" in result)) continue;
      expect((await sharp(result.answer.image).metadata()).width, result.key).toBe(Number(result.key.slice(4)) + 10);
    }
    const batch = fake.batches.get(submitted.name.replace("batches/", ""))!;
    expect(batch.requests.map((r) => r.key)).toEqual((await twentyRequests()).map((r) => r.key));
    const sent = batch.requests[2].request as {
      contents: { parts: { text?: string; inlineData?: unknown }[] }[];
      generationConfig: unknown;
    };
    expect(sent.contents[0].parts.at(-1)!.text).toBe("product 3 on pure white");
    expect(sent.contents[0].parts.filter((p) => p.inlineData)).toHaveLength(2);
    expect(sent.generationConfig).toEqual({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "1:1", imageSize: "2K" } });
    const create = fake.requests.find((r) => r.url.endsWith(":batchGenerateContent"))!;
    expect(create.url).toMatch(/^\/v1(beta)?\/models\/gemini-3-pro-image:batchGenerateContent$/);
    expect(fake.requests.some((r) => r.url.startsWith("/upload/"))).toBe(inlineLimitBytes !== undefined);
  });

  it("cancels a running batch at Google, which then answers nothing", async () => {
    const fake = await startGeminiBatchFake(await answers());
    close = fake.close;
    const client = createGeminiBatchClient({ apiKey: "test-key", model: "gemini-nano-banana-2.1", baseUrl: fake.url });
    const submitted = await client.submit(await twentyRequests(), { displayName: "shop-a-batch-2" });
    fake.start(submitted.name);

    await client.cancel(submitted.name);
    await fake.finish(submitted.name);

    expect(await client.get(submitted.name)).toMatchObject({ state: "cancelled", done: true });
    expect(await client.results(submitted.name)).toEqual([]);
    expect(fake.requests.filter((r) => r.method === "POST" && r.url.endsWith(`/${submitted.name}:cancel`))).toHaveLength(1);
  });

  it("lists the batches of this key with their states", async () => {
    const fake = await startGeminiBatchFake(await answers());
    close = fake.close;
    const client = createGeminiBatchClient({ apiKey: "test-key", model: "gemini-nano-banana-2.1", baseUrl: fake.url });
    const requests = (await twentyRequests()).slice(0, 2);
    const first = await client.submit(requests, { displayName: "one" });
    const second = await client.submit(requests, { displayName: "two" });
    await fake.finish(first.name);

    expect((await client.list()).map((b) => [b.name, b.state])).toEqual([
      [first.name, "succeeded"],
      [second.name, "pending"],
    ]);
  });

  it("refuses a retired model before creating a batch, naming GEMINI_MODEL", async () => {
    const fake = await startGeminiBatchFake(await answers());
    close = fake.close;
    const client = createGeminiBatchClient({ apiKey: "test-key", model: "gemini-3-pro-image-preview", baseUrl: fake.url });
    await expect(client.submit((await twentyRequests()).slice(0, 1), { displayName: "x" })).rejects.toMatchObject({
      code: "MODEL_NOT_FOUND",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("classifies a wrong key as a permanent provider error", async () => {
    const fake = await startGeminiBatchFake(await answers());
    close = fake.close;
    const client = createGeminiBatchClient({ apiKey: "wrong-key", model: "gemini-nano-banana-2.1", baseUrl: fake.url });
    await expect(client.get("batches/fake1")).rejects.toMatchObject({ code: "PROVIDER_BAD_REQUEST", transient: false });
  });

  it("waits a minute before the first poll and backs off to at most fifteen, with jitter", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 10].map((n) => pollDelayMs(n, mid))).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
    expect(pollDelayMs(0, () => 0)).toBe(45_000);
    expect(pollDelayMs(0, () => 1)).toBe(75_000);
  });
});
