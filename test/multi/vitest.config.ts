import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// The multi-process test: the built app as several web and worker processes, each in a working directory
// of its own, on PostgreSQL, S3 storage on loopback and one Redis (see multi-process.test.ts).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/multi/**/*.test.ts"],
    // About 2.5 minutes on two cores shared with other work; room for a machine three times as busy.
    testTimeout: 600_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
  },
});
