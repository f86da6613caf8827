import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from "graphql";
import { NoDeprecatedUsageRule } from "./schema";

/**
 * The query inside `bulkOperationRunQuery`: Shopify's rules for it, and how its answer becomes JSONL.
 *
 * The messages are the ones Shopify's 2026-04 Admin API answered, captured from a live shop
 * (airhorns/shopify-draft-proxy, fixtures/conformance/.../bulk-operation-run-query-validators.json); the
 * rules are those of https://shopify.dev/docs/api/usage/bulk-operations/queries#operation-restrictions.
 */

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: "INVALID" | "OPERATION_IN_PROGRESS" | "LIMIT_REACHED" | null;
}

export interface BulkQueryPlan {
  operation: OperationDefinitionNode;
  /** The one top-level field; when it is a connection, the operation runs page by page over it. */
  rootField: FieldNode;
  rootIsConnection: boolean;
  /** Root fields the token needs scopes for, as the synchronous API would check them. */
  rootFieldNames: string[];
}

const MAX_CONNECTIONS = 5;
const MAX_NESTING = 2;

function invalid(message: string): BulkUserError {
  return { field: ["query"], message, code: "INVALID" };
}

export function planBulkQuery(schema: GraphQLSchema, text: string): { plan: BulkQueryPlan } | { userErrors: BulkUserError[] } {
  if (!text.trim()) return { userErrors: [invalid("Invalid bulk query: syntax error, unexpected end of file")] };
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    return { userErrors: [invalid(`Invalid bulk query: ${(error as Error).message}`)] };
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 1 && operations[0].operation !== "query") {
    return { userErrors: [invalid("Invalid operation type. Only `query` operations are supported.")] };
  }
  const problems = validate(schema, document, [...specifiedRules, NoDeprecatedUsageRule]);
  if (problems.length) return { userErrors: problems.map((p) => invalid(`Invalid bulk query: ${p.message}`)) };
  if (operations.length !== 1) return { userErrors: [invalid("Invalid bulk query: a bulk query must contain exactly one operation.")] };

  const operation = inlineFragments(operations[0], document);
  const shape = analyse(schema, operation);
  const errors: BulkUserError[] = [];
  if (shape.nodesSelections.length) {
    const names = shape.nodesSelections;
    errors.push(
      invalid(
        `All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '${names[0]} { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: '${names.join("', '")}'.`,
      ),
    );
  }
  for (const name of shape.topLevelNodeFields) errors.push(invalid(`Bulk queries cannot contain a top level \`${name}\` field.`));
  if (shape.maxNesting > MAX_NESTING)
    errors.push(invalid(`Bulk queries cannot contain connections with a nesting depth greater than ${MAX_NESTING}.`));
  if (shape.connections > MAX_CONNECTIONS) errors.push(invalid(`Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`));
  if (shape.parentsWithoutId.length) {
    errors.push(
      invalid(
        `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': ${shape.parentsWithoutId.join(", ")}.`,
      ),
    );
  }
  if (shape.connectionWithinList)
    errors.push(invalid("Queries that contain a connection field within a list field are not currently supported."));
  if (shape.connections === 0) errors.push(invalid("Bulk queries must contain at least one connection."));
  // Not a captured message: Shopify documents "a single top-level field" and the emulator refuses more
  // rather than guess how they would be laid out.
  if (!errors.length && shape.rootFields.length !== 1) errors.push(invalid("Bulk queries must contain a single top level field."));
  if (errors.length) return { userErrors: errors };

  const rootField = shape.rootFields[0];
  return {
    plan: {
      operation,
      rootField,
      rootIsConnection: isConnectionType(schema.getQueryType()!.getFields()[rootField.name.value].type),
      rootFieldNames: shape.rootFields.map((f) => f.name.value),
    },
  };
}

export function isConnectionType(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return isObjectType(named) && named.name.endsWith("Connection") && "edges" in named.getFields() && "pageInfo" in named.getFields();
}

