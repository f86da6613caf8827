import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The DMMF (Prisma's parsed data model) of a schema file, from Prisma's own parser: `prisma generate`
// runs on a copy of the schema with one extra generator that writes the DMMF out.

export interface DmmfField {
  name: string;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  dbName: string | null;
  isRequired: boolean;
  isList: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
  uniqueFields: string[][];
  uniqueIndexes: { name: string | null; fields: string[] }[];
}

export interface DmmfIndex {
  model: string;
  type: "id" | "normal" | "unique" | "fulltext";
  isDefinedOnField: boolean;
  name?: string;
  dbName?: string;
  fields: { name: string }[];
}

export interface Datamodel {
  models: DmmfModel[];
  enums: unknown[];
  indexes: DmmfIndex[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const generator = path.join(path.dirname(fileURLToPath(import.meta.url)), "dmmf-generator.mjs");

export function readDatamodel(schemaPath: string): Datamodel {
  const dir = mkdtempSync(path.join(tmpdir(), "studio-dmmf-"));
  try {
    const output = path.join(dir, "dmmf.json");
    const schema = `${readFileSync(schemaPath, "utf8")}
generator dmmf {
  provider = ${JSON.stringify(`"${process.execPath}" "${generator}"`)}
  output   = ${JSON.stringify(output)}
}
`;
    const copy = path.join(dir, "schema.prisma");
    writeFileSync(copy, schema);
    const result = spawnSync(path.join(root, "node_modules/.bin/prisma"), ["generate", "--schema", copy, "--generator", "dmmf"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    });
    if (result.status !== 0) throw new Error(`prisma generate failed:\n${result.stdout}\n${result.stderr}`);
    return (JSON.parse(readFileSync(output, "utf8")) as { datamodel: Datamodel }).datamodel;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
