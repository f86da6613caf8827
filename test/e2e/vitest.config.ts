import { defineConfig } from "vitest/config";

// Browser tests: the demo stack (built app, worker, emulator) driven by Debian's Chromium.
// Two files at a time: each starts a stack of its own (free ports, its own folder, database, queue
// prefix and emulator) and a browser of its own, and spends most of its time waiting on the worker.
// The app is built once, before them (global-setup.ts).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
  },
});