/** Named fragments spread inline, so that every rule and the projection see one selection tree. */
function inlineFragments(operation: OperationDefinitionNode, document: DocumentNode): OperationDefinitionNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return visit(operation, {
    FragmentSpread(node) {
      const fragment = fragments.get(node.name.value)!;
      return {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        selectionSet: inlineSelection(fragment, fragments),
        directives: node.directives,
      };
    },
  });
}

function inlineSelection(fragment: FragmentDefinitionNode, fragments: Map<string, FragmentDefinitionNode>) {
  return visit(fragment.selectionSet, {
    FragmentSpread(node) {
      const inner = fragments.get(node.name.value)!;
      return { kind: Kind.INLINE_FRAGMENT, typeCondition: inner.typeCondition, selectionSet: inlineSelection(inner, fragments) };
    },
  });
}

interface Shape {
  rootFields: FieldNode[];
  topLevelNodeFields: string[];
  connections: number;
  maxNesting: number;
  nodesSelections: string[];
  parentsWithoutId: string[];
  connectionWithinList: boolean;
}

/** One walk over the selection tree with the schema's types, collecting what the rules need. */
function analyse(schema: GraphQLSchema, operation: OperationDefinitionNode): Shape {
  const shape: Shape = {
    rootFields: [],
    topLevelNodeFields: [],
    connections: 0,
    maxNesting: 0,
    nodesSelections: [],
    parentsWithoutId: [],
    connectionWithinList: false,
  };
  const query = schema.getQueryType()!;
  for (const field of fieldsOf(operation.selectionSet.selections)) {
    shape.rootFields.push(field);
    if (field.name.value === "node" || field.name.value === "nodes") shape.topLevelNodeFields.push(field.name.value);
    const def = query.getFields()[field.name.value];
    if (def) walkField(schema, field, def.type, { nesting: -1, inList: false, connectionName: null }, shape);
  }
  return shape;
}

interface Walk {
  /** Connections above this field (-1 above the root). */
  nesting: number;
  /** Whether a list field lies between this field and the nearest connection node above it. */
  inList: boolean;
  connectionName: string | null;
}

function walkField(schema: GraphQLSchema, field: FieldNode, type: GraphQLOutputType, walk: Walk, shape: Shape): void {
  const named = getNamedType(type);
  if (!field.selectionSet || !isCompositeType(named)) return;
  if (isConnectionType(type)) {
    shape.connections += 1;
    const nesting = walk.nesting + 1;
    shape.maxNesting = Math.max(shape.maxNesting, nesting);
    if (walk.inList) shape.connectionWithinList = true;
    const name = field.name.value;
    const connectionFields = fieldsOf(field.selectionSet.selections);
    if (connectionFields.some((f) => f.name.value === "nodes")) shape.nodesSelections.push(name);
    for (const edges of connectionFields.filter((f) => f.name.value === "edges")) {
      for (const node of fieldsOf(edges.selectionSet?.selections ?? []).filter((f) => f.name.value === "node")) {
        const edgeType = getNamedType((named as GraphQLObjectType).getFields().edges.type) as GraphQLObjectType;
        const nodeDef = edgeType.getFields().node;
        const selections = fieldsOf(node.selectionSet?.selections ?? [], false);
        const selectsId = selections.some((f) => f.name.value === "id" && !f.alias);
        const before = shape.connections;
        walkChildren(schema, node, nodeDef.type, { nesting, inList: false, connectionName: name }, shape);
        if (shape.connections > before && !selectsId && !shape.parentsWithoutId.includes(name)) shape.parentsWithoutId.push(name);
      }
    }
    return;
  }
  const inList = walk.inList || isListType(getNullableType(type));
  walkChildren(schema, field, type, { ...walk, inList }, shape);
}

