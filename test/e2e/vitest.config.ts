import { defineConfig } from "vitest/config";

// Browser tests: the demo stack (built app, worker, emulator) driven by Debian's Chromium.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
  },
});
