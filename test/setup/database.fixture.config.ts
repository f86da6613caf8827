import path from "node:path";
import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Runs test/setup/database.fixture.ts with the database setup file, for test/setup/database.test.ts.
export default defineConfig({
  root: path.resolve(import.meta.dirname, "../.."),
  plugins: [tsconfigPaths()],
  test: {
    environment: "node",
    include: ["test/setup/database.fixture.ts"],
    pool: "forks",
    setupFiles: ["test/setup/console.ts", "test/setup/database.ts"],
  },
});
