import {
  getArgumentValues,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";

/**
 * Shopify's input limit: "Input arguments that accept an array have a maximum size of 250 for all APIs.
 * Requests return an error if an input array exceeds 250 items." (https://shopify.dev/docs/api/usage/limits)
 * The error is the one Shopify answers, e.g. for nodes(ids:) with 251 ids.
 */
export const MAX_INPUT_ARRAY = 250;

export function findOversizedInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): GraphQLFormattedError[] {
  const errors: GraphQLFormattedError[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (!def || !node.arguments?.length) return;
        let values: Record<string, unknown>;
        try {
          values = getArgumentValues(def, node, variables);
        } catch {
          return;
        }
        for (const [name, value] of Object.entries(values)) {
          const size = largestArray(value);
          if (size > MAX_INPUT_ARRAY) {
            errors.push({
              message: `The input array size of ${size} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`,
              locations: node.loc ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] : undefined,
              path: [node.name.value, name],
              extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
            });
          }
        }
      },
    }),
  );
  return errors;
}

/** The longest array anywhere in an argument's value (a loop, not a spread: the value may be huge). */
function largestArray(value: unknown): number {
  if (!value || typeof value !== "object") return 0;
  const items = Array.isArray(value) ? value : Object.values(value);
  let largest = Array.isArray(value) ? value.length : 0;
  for (const item of items) largest = Math.max(largest, largestArray(item));
  return largest;
}
