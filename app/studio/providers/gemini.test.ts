import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { geminiAnswers, startGeminiFake } from "../../../test/fakes/gemini-fake";
import { makeProductPhoto } from "../../../test/fakes/product-photo";
import { providerCapabilities } from "../config";
import { StudioError } from "../errors";
import { generate } from "../generate";
import { MODELS } from "../models";
import { whiteOptionsSchema } from "../options";
import { choosePhotos } from "../select";
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
  return {
    ...fake,
    provider: createGeminiProvider({ apiKey: "test-key", model: "gemini-2.5-flash-image", baseUrl: fake.url }, FAST_RETRY),
  };
}

const photo = () =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } })
    .jpeg()
    .toBuffer();

describe("the gemini provider against a fake Gemini API", () => {
  it("retries a 429 and returns the image of the next answer, with the SDK's real request on the wire", async () => {
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const { provider, requests } = await startWith([geminiAnswers.rateLimited(), geminiAnswers.image(png)]);

    const answer = await provider.createImage({ prompt: "a packshot", photos: [await photo()], ratio: "4:5", size: 1000 });

    expect(answer.image.equals(png)).toBe(true);
    expect(answer.notes).toContainEqual(expect.stringMatching(/1290 prompt tokens/));
    expect(answer.notes).toContainEqual("gemini-2.5-flash-image is deprecated (shutdown 2026-10-02); switch to gemini-nano-banana-2.1");
    expect(requests).toHaveLength(2);
    expect(requests[1].url).toMatch(/models\/gemini-2\.5-flash-image:generateContent$/);
    expect(requests[1].headers["x-goog-api-key"]).toBe("test-key");
    const body = JSON.parse(requests[1].body.toString());
    // gemini-2.5-flash-image renders about 1K whatever is asked and rejects imageSize: none is sent.
    expect(body.generationConfig).toEqual({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "4:5" } });
    expect(body.contents[0].parts[0].inlineData.mimeType).toBe("image/jpeg");
    expect(body.contents[0].parts[1].text).toBe("a packshot");
  });

  it("gives up after the bounded attempts and reports a transient error", async () => {
    const { provider, requests } = await startWith([geminiAnswers.unavailable()]);
    await expect(provider.createImage({ prompt: "p", photos: [await photo()], ratio: "1:1", size: 2048 })).rejects.toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      transient: true,
    });
    expect(requests).toHaveLength(3);
  });

  it.each([
    ["a blocked prompt", geminiAnswers.promptBlocked(), "SAFETY_BLOCKED", /safety filters/],
    ["an IMAGE_SAFETY finish", geminiAnswers.imageSafety(), "SAFETY_BLOCKED", /safety filters/],
    ["a text-only answer", geminiAnswers.textOnly(), "TEXT_ONLY", /text instead of an image/],
    ["a 400", geminiAnswers.badRequest(), "PROVIDER_BAD_REQUEST", /could not process/],
  ])("turns %s into a permanent error with a clear reason, without retrying", async (_name, answer, code, message) => {
    const { provider, requests } = await startWith([answer]);
    const error = await provider.createImage({ prompt: "p", photos: [await photo()], ratio: "1:1", size: 2048 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect(error).toMatchObject({ code, transient: false });
    expect((error as StudioError).merchantMessage).toMatch(message);
    expect(requests).toHaveLength(1);
  });
});

const photoOf = (background: string, width = 64) =>
  sharp({ create: { width, height: 48, channels: 3, background } })
    .jpeg()
    .toBuffer();

describe.each(MODELS.filter((m) => m.lifecycle.stage !== "retired").map((m) => [m.id, m] as const))("the registry entry %s", (id, spec) => {
  it.each([1000, 2048, 4096])(
    "asks for the native size nearest %i px and sends at most the model's references of 5 chosen photos",
    async (side) => {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      const fake = await startGeminiFake([geminiAnswers.image(png)]);
      close = fake.close;
      const config = { gemini: { apiKey: "k", model: id, baseUrl: fake.url } };
      const chosen = await Promise.all(["#c33", "#3c3", "#33c", "#cc3", "#3cc"].map((c, i) => photoOf(c, 64 + i * 8)));
      const used = await choosePhotos(chosen, providerCapabilities("gemini", config).maxInputImages);

      const answer = await createGeminiProvider(config.gemini, FAST_RETRY).createImage({
        prompt: "p",
        photos: used.map((i) => chosen[i]),
        ratio: "1:1",
        size: side,
      });

      const body = JSON.parse(fake.requests[0].body.toString());
      expect(fake.requests[0].url).toContain(`models/${id}:generateContent`);
      const images = body.contents[0].parts.filter((part: { inlineData?: unknown }) => part.inlineData);
      expect(images).toHaveLength(Math.min(spec.maxReferenceImages, 5));
      const expectedSize = !spec.takesImageSize ? undefined : side === 1000 ? "1K" : side === 2048 ? "2K" : "4K";
      expect(body.generationConfig.imageConfig.imageSize).toBe(expectedSize);
      expect(answer.notes[0]).toContain(`${id} asked for ${expectedSize ?? "its fixed size"}`);
    },
  );
});

