import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  getNamedType,
  isInputObjectType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAdminSchema } from "../../scripts/emulator/schema";
import { ADMIN_API_VERSION } from "./api-version";

const folder = dirname(fileURLToPath(import.meta.url));
let schema: GraphQLSchema;

beforeAll(() => {
  schema = loadAdminSchema();
});

/** Every exported string of every module in this folder that is a GraphQL operation. */
async function collectDocuments(): Promise<{ name: string; text: string }[]> {
  const modules = readdirSync(folder).filter((f) => /\.ts$/.test(f) && !f.endsWith(".test.ts"));
  const found: { name: string; text: string }[] = [];
  for (const file of modules) {
    const exports = (await import(join(folder, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === "string" && /^\s*(#graphql\s*)?(query|mutation|fragment)\b/.test(value)) {
        found.push({ name: `${file}:${name}`, text: value });
      }
    }
  }
  return found;
}

/** Deprecated fields, arguments, input fields and enum values written in a document. */
function findDeprecatedUsage(document: DocumentNode): string[] {
  const typeInfo = new TypeInfo(schema);
  const problems: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const field = typeInfo.getFieldDef();
        if (field?.deprecationReason) problems.push(`field ${typeInfo.getParentType()?.name}.${field.name}`);
      },
      Argument() {
        const arg = typeInfo.getArgument();
        if (arg?.deprecationReason) problems.push(`argument ${arg.name}`);
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        const field = isInputObjectType(parent) ? parent.getFields()[node.name.value] : undefined;
        if (field?.deprecationReason) problems.push(`input field ${parent?.name}.${field.name}`);
      },
      EnumValue() {
        const value = typeInfo.getEnumValue();
        if (value?.deprecationReason) problems.push(`enum value ${value.name}`);
      },
    }),
  );
  return problems;
}

describe("Admin GraphQL documents", () => {
  it("finds the documents the app sends", async () => {
    const names = (await collectDocuments()).map((d) => d.name);
    expect(names).toEqual(
      expect.arrayContaining(["documents.ts:PRODUCT_FOR_GENERATION_QUERY", "documents.ts:PRODUCT_ATTACH_MEDIA_MUTATION"]),
    );
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  it(`validates every document against the ${ADMIN_API_VERSION} Admin schema`, async () => {
    for (const { name, text } of await collectDocuments()) {
      const errors = validate(schema, parse(text)).map((e) => e.message);
      expect({ name, errors }).toEqual({ name, errors: [] });
    }
  });

  it("uses no deprecated field, argument, input field or enum value", async () => {
    for (const { name, text } of await collectDocuments()) {
      expect({ name, deprecated: findDeprecatedUsage(parse(text)) }).toEqual({ name, deprecated: [] });
    }
  });

  it("gives every operation a unique name", async () => {
    const names = (await collectDocuments()).flatMap(({ text }) =>
      parse(text)
        .definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
        .map((operation) => operation.name?.value),
    );
    expect(names.filter((name) => !name)).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("catches a deprecated mutation, as a check that the walk works", () => {
    const document = parse(`mutation Old($id: ID!) { productDeleteMedia(productId: $id, mediaIds: []) { deletedMediaIds } }`);
    expect(findDeprecatedUsage(document)).toEqual(["field Mutation.productDeleteMedia"]);
    const enumUse = parse(
      `mutation Stage { stagedUploadsCreate(input: [{ resource: PRODUCT_IMAGE, filename: "a.png", mimeType: "image/png" }]) { userErrors { message } } }`,
    );
    expect(findDeprecatedUsage(enumUse)).toEqual(["enum value PRODUCT_IMAGE"]);
  });
});

describe("the bulk catalogue query", () => {
  it("validates against the 2026-10 Admin schema for all products, a collection and a search, quotes and all", async () => {
    const { bulkCatalogProductsQuery } = await import("./documents");
    for (const search of [null, "collection_id:1234", 'tag:"gift set" vendor:Hearth \\ "x" 禮物 \uD800']) {
      const document = parse(bulkCatalogProductsQuery(search));
      expect({ search, errors: validate(schema, document).map((e) => e.message), deprecated: findDeprecatedUsage(document) }).toEqual({
        search,
        errors: [],
        deprecated: [],
      });
      let written: string | null = null;
      visit(document, {
        Argument(node) {
          if (node.name.value === "query" && node.value.kind === Kind.STRING) written = node.value.value;
        },
      });
      expect(written).toBe(search?.replace("\uD800", "\uFFFD") ?? null);
    }
  });
});
