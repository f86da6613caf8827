// The engine as it was before issue 12 (the library's removeBackground path and its cleanup), taken
// from git, so the bench and the synthetic evaluation measure the old path beside the new one in the
// same run rather than quoting old figures.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { generate } from "../app/studio/generate";
import type { WhiteOptions } from "../app/studio/options";

/** The last commit of app/studio before issue 12. */
export const BASELINE_COMMIT = "1bd949be676be7dc3b4173f1252139c59eb0ab05";

const ROOT = path.resolve(import.meta.dirname, "..");

interface BaselineEngine {
  generate: typeof generate;
  /** Old signature: (photo, outputSize) → { image, cutout }. */
  prepareProduct: (
    photo: Buffer,
    outputSize?: number,
  ) => Promise<{
    image: { width: number; height: number };
    cutout: { rgba: { data: Buffer; width: number; height: number }; box: { left: number; top: number; width: number; height: number } };
  }>;
  loadInputImage: (data: Buffer) => Promise<{ data: Buffer }>;
  composeWhite: (cutout: never, options: WhiteOptions) => Promise<{ data: Buffer }>;
}

/** Extracts the baseline engine into node_modules/.cache (inside the repo, so its imports resolve) and loads it. */
export async function loadBaselineEngine(): Promise<BaselineEngine> {
  // Inside the repo's node_modules, so the old code's imports resolve to the same packages.
  const dir = path.join(ROOT, "node_modules/.cache/studio-baseline", BASELINE_COMMIT.slice(0, 12));
  if (!existsSync(path.join(dir, "app/studio/generate.ts"))) {
    mkdirSync(dir, { recursive: true });
    try {
      const archive = execFileSync("git", ["-C", ROOT, "archive", BASELINE_COMMIT, "app/studio"], { maxBuffer: 64 * 1024 * 1024 });
      execFileSync("tar", ["-x", "-C", dir], { input: archive });
    } catch (error) {
      throw new Error(
        `The baseline engine (commit ${BASELINE_COMMIT}) could not be read from git: run this from a clone with its history. ${(error as Error).message}`,
      );
    }
  }
  const generate = await import(path.join(dir, "app/studio/generate.ts"));
  const product = await import(path.join(dir, "app/studio/product.ts"));
  const input = await import(path.join(dir, "app/studio/input.ts"));
  const white = await import(path.join(dir, "app/studio/white.ts"));
  return {
    generate: generate.generate,
    prepareProduct: product.prepareProduct,
    loadInputImage: input.loadInputImage,
    composeWhite: white.composeWhite,
  };
}
