import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isLeafType,
  isListType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's calculated query cost, approximated (https://shopify.dev/docs/api/usage/limits):
 * scalars and enums 0, objects 1, a connection 2 + (first|last) × the cost of one node, a list of objects
 * fetched by `ids` its length × one item, every mutation field 10 whatever it selects. Interfaces and
 * fragments cost the most expensive branch. The actual cost walks the returned data instead, so a
 * connection costs 2 + the nodes really returned, and a null object costs 1 without its children.
 */
export const MUTATION_COST = 10;
export const SINGLE_QUERY_MAX_COST = 1000;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function calculateRequestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  return calculateOperationCost({ schema, fragments, variables }, operation, undefined);
}

export function calculateActualCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  data: Record<string, unknown> | null | undefined,
): number {
  if (!data) return 0;
  return calculateOperationCost({ schema, fragments, variables }, operation, data);
}

function calculateOperationCost(walk: Walk, operation: OperationDefinitionNode, data: unknown): number {
  const root = walk.schema.getRootType(operation.operation);
  if (!root) return 0;
  if (operation.operation === "mutation") {
    return collectFields(walk, operation.selectionSet).filter((f) => f.name.value !== "__typename").length * MUTATION_COST;
  }
  return costOfSelection(walk, root, operation.selectionSet, data);
}

function collectFields(walk: Walk, selectionSet: SelectionSetNode): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === "Field") fields.push(selection);
    else if (selection.kind === "InlineFragment") fields.push(...collectFields(walk, selection.selectionSet));
    else {
      const fragment = walk.fragments[selection.name.value];
      if (fragment) fields.push(...collectFields(walk, fragment.selectionSet));
    }
  }
  return fields;
}

/** Direct fields are summed; each fragment is a possible branch, of which the dearest counts. */
function costOfSelection(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, value: unknown): number {
  let direct = 0;
  let dearestBranch = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === "Field") {
      direct += costOfField(walk, parent, selection, value);
      continue;
    }
    const fragment = selection.kind === "InlineFragment" ? selection : walk.fragments[selection.name.value];
    if (!fragment) continue;
    const conditionName = fragment.typeCondition?.name.value;
    const condition = conditionName ? walk.schema.getType(conditionName) : parent;
    if (!condition || !isCompositeType(condition)) continue;
    dearestBranch = Math.max(dearestBranch, costOfSelection(walk, condition, fragment.selectionSet, value));
  }
  return direct + dearestBranch;
}

function costOfField(walk: Walk, parent: GraphQLCompositeType, node: FieldNode, parentValue: unknown): number {
  if (node.name.value.startsWith("__") || !("getFields" in parent)) return 0;
  const def = parent.getFields()[node.name.value];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named) || !node.selectionSet || !isCompositeType(named)) return 0;
  const measuring = parentValue !== undefined;
  const responseKey = node.alias?.value ?? node.name.value;
  const value = measuring ? (parentValue as Record<string, unknown> | null)?.[responseKey] : undefined;
  if (measuring && (value === undefined || value === null)) return measuring && value === null ? 1 : 0;
  const args = readArguments(walk, def, node);

  if (isObjectType(named) && named.name.endsWith("Connection")) {
    return 2 + costOfConnectionItems(walk, named, node.selectionSet, args, value);
  }
  if (isListType(getNullableType(def.type))) {
    if (measuring) {
      let sum = 0;
      for (const item of value as unknown[]) if (item !== null) sum += 1 + costOfSelection(walk, named, node.selectionSet, item);
      return sum;
    }
    const count = Array.isArray(args.ids) ? args.ids.length : 1;
    return count * (1 + costOfSelection(walk, named, node.selectionSet, undefined));
  }
  return 1 + costOfSelection(walk, named, node.selectionSet, value);
}

/** One node of a connection, reached through `nodes` or `edges { node }`, whichever is dearer. */
function costOfConnectionItems(
  walk: Walk,
  connection: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  args: Record<string, unknown>,
  value: unknown,
): number {
  const nodesField = connection.getFields().nodes;
  const nodeType = nodesField ? getNamedType(nodesField.type) : undefined;
  if (!nodeType || !isCompositeType(nodeType)) return 0;
  const fields = collectFields(walk, selectionSet);
  const perItem = (item: unknown): number => {
    let dearest = 0;
    for (const field of fields) {
      if (field.name.value === "nodes" && field.selectionSet) {
        dearest = Math.max(dearest, 1 + costOfSelection(walk, nodeType, field.selectionSet, item));
      }
      if (field.name.value === "edges" && field.selectionSet) {
        for (const inner of collectFields(walk, field.selectionSet)) {
          if (inner.name.value === "node" && inner.selectionSet) {
            dearest = Math.max(dearest, 1 + costOfSelection(walk, nodeType, inner.selectionSet, item));
          }
        }
      }
    }
    return dearest;
  };
  if (value === undefined) {
    const count = Number(args.first ?? args.last ?? 0);
    return count * perItem(undefined);
  }
  const returned = readConnectionNodes(fields, value as Record<string, unknown>);
  return returned.reduce<number>((sum, item) => sum + perItem(item), 0);
}

/** The nodes a connection returned, in the shape `costOfSelection` expects for one node. */
function readConnectionNodes(fields: FieldNode[], value: Record<string, unknown>): unknown[] {
  for (const field of fields) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === "nodes" && Array.isArray(value[key])) return value[key] as unknown[];
    if (field.name.value === "edges" && Array.isArray(value[key]) && field.selectionSet) {
      const nodeField = field.selectionSet.selections.find((s): s is FieldNode => s.kind === "Field" && s.name.value === "node");
      const nodeKey = nodeField?.alias?.value ?? "node";
      return (value[key] as Record<string, unknown>[]).map((edge) => edge?.[nodeKey]);
    }
  }
  return [];
}

function readArguments(walk: Walk, def: Parameters<typeof getArgumentValues>[0], node: FieldNode): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, walk.variables);
  } catch {
    return {};
  }
}