describe("a model id Google does not serve", () => {
  it("fails a retired registry model at once, naming GEMINI_MODEL and its replacement, without spending a request", async () => {
    const { requests, url } = await startWith([geminiAnswers.modelNotFound("gemini-3-pro-image-preview")]);
    const provider = createGeminiProvider({ apiKey: "k", model: "gemini-3-pro-image-preview", baseUrl: url }, FAST_RETRY);
    const error = (await provider
      .createImage({ prompt: "p", photos: [await photo()], ratio: "1:1", size: 2048 })
      .catch((e: unknown) => e)) as StudioError;
    expect(error).toMatchObject({ code: "MODEL_NOT_FOUND", transient: false });
    expect(error.merchantMessage).toBe(
      'Gemini no longer offers the image model "gemini-3-pro-image-preview" (it is retired or unknown). Set GEMINI_MODEL to a current model, for example gemini-3-pro-image, then retry.',
    );
    expect(requests).toHaveLength(0);
  });

  it("turns the API's 404 NOT_FOUND for an unknown id into a permanent error naming GEMINI_MODEL, without retrying", async () => {
    const fake = await startGeminiFake([geminiAnswers.modelNotFound("gemini-9-imaginary")]);
    close = fake.close;
    const provider = createGeminiProvider({ apiKey: "k", model: "gemini-9-imaginary", baseUrl: fake.url }, FAST_RETRY);
    const error = (await provider
      .createImage({ prompt: "p", photos: [await photo()], ratio: "1:1", size: 2048 })
      .catch((e: unknown) => e)) as StudioError;
    expect(error).toMatchObject({ code: "MODEL_NOT_FOUND", transient: false });
    expect(error.merchantMessage).toMatch(
      /"gemini-9-imaginary" \(it is retired or unknown\)\. Set GEMINI_MODEL to a current model, for example gemini-nano-banana-2\.1/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("works with an unknown id on conservative capabilities and says so in the notes", async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const fake = await startGeminiFake([geminiAnswers.image(png)]);
    close = fake.close;
    const config = { gemini: { apiKey: "k", model: "gemini-9-imaginary", baseUrl: fake.url } };
    expect(providerCapabilities("gemini", config)).toMatchObject({ maxInputImages: 3, sizes: [1024], canChangeViewpoint: false });

    const answer = await createGeminiProvider(config.gemini, FAST_RETRY).createImage({
      prompt: "p",
      photos: [await photo()],
      ratio: "1:1",
      size: 4096,
    });

    expect(JSON.parse(fake.requests[0].body.toString()).generationConfig.imageConfig).toEqual({ aspectRatio: "1:1" });
    expect(answer.notes).toContainEqual(
      expect.stringMatching(/gemini-9-imaginary is not in the app's registry: assumed 3 reference photos/),
    );
  });
});

describe("generate with gemini (fake API, real segmentation)", () => {
  it("repairs the model's off-white, off-centre answer to pure white and scores fidelity", async () => {
    const input = await makeProductPhoto({ width: 800, height: 600 });
    const aiAnswer = await sharp(
      await makeProductPhoto({ width: 1024, height: 1024, background: "rgb(254,254,253)", centre: [0.42, 0.45], scale: 0.5 }),
    )
      .png()
      .toBuffer();
    const fake = await startGeminiFake([geminiAnswers.image(aiAnswer)]);
    close = fake.close;

    const result = await generate(
      {
        mode: "white",
        options: whiteOptionsSchema.parse({ size: 1000 }),
        photos: [input],
        product: { title: "Strawberry jam", vendor: "Acme" },
        provider: "gemini",
      },
      { gemini: { apiKey: "k", model: "gemini-2.5-flash-image", baseUrl: fake.url }, retry: FAST_RETRY },
    );

    const [output] = result.outputs;
    expect(output).toMatchObject({ provider: "gemini", promptVersion: "white-v1", width: 1000, height: 1000 });
    expect(output.prompt).toMatch(/Strawberry jam.*Pure white background/s);
    expect(output.report).toMatchObject({ backgroundPurity: 1, centred: true, fidelityFlag: false });
    expect(output.report.repaired).toEqual(expect.arrayContaining([expect.stringMatching(/pure white/)]));
    expect(output.report.fidelity).toBeGreaterThan(0.8);
    expect(result.notes.some((n) => n.startsWith("gemini usage"))).toBe(true);
  });

  it("sends all five chosen photos to a model that takes fourteen references, and says which were used", async () => {
    const photos = await Promise.all([800, 900, 1000, 1100, 1200].map((width) => makeProductPhoto({ width, height: 600 })));
    const aiAnswer = await sharp(await makeProductPhoto({ width: 1024, height: 1024, background: "#fff" }))
      .png()
      .toBuffer();
    const fake = await startGeminiFake([geminiAnswers.image(aiAnswer)]);
    close = fake.close;

    const result = await generate(
      {
        mode: "white",
        options: whiteOptionsSchema.parse({ size: 2048 }),
        photos,
        product: { title: "Strawberry jam" },
        provider: "gemini",
      },
      { gemini: { apiKey: "k", model: "gemini-3-pro-image", baseUrl: fake.url }, retry: FAST_RETRY },
    );

    expect([...result.usedPhotos].sort()).toEqual([0, 1, 2, 3, 4]);
    const body = JSON.parse(fake.requests[0].body.toString());
    expect(body.contents[0].parts.filter((part: { inlineData?: unknown }) => part.inlineData)).toHaveLength(5);
    expect(body.generationConfig.imageConfig).toEqual({ aspectRatio: "1:1", imageSize: "2K" });
    expect(result.notes).toContain("gemini-3-pro-image asked for 2K to deliver 2048 px");
  });
});
