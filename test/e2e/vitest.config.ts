import { defineConfig } from "vitest/config";

// Browser tests: the demo stack (built app, worker, emulator) driven by Debian's Chromium.
// One file at a time. Each has a stack of its own (free ports, its own folder, database, queue prefix and
// emulator) and a browser of its own, so two at a time works, and took 166-216 s instead of 322 s; but
// at load 6 it failed 1 run in 5 (a page's button late past Playwright's 30 s) and it inflates the
// measured bulk timing, so CI keeps them apart. The app is built once, before them (global-setup.ts).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
  },
});
