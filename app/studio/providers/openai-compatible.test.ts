import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { openAiAnswers, startOpenAiFake } from "../../../test/fakes/openai-fake";
import { createOpenAiCompatibleProvider } from "./openai-compatible";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("the openai-compatible provider against a fake images endpoint", () => {
  it("posts the photos as multipart image[] to /v1/images/edits, retries a 429 and decodes b64_json", async () => {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const fake = await startOpenAiFake([openAiAnswers.rateLimited(), openAiAnswers.image(png)]);
    close = fake.close;
    const provider = createOpenAiCompatibleProvider(
      { baseUrl: `${fake.url}/v1`, apiKey: "sk-test", model: "nano-banana" },
      { attempts: 3, baseDelayMs: 5 },
    );
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#36c" } })
      .jpeg()
      .toBuffer();

    const answer = await provider.createImage({ prompt: "lifestyle shot", photos: [photo, photo], ratio: "3:4", size: 2048 });

    expect(answer.image.equals(png)).toBe(true);
    expect(fake.requests).toHaveLength(2);
    const request = fake.requests[1];
    expect(request.url).toBe("/v1/images/edits");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data/);
    const body = request.body.toString("latin1");
    expect(body.match(/name="image\[\]"/g)).toHaveLength(2);
    expect(body).toMatch(/name="model"\r\n\r\nnano-banana/);
    expect(body).toMatch(/name="size"\r\n\r\n1024x1536/);
  });

  it("turns a 400 into a permanent error without retrying", async () => {
    const fake = await startOpenAiFake([openAiAnswers.badRequest()]);
    close = fake.close;
    const provider = createOpenAiCompatibleProvider(
      { baseUrl: `${fake.url}/v1`, apiKey: "sk-test", model: "nano-banana" },
      { attempts: 3, baseDelayMs: 5 },
    );
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#36c" } })
      .jpeg()
      .toBuffer();
    await expect(provider.createImage({ prompt: "p", photos: [photo], ratio: "1:1", size: 2048 })).rejects.toMatchObject({
      code: "PROVIDER_BAD_REQUEST",
      transient: false,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("turns the gateway's 404 model_not_found into a permanent error naming NANO_BANANA_MODEL, without retrying", async () => {
    const fake = await startOpenAiFake([openAiAnswers.modelNotFound("nano-banana-0")]);
    close = fake.close;
    const provider = createOpenAiCompatibleProvider(
      { baseUrl: `${fake.url}/v1`, apiKey: "sk-test", model: "nano-banana-0" },
      { attempts: 3, baseDelayMs: 5 },
    );
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#36c" } })
      .jpeg()
      .toBuffer();
    const error = await provider.createImage({ prompt: "p", photos: [photo], ratio: "1:1", size: 2048 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MODEL_NOT_FOUND", transient: false });
    expect((error as { merchantMessage: string }).merchantMessage).toMatch(
      /"nano-banana-0" \(it is retired or unknown\)\. Set NANO_BANANA_MODEL to a current model/,
    );
    expect(fake.requests).toHaveLength(1);
  });
});
