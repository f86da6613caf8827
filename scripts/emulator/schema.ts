import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type ValidationContext,
  type ASTVisitor,
  GraphQLError,
} from "graphql";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";

let cached: GraphQLSchema | undefined;

/** Shopify's published Admin schema, loaded once per process: parsing 30 MB of introspection takes a second. */
export function loadAdminSchema(): GraphQLSchema {
  if (cached) return cached;
  // The package's exports map hides its data folder from require.resolve, so the path is built by hand.
  const file = fileURLToPath(new URL(`../../node_modules/@shopify/dev-mcp/dist/data/admin_${ADMIN_API_VERSION}.json.gz`, import.meta.url));
  const json = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));
  const introspection: IntrospectionQuery = json.data ?? json;
  cached = buildClientSchema(introspection, { assumeValid: true });
  return cached;
}

/**
 * A validation rule Shopify does not have: it rejects deprecated fields, arguments, input fields and enum
 * values written in the document, so that the app is caught using them here rather than when Shopify
 * removes them.
 */
export function NoDeprecatedUsageRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const def = context.getFieldDef();
      const parent = context.getParentType();
      if (def?.deprecationReason && parent) {
        context.reportError(
          new GraphQLError(`Field '${parent.name}.${def.name}' is deprecated: ${def.deprecationReason}`, { nodes: node }),
        );
      }
    },
    Argument(node) {
      const arg = context.getArgument();
      if (arg?.deprecationReason) {
        context.reportError(new GraphQLError(`Argument '${arg.name}' is deprecated: ${arg.deprecationReason}`, { nodes: node }));
      }
    },
    ObjectField(node) {
      const parent = getNamedType(context.getParentInputType());
      if (isInputObjectType(parent)) {
        const field = parent.getFields()[node.name.value];
        if (field?.deprecationReason) {
          context.reportError(
            new GraphQLError(`Input field '${parent.name}.${field.name}' is deprecated: ${field.deprecationReason}`, {
              nodes: node,
            }),
          );
        }
      }
    },
    EnumValue(node) {
      const value = context.getEnumValue();
      const type = getNamedType(context.getInputType());
      if (value?.deprecationReason && type) {
        context.reportError(
          new GraphQLError(`Enum value '${type.name}.${value.name}' is deprecated: ${value.deprecationReason}`, {
            nodes: node,
          }),
        );
      }
    },
  };
}

/** The same check for values passed as variables, which document validation never sees. */
export function findDeprecatedVariableUsage(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        const type = typeInfo.getInputType();
        const name = node.variable.name.value;
        if (type && name in variables) inspectInput(type, variables[name], `$${name}`, problems);
      },
    }),
  );
  return problems;
}

function inspectInput(type: GraphQLInputType, value: unknown, path: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, index) => inspectInput(nullable.ofType, item, `${path}[${index}]`, problems));
    return;
  }
  if (isEnumType(nullable) && typeof value === "string") {
    const enumValue = nullable.getValue(value);
    if (enumValue?.deprecationReason) {
      problems.push(`Enum value '${nullable.name}.${value}' at ${path} is deprecated: ${enumValue.deprecationReason}`);
    }
    return;
  }
  if (isInputObjectType(nullable) && typeof value === "object") {
    const fields = nullable.getFields();
    for (const [key, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (!field) continue;
      if (field.deprecationReason) {
        problems.push(`Input field '${nullable.name}.${key}' at ${path} is deprecated: ${field.deprecationReason}`);
      }
      inspectInput(field.type, fieldValue, `${path}.${key}`, problems);
    }
  }
}
