import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { geminiAnswers, startGeminiFake } from "../test/fakes/gemini-fake";
import { makeProductPhoto } from "../test/fakes/product-photo";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "studio-cost-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the studio CLI with the gemini provider", () => {
  it("prints the cost per image from the model registry, against the fake Gemini API", async () => {
    const fake = await startGeminiFake([
      geminiAnswers.image(
        await sharp(await makeProductPhoto({ width: 1024, height: 1024, background: "#fff" }))
          .png()
          .toBuffer(),
      ),
    ]);
    try {
      const photo = path.join(dir, "jam.jpg");
      await writeFile(photo, await makeProductPhoto({ width: 800, height: 600 }));
      const env = { ...process.env, GEMINI_API_KEY: "test-key", GEMINI_API_BASE_URL: fake.url, GEMINI_MODEL: "gemini-3-pro-image" };

      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", "scripts/studio.ts", "white", "--provider", "gemini", "--size", "4096", "--out", path.join(dir, "out"), photo],
        { env, cwd: path.resolve(__dirname, "..") },
      );

      expect(stdout).toContain("cost: $0.2400 per image (gemini-3-pro-image, estimated from the model registry)");
      expect(stdout).toContain("note: gemini-3-pro-image asked for 4K to deliver 4096 px");
      expect(JSON.parse(fake.requests[0].body.toString()).generationConfig.imageConfig.imageSize).toBe("4K");
    } finally {
      await fake.close();
    }
  }, 120_000);
});
