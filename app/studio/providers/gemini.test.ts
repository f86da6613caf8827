import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { geminiAnswers, startGeminiFake } from "../../../test/fakes/gemini-fake";
import { makeProductPhoto } from "../../../test/fakes/product-photo";
import { StudioError } from "../errors";
import { generate } from "../generate";
import { whiteOptionsSchema } from "../options";
import { createGeminiProvider } from "./gemini";

const FAST_RETRY = { attempts: 3, baseDelayMs: 5 };
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function startWith(answers: Parameters<typeof startGeminiFake>[0]) {
  const fake = await startGeminiFake(answers);
  close = fake.close;
  return { ...fake, provider: createGeminiProvider({ apiKey: "test-key", model: "gemini-2.5-flash-image", baseUrl: fake.url }, FAST_RETRY) };
}

const photo = () => sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } }).jpeg().toBuffer();

describe("the gemini provider against a fake Gemini API", () => {
  it("retries a 429 and returns the image of the next answer, with the SDK's real request on the wire", async () => {
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#fff" } }).png().toBuffer();
    const { provider, requests } = await startWith([geminiAnswers.rateLimited(), geminiAnswers.image(png)]);

    const answer = await provider.createImage({ prompt: "a packshot", photos: [await photo()], ratio: "4:5" });

    expect(answer.image.equals(png)).toBe(true);
    expect(answer.notes[0]).toMatch(/1290 prompt tokens/);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.url).toMatch(/models\/gemini-2\.5-flash-image:generateContent$/);
    expect(requests[1]!.headers["x-goog-api-key"]).toBe("test-key");
    const body = JSON.parse(requests[1]!.body.toString());
    expect(body.generationConfig).toMatchObject({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "4:5" } });
    expect(body.contents[0].parts[0].inlineData.mimeType).toBe("image/jpeg");
    expect(body.contents[0].parts[1].text).toBe("a packshot");
  });

  it("gives up after the bounded attempts and reports a transient error", async () => {
    const { provider, requests } = await startWith([geminiAnswers.unavailable()]);
    await expect(provider.createImage({ prompt: "p", photos: [await photo()], ratio: "1:1" })).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", transient: true });
    expect(requests).toHaveLength(3);
  });

  it.each([
    ["a blocked prompt", geminiAnswers.promptBlocked(), "SAFETY_BLOCKED", /safety filters/],
    ["an IMAGE_SAFETY finish", geminiAnswers.imageSafety(), "SAFETY_BLOCKED", /safety filters/],
    ["a text-only answer", geminiAnswers.textOnly(), "TEXT_ONLY", /text instead of an image/],
    ["a 400", geminiAnswers.badRequest(), "PROVIDER_BAD_REQUEST", /could not process/],
  ])("turns %s into a permanent error with a clear reason, without retrying", async (_name, answer, code, message) => {
    const { provider, requests } = await startWith([answer]);
    const error = await provider.createImage({ prompt: "p", photos: [await photo()], ratio: "1:1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect(error).toMatchObject({ code, transient: false });
    expect((error as StudioError).merchantMessage).toMatch(message);
    expect(requests).toHaveLength(1);
  });
});

describe("generate with gemini (fake API, real segmentation)", () => {
  it("repairs the model's off-white, off-centre answer to pure white and scores fidelity", async () => {
    const input = await makeProductPhoto({ width: 800, height: 600 });
    const aiAnswer = await sharp(await makeProductPhoto({ width: 1024, height: 1024, background: "rgb(254,254,253)", centre: [0.42, 0.45], scale: 0.5 })).png().toBuffer();
    const fake = await startGeminiFake([geminiAnswers.image(aiAnswer)]);
    close = fake.close;

    const result = await generate(
      { mode: "white", options: whiteOptionsSchema.parse({ size: 1000 }), photos: [input], product: { title: "Strawberry jam", vendor: "Acme" }, provider: "gemini" },
      { gemini: { apiKey: "k", model: "gemini-2.5-flash-image", baseUrl: fake.url }, retry: FAST_RETRY },
    );

    const [output] = result.outputs;
    expect(output).toMatchObject({ provider: "gemini", promptVersion: "white-v1", width: 1000, height: 1000 });
    expect(output!.prompt).toMatch(/Strawberry jam.*Pure white background/s);
    expect(output!.report).toMatchObject({ backgroundPurity: 1, centred: true, fidelityFlag: false });
    expect(output!.report.repaired).toEqual(expect.arrayContaining([expect.stringMatching(/pure white/)]));
    expect(output!.report.fidelity).toBeGreaterThan(0.8);
    expect(result.notes.some((n) => n.startsWith("gemini usage"))).toBe(true);
  });
});
