// Typed Admin GraphQL, as Shopify's app template does it: `npm run graphql-codegen` reads every `#graphql`
// document and writes its result and variable types next to the code (app/types, extensions/types);
// `npm run graphql-codegen:check` fails when those files are stale. Editors' GraphQL plugins read this file too.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { ApiType, pluckConfig, preset } from "@shopify/api-codegen-preset";
import type { IGraphQLConfig, IGraphQLProject } from "graphql-config";
import { ADMIN_API_VERSION } from "./app/shopify/api-version";

/**
 * Shopify's published Admin schema of one version, from @shopify/dev-mcp, unzipped once into node_modules/.cache:
 * codegen reads plain introspection JSON, and the template's default (a shopify.dev URL) needs the network.
 */
function adminSchema(version: string): string {
  const source = `node_modules/@shopify/dev-mcp/dist/data/admin_${version}.json.gz`;
  const target = `node_modules/.cache/shopify-admin-schema/admin_${version}.json`;
  if (!existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync("node_modules/.cache/shopify-admin-schema", { recursive: true });
    writeFileSync(target, gunzipSync(readFileSync(source)));
  }
  return target;
}

/**
 * Admin UI extensions query the Admin API at their own version, the `api_version` of their shopify.extension.toml:
 * one version for all of them, since they share their code (extensions/shared) and one generated file.
 */
function extensionsApiVersion(): string {
  const versions = new Set(
    readdirSync("extensions", { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(`extensions/${entry.name}/shopify.extension.toml`))
      .map((entry) => /^api_version\s*=\s*"([^"]+)"/m.exec(readFileSync(`extensions/${entry.name}/shopify.extension.toml`, "utf8"))?.[1]),
  );
  const [version, ...others] = versions;
  if (!version || others.length > 0) throw new Error(`The extensions must share one api_version; found ${[...versions].join(", ")}`);
  return version;
}

function adminProject(version: string, documents: string[], outputDir: string): IGraphQLProject {
  const schema = adminSchema(version);
  return {
    schema,
    documents,
    extensions: {
      codegen: {
        pluckConfig,
        generates: {
          // Every type of the schema, which the operation types below pick their fields from. Enums as string
          // unions: a declaration file has no runtime enum to import, and `status === "READY"` keeps type-checking.
          [`${outputDir}/admin.types.d.ts`]: {
            plugins: ["typescript"],
            config: { enumsAsTypes: true, defaultScalarType: "string", scalars: { JSON: "unknown" } },
          },
          // Each operation's result and variables, and the document-to-types map Shopify's clients read.
          [`${outputDir}/admin.generated.d.ts`]: { preset, presetConfig: { apiType: ApiType.Admin } },
        },
      },
    },
  };
}

const config: IGraphQLConfig = {
  projects: {
    default: adminProject(
      ADMIN_API_VERSION,
      ["app/**/*.{ts,tsx}", "!app/generated/**", "!app/types/**", "!app/**/*.test.{ts,tsx}"],
      "app/types",
    ),
    extensions: adminProject(
      extensionsApiVersion(),
      ["extensions/*/src/**/*.{ts,tsx}", "extensions/shared/**/*.{ts,tsx}"],
      "extensions/types",
    ),
  },
};

export default config;
