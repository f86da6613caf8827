// ESLint for the whole repository: `npm run lint`. Formatting is Prettier's (`npm run format`), so
// eslint-config-prettier comes last and switches off every rule that would fight it.
import js from "@eslint/js";
import vitest from "@vitest/eslint-plugin";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      ".tools/",
      ".cache/",
      ".shopify/",
      "build/",
      "public/",
      "docs/",
      "storage/",
      "test-results/",
      "app/generated/",
      "app/types/*.d.ts", // `npm run graphql-codegen`
      "extensions/types/*.d.ts",
      "extensions/*/dist/",
      "extensions/*/shopify.d.ts", // written by `shopify app build`
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  js.configs.recommended,
  {
    rules: {
      eqeqeq: ["error", "smart"],
      "no-throw-literal": "off", // @typescript-eslint/only-throw-error below, which knows Remix throws Responses
    },
  },

  // TypeScript, with the type-aware rules that find real defects here: promises nobody awaits or catches (a
  // rejected `void` promise kills the worker), exhaustive switches over job states, needless assertions.
  {
    files: ["**/*.{ts,tsx}"],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: false }],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/only-throw-error": [
        "error",
        {
          allow: [
            { from: "lib", name: "Response" },
            { from: "package", package: "@remix-run/server-runtime", name: "TypedResponse" },
          ],
        },
      ],
      // As only-throw-error: rejecting with a value of unknown type (a caught error, an abort reason) passes it on.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      "@typescript-eslint/no-base-to-string": "error",
      "@typescript-eslint/restrict-plus-operands": "error",
      // `import type { A }` when every name is a type (the import then leaves no trace in the bundle), else `import { type A, b }`.
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },

  {
    plugins: { "import-x": importX },
    // Resolves `~/` and extension-less paths as TypeScript does.
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver()] },
    rules: {
      "import-x/first": "error",
      "import-x/no-duplicates": ["error", { "prefer-inline": true }],
      "import-x/newline-after-import": "error",
      "import-x/no-self-import": "error",
    },
  },

  // Where code runs: the server, the worker, scripts and tests on Node; pages, the demo stand-ins and the
  // extensions in a browser.
  {
    files: ["**/*.{js,mjs,ts,tsx}"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["app/routes/**/*.tsx", "app/components/**/*.tsx", "app/root.tsx", "app/demo/**", "extensions/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Plain browser scripts the demo serves as they are.
    files: ["app/demo/*.js"],
    languageOptions: { sourceType: "script" },
  },

  // React: the pages (Polaris) and the extensions (Preact, whose hooks follow the same rules).
  {
    files: ["**/*.tsx"],
    extends: [react.configs.flat.recommended, react.configs.flat["jsx-runtime"], reactHooks.configs.flat.recommended],
    settings: { react: { version: "18.3" } },
    rules: {
      "react/prop-types": "off", // TypeScript checks props
    },
  },
  {
    files: ["app/routes/**/*.tsx", "app/components/**/*.tsx", "app/root.tsx", "extensions/**/*.tsx"],
    extends: [jsxA11y.flatConfigs.recommended],
  },

  // Only one way to read the environment: validated once (app/infra/env.server.ts, the engine's own schema
  // in app/studio/config.ts). Two small readings sit outside it on purpose, because scripts and benches
  // use them without the Shopify app's settings: the database URL (app/infra/database-url.ts) and the
  // emulator switch of the Admin API layer (app/shopify/endpoint.server.ts, read when called).
  {
    files: ["app/**/*.{ts,tsx}", "worker/**/*.ts"],
    // The logger reads LOG_LEVEL and LOG_FORMAT itself: it must work before (and when) the environment fails validation.
    // The web server (app/server.ts) reads PORT, HOST and NODE_ENV as remix-serve did, outside the build.
    ignores: [
      "app/server.ts",
      "app/infra/env.server.ts",
      "app/infra/logger.server.ts",
      "app/studio/config.ts",
      "app/infra/database-url.ts",
      "app/shopify/endpoint.server.ts",
      "**/*.test.{ts,tsx}",
    ],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read the environment through app/infra/env.server.ts (the engine: app/studio/config.ts).",
        },
      ],
    },
  },

  // The engine has no framework in it, so the web app and the worker can both use it.
  {
    files: ["app/studio/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["~/*", "@remix-run/*", "@shopify/*", "react", "react-dom", "bullmq", "ioredis", "@prisma/*"],
              message: "app/studio is the engine: no Remix, Shopify, queue or database in it.",
            },
          ],
        },
      ],
      "import-x/no-restricted-paths": [
        "error",
        { zones: [{ target: "./app/studio", from: "./app", except: ["./studio"], message: "app/studio imports only from itself." }] },
      ],
    },
  },
  // The extensions are bundled on their own by Shopify's CLI: nothing from the app can come with them.
  {
    files: ["extensions/**"],
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: [{ target: "./extensions", from: "./app" }] }],
    },
  },

  {
    files: ["**/*.test.{ts,tsx}", "test/**/*.ts"],
    extends: [vitest.configs.recommended],
    rules: {
      "vitest/no-disabled-tests": "error",
      "vitest/valid-expect": ["error", { maxArgs: 2 }], // vitest's expect(value, message)
      // A browser test asserts by waiting for what a person would see (waitFor throws when it never comes).
      "vitest/expect-expect": ["error", { assertFunctionNames: ["expect", "expectTypeOf", "assert", "page.**.waitFor"] }],
    },
  },

  prettier,
);
