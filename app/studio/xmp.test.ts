import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { geminiAnswers, startGeminiFake } from "../../test/fakes/gemini-fake";
import { openAiAnswers, startOpenAiFake } from "../../test/fakes/openai-fake";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import { encodeImage } from "./image";
import { generate } from "./generate";
import { lifestyleOptionsSchema, whiteOptionsSchema, type OutputFormat, type ProviderName } from "./options";
import type { StudioRequest } from "./types";
import { DIGITAL_SOURCE_TYPE, withXmp, xmpPacket } from "./xmp";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "xmp-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Reads the label with exiftool, a reader independent of the code that wrote it. */
async function readDigitalSourceType(file: Buffer, ext: string): Promise<string | undefined> {
  const target = path.join(dir, `${Math.random().toString(36).slice(2)}.${ext}`);
  await writeFile(target, file);
  const { stdout } = await run("exiftool", ["-j", "-n", "-XMP-iptcExt:DigitalSourceType", "-Warning", target]).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT")
        throw new Error(
          "exiftool is not installed: `npm test` installs Debian's libimage-exiftool-perl (apt-get install libimage-exiftool-perl)",
        );
      throw error;
    },
  );
  const [tags] = JSON.parse(stdout) as { DigitalSourceType?: string; Warning?: string }[];
  expect(tags.Warning, "exiftool found the file damaged").toBeUndefined();
  return tags.DigitalSourceType;
}

const EXT: Record<OutputFormat, string> = { jpeg: "jpg", png: "png", webp: "webp" };

describe("the XMP label written into the encoded file", () => {
  it.each([
    ["jpeg", "white"],
    ["png", "white"],
    ["webp", "white"],
    ["webp", "photo"],
  ] as const)("is read back by exiftool from %s (%s encoding), and the pixels stay exactly as encoded", async (format, purpose) => {
    const raw = await sharp({ create: { width: 97, height: 61, channels: 3, background: "#fff" } })
      .composite([
        {
          input: await sharp({ create: { width: 40, height: 30, channels: 3, background: "#c33" } })
            .png()
            .toBuffer(),
          left: 20,
          top: 10,
        },
      ])
      .raw()
      .toBuffer({ resolveWithObject: true });
    const encoded = await encodeImage({ data: raw.data, width: 97, height: 61, channels: 3 }, format, purpose);

    const labelled = withXmp(encoded, format, xmpPacket(DIGITAL_SOURCE_TYPE.generative), { width: 97, height: 61 });

    expect(await readDigitalSourceType(labelled, EXT[format])).toBe(DIGITAL_SOURCE_TYPE.generative);
    const [before, after] = await Promise.all([encoded, labelled].map((file) => sharp(file).raw().toBuffer()));
    expect(after.equals(before)).toBe(true);
    expect((await sharp(labelled).metadata()).xmp?.toString()).toContain("trainedAlgorithmicMedia");
  });
});

describe("every provider's output carries its IPTC DigitalSourceType", () => {
  const photo = () => makeProductPhoto({ width: 800, height: 600 });
  const aiAnswer = async () =>
    sharp(await makeProductPhoto({ width: 1024, height: 1024, background: "#fff" }))
      .png()
      .toBuffer();

  async function outputsOf(provider: ProviderName, mode: "white" | "lifestyle", format: OutputFormat) {
    const options =
      mode === "white" ? whiteOptionsSchema.parse({ size: 1000, format }) : lifestyleOptionsSchema.parse({ size: 1000, count: 2, format });
    const request: StudioRequest = { mode, options, photos: [await photo()], product: { title: "Strawberry jam" }, provider };
    if (provider === "local") return (await generate(request, {})).outputs;
    if (provider === "gemini") {
      const fake = await startGeminiFake([geminiAnswers.image(await aiAnswer())]);
      try {
        return (await generate(request, { gemini: { apiKey: "k", model: "gemini-nano-banana-2.1", baseUrl: fake.url } })).outputs;
      } finally {
        await fake.close();
      }
    }
    const fake = await startOpenAiFake([openAiAnswers.image(await aiAnswer())]);
    try {
      return (await generate(request, { openaiCompatible: { baseUrl: `${fake.url}/v1`, apiKey: "sk", model: "nano-banana-2.1" } })).outputs;
    } finally {
      await fake.close();
    }
  }

  it.each([
    ["local", "white", "jpeg", DIGITAL_SOURCE_TYPE.composite],
    ["local", "lifestyle", "webp", DIGITAL_SOURCE_TYPE.composite],
    ["gemini", "white", "png", DIGITAL_SOURCE_TYPE.generative],
    ["openai-compatible", "white", "webp", DIGITAL_SOURCE_TYPE.generative],
  ] as const)("%s %s (%s) is labelled %s", async (provider, mode, format, expected) => {
    const outputs = await outputsOf(provider, mode, format);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(await readDigitalSourceType(output.data, EXT[format])).toBe(expected);
      expect(output.report.bytes).toBe(output.data.length);
    }
  });
});
