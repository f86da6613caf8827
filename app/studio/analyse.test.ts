import { GoogleAuth } from "google-gax";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { geminiAnswers, startGeminiFake } from "../../test/fakes/gemini-fake";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import { startVisionFake, visionAnswers, type VisionAnswer } from "../../test/fakes/vision-fake";
import { analyseImage } from "./analyse";
import type { StudioConfig } from "./config";
import { generate } from "./generate";
import { whiteOptionsSchema } from "./options";

const SCENE = {
  labels: [
    { description: "Jam", score: 0.93 },
    { description: "Fruit preserve", score: 0.88 },
    { description: "Mason jar", score: 0.81 },
  ],
  objects: [{ name: "Jar", score: 0.9, box: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] }],
  colours: [
    { rgb: [192, 57, 43] as [number, number, number], score: 0.61, pixelFraction: 0.22 },
    { rgb: [216, 207, 192] as [number, number, number], score: 0.2, pixelFraction: 0.7 },
  ],
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

// A real google-auth-library client (the SDK's own copy, through google-gax) holding a token that
// never needs refreshing: no network for auth.
function testAuthClient() {
  const client = new GoogleAuth().fromJSON({
    type: "authorized_user",
    client_id: "test-client",
    client_secret: "test-secret",
    refresh_token: "test-refresh",
  });
  client.setCredentials({ access_token: "vision-test-token", expiry_date: Date.now() + 3_600_000 });
  return client;
}

async function startFakes(visionAnswerList: VisionAnswer[]) {
  const vision = await startVisionFake(visionAnswerList);
  closers.push(vision.close);
  const packshot = await sharp(await makeProductPhoto({ width: 600, height: 600, background: "#fdfdfc" }))
    .png()
    .toBuffer();
  const gemini = await startGeminiFake([geminiAnswers.image(packshot)]);
  closers.push(gemini.close);
  const config: StudioConfig = {
    vision: { ...vision.endpoint, authClient: testAuthClient() },
    gemini: { apiKey: "test-key", model: "gemini-2.5-flash-image", baseUrl: gemini.url },
  };
  return { vision, gemini, config };
}

const whiteJob = async (config: StudioConfig) =>
  generate(
    {
      mode: "white",
      options: whiteOptionsSchema.parse({ size: 1000, format: "png" }),
      photos: [await makeProductPhoto({ width: 640, height: 480 })],
      product: { title: "Strawberry jam" },
      provider: "gemini",
    },
    config,
  );

describe("image analysis with Cloud Vision (the real SDK against a local fake)", () => {
  it("sends one REST annotate request and puts Vision's labels, objects and colours into the prompt", async () => {
    const { vision, gemini, config } = await startFakes([visionAnswers.scene(SCENE)]);

    const result = await whiteJob(config);

    // THEN the SDK spoke the fallback REST wire format, with the auth client's token
    expect(vision.requests).toHaveLength(1);
    const [request] = vision.requests;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/v1/images:annotate?$alt=json%3Benum-encoding=int");
    expect(request.headers.authorization).toBe("Bearer vision-test-token");
    const body = JSON.parse(request.body.toString());
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0].features).toEqual([{ type: 4, maxResults: 8 }, { type: 19, maxResults: 5 }, { type: 7 }]);
    expect(Buffer.from(body.requests[0].image.content, "base64").subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    // AND what Vision saw reached the prompt stored with the output and sent to Gemini
    const prompt = result.outputs[0].prompt!;
    expect(prompt).toContain("seen in the photo: Jar, Jam, Fruit preserve, Mason jar");
    expect(prompt).toContain("main colours #c0392b, #d8cfc0");
    expect(JSON.parse(gemini.requests[0].body.toString()).contents[0].parts.at(-1).text).toBe(prompt);
    expect(result.notes.join(" ")).not.toMatch(/Vision/);
  }, 120_000);

  it("falls back to the local analysis with a note, and still makes the image, when Vision refuses the call", async () => {
    const { vision, config } = await startFakes([visionAnswers.permissionDenied()]);

    const result = await whiteJob(config);

    expect(vision.requests).toHaveLength(1);
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0].report.backgroundPurity).toBe(1);
    expect(result.outputs[0].prompt).not.toContain("seen in the photo");
    expect(result.notes).toContainEqual(expect.stringMatching(/^Cloud Vision unavailable \(code 7: .*disabled.*\); local analysis used$/));
  }, 120_000);

  it("treats a per-image error inside a 200 answer as unavailable too", async () => {
    const vision = await startVisionFake([visionAnswers.imageError()]);
    closers.push(vision.close);
    const photo = await makeProductPhoto({ width: 200, height: 150 });

    const analysis = await analyseImage(photo, { vision: { ...vision.endpoint, authClient: testAuthClient() } });

    expect(analysis).toMatchObject({
      source: "local",
      labels: [],
      note: "Cloud Vision could not analyse the photo (Bad image data.); local analysis used",
    });
    expect(analysis.colours.length).toBeGreaterThan(0);
  });

  it("gives up quickly on an unavailable Vision instead of retrying for minutes", async () => {
    const vision = await startVisionFake([visionAnswers.unavailable()]);
    closers.push(vision.close);
    const started = Date.now();

    const analysis = await analyseImage(await makeProductPhoto({ width: 200, height: 150 }), {
      vision: { ...vision.endpoint, authClient: testAuthClient() },
    });

    expect(analysis.source).toBe("local");
    expect(analysis.note).toMatch(/^Cloud Vision unavailable/);
    expect(vision.requests.length).toBeLessThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
