import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { makeProductPhoto } from "../test/fakes/product-photo";

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("npm run studio (scripts/studio.ts)", () => {
  it("writes each output and a report.json with the checker's figures, the subject and the time per output", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "studio-cli-"));
    dirs.push(dir);
    const photo = path.join(dir, "jam.jpg");
    await writeFile(photo, await makeProductPhoto({ width: 900, height: 700 }));

    await run(
      process.execPath,
      [
        path.resolve("node_modules/tsx/dist/cli.mjs"),
        "scripts/studio.ts",
        "white",
        "--size",
        "1000",
        "--title",
        "Strawberry jam",
        "--out",
        dir,
        photo,
      ],
      { timeout: 170_000 },
    );

    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
    expect(report).toMatchObject({ mode: "white", provider: "local" });
    const [output] = report.outputs;
    expect(output).toMatchObject({
      width: 1000,
      height: 1000,
      backgroundPurity: 1,
      borderPurity: 1,
      subjectTouchesEdge: false,
      keptObjects: 1,
    });
    expect(output.fillRatio).toBeGreaterThan(0.84);
    expect(output.fillRatio).toBeLessThan(0.86);
    expect(output.ms).toBeGreaterThan(0);
    // The jar is 420 px tall in a 900 px photo: too small for zoom, and the report says so.
    expect(output.holdReasons).toEqual(["low-resolution"]);
    expect((await readFile(output.path)).length).toBe(output.bytes);
    // A new process loads the model: slow on a busy machine.
  }, 180_000);
});