function walkChildren(schema: GraphQLSchema, field: FieldNode, type: GraphQLOutputType, walk: Walk, shape: Shape): void {
  const parent = getNamedType(type) as GraphQLCompositeType;
  for (const { field: child, owner } of typedFieldsOf(schema, parent, field.selectionSet?.selections ?? [])) {
    const def = "getFields" in owner ? owner.getFields()[child.name.value] : undefined;
    if (def) walkField(schema, child, def.type, walk, shape);
  }
}

/** The fields of a selection, through inline fragments unless `throughFragments` is false. */
function fieldsOf(selections: readonly SelectionNode[], throughFragments = true): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const s of selections) {
    if (s.kind === Kind.FIELD) fields.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT && throughFragments) fields.push(...fieldsOf(s.selectionSet.selections));
  }
  return fields;
}

/** Fields with the type that declares them: a fragment's type condition, or the parent type. */
function typedFieldsOf(schema: GraphQLSchema, parent: GraphQLCompositeType, selections: readonly SelectionNode[]) {
  const out: { field: FieldNode; owner: GraphQLCompositeType }[] = [];
  for (const s of selections) {
    if (s.kind === Kind.FIELD) out.push({ field: s, owner: parent });
    else if (s.kind === Kind.INLINE_FRAGMENT) {
      const condition = s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType) : parent;
      out.push(...typedFieldsOf(schema, condition, s.selectionSet.selections));
    }
  }
  return out;
}

/**
 * Turns one executed page of a bulk query into JSONL lines, as Shopify lays them out: every node of every
 * connection is its own line, without the connection fields; a node of a nested connection carries
 * `__parentId`, the id of the connection node it belongs to, as its last key. Grouped, each node's
 * children follow it directly; ungrouped, the page's parents come first and their children after them.
 */
export function projectPage(schema: GraphQLSchema, plan: BulkQueryPlan, data: Record<string, unknown>, grouped: boolean) {
  const projection = projectionOf(schema, plan);
  const levels: string[][] = [];
  const lines: string[] = [];
  let roots = 0;

  const emitConnection = (value: unknown, shape: ConnectionShape, parentId: string | null, depth: number) => {
    for (const edge of ((value as Record<string, unknown> | null)?.[shape.edgesKey] as Record<string, unknown>[] | undefined) ?? []) {
      const node = edge?.[shape.nodeKey] as Record<string, unknown> | null;
      if (!node) continue;
      if (depth === 0) roots += 1;
      const children: [unknown, ConnectionShape][] = [];
      const object = projectObject(node, shape.node, children);
      if (parentId) object.__parentId = parentId;
      const line = JSON.stringify(object);
      if (grouped) lines.push(line);
      else (levels[depth] ??= []).push(line);
      for (const [childValue, childShape] of children)
        emitConnection(childValue, childShape, (node.id as string | undefined) ?? parentId, depth + 1);
    }
  };

  const key = plan.rootField.alias?.value ?? plan.rootField.name.value;
  if (projection.root.kind === "connection") {
    emitConnection(data[key], projection.root.connection, null, 0);
  } else if (data[key] !== null && data[key] !== undefined) {
    // A root object (collection(id:) { products … }) is no line itself; its connections' nodes are.
    const children: [unknown, ConnectionShape][] = [];
    projectObject(data[key] as Record<string, unknown>, projection.root.object, children);
    for (const [value, shape] of children) emitConnection(value, shape, null, 0);
  }
  return { lines: grouped ? lines : levels.flat(), roots };
}

/** Copies an object's selected fields; connections inside it go to `children` instead. */
function projectObject(
  value: Record<string, unknown>,
  shape: ObjectShape,
  children: [unknown, ConnectionShape][],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [responseKey, fieldValue] of Object.entries(value)) {
    const field = shape.fields.get(responseKey);
    if (!field || fieldValue === null) out[responseKey] = fieldValue;
    else if (field.kind === "connection") children.push([fieldValue, field.connection]);
    else if (field.kind === "leaf") out[responseKey] = fieldValue;
    else if (Array.isArray(fieldValue))
      out[responseKey] = fieldValue.map((item) => (item === null ? null : projectObject(item, field.object, children)));
    else out[responseKey] = projectObject(fieldValue as Record<string, unknown>, field.object, children);
  }
  return out;
}

type FieldShape = { kind: "leaf" } | { kind: "object"; object: ObjectShape } | { kind: "connection"; connection: ConnectionShape };
interface ObjectShape {
  fields: Map<string, FieldShape>;
}
interface ConnectionShape {
  edgesKey: string;
  nodeKey: string;
  node: ObjectShape;
}

const projections = new WeakMap<
  BulkQueryPlan,
  { root: { kind: "connection"; connection: ConnectionShape } | { kind: "object"; object: ObjectShape } }
>();

/** The selection tree with its types resolved once per query, so projecting a node is only copying. */
function projectionOf(schema: GraphQLSchema, plan: BulkQueryPlan) {
  const cached = projections.get(plan);
  if (cached) return cached;
  const rootType = schema.getQueryType()!.getFields()[plan.rootField.name.value].type;
  const root = isConnectionType(rootType)
    ? { kind: "connection" as const, connection: connectionShape(schema, rootType, [plan.rootField]) }
    : {
        kind: "object" as const,
        object: objectShape(schema, getNamedType(rootType) as GraphQLCompositeType, plan.rootField.selectionSet?.selections ?? []),
      };
  const projection = { root };
  projections.set(plan, projection);
  return projection;
}

function connectionShape(schema: GraphQLSchema, type: GraphQLOutputType, fields: FieldNode[]): ConnectionShape {
  const connection = getNamedType(type) as GraphQLObjectType;
  const edgeType = getNamedType(connection.getFields().edges.type) as GraphQLObjectType;
  const nodeType = getNamedType(edgeType.getFields().node.type) as GraphQLCompositeType;
  const edgesFields = fields.flatMap((f) => fieldsOf(f.selectionSet?.selections ?? []).filter((e) => e.name.value === "edges"));
  const nodeFields = edgesFields.flatMap((e) => fieldsOf(e.selectionSet?.selections ?? []).filter((n) => n.name.value === "node"));
  return {
    edgesKey: edgesFields[0]?.alias?.value ?? "edges",
    nodeKey: nodeFields[0]?.alias?.value ?? "node",
    node: objectShape(
      schema,
      nodeType,
      nodeFields.flatMap((n) => n.selectionSet?.selections ?? []),
    ),
  };
}

function objectShape(schema: GraphQLSchema, type: GraphQLCompositeType, selections: readonly SelectionNode[]): ObjectShape {
  const grouped = new Map<string, { fields: FieldNode[]; type: GraphQLOutputType }>();
  for (const { field, owner } of typedFieldsOf(schema, type, selections)) {
    if (field.name.value === "__typename" || !("getFields" in owner)) continue;
    const def = owner.getFields()[field.name.value];
    if (!def) continue;
    const responseKey = field.alias?.value ?? field.name.value;
    const entry = grouped.get(responseKey);
    if (entry) entry.fields.push(field);
    else grouped.set(responseKey, { fields: [field], type: def.type });
  }
  const fields = new Map<string, FieldShape>();
  for (const [responseKey, { fields: nodes, type: fieldType }] of grouped) {
    const named = getNamedType(fieldType);
    const subSelections = nodes.flatMap((f) => f.selectionSet?.selections ?? []);
    if (isConnectionType(fieldType)) fields.set(responseKey, { kind: "connection", connection: connectionShape(schema, fieldType, nodes) });
    else if (isCompositeType(named) && subSelections.length)
      fields.set(responseKey, { kind: "object", object: objectShape(schema, named, subSelections) });
    else fields.set(responseKey, { kind: "leaf" });
  }
  return { fields };
}
