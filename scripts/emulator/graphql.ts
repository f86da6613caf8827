import { randomUUID } from "node:crypto";
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLTypeResolver,
} from "graphql";
import { calculateActualCost, calculateRequestedCost, SINGLE_QUERY_MAX_COST } from "./cost";
import type { FaultedRequest, Faults } from "./faults";
import { createMutationRoot, type MutationContext } from "./mutations";
import { findOversizedInputs } from "./input-limits";
import { createQueryRoot } from "./queries";
import { findDeprecatedVariableUsage, loadAdminSchema, NoDeprecatedUsageRule } from "./schema";
import type { Bucket, ShopRecord } from "./state";

export interface Throttle {
  restoreRate: number;
  bucketSize: number;
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  operationName: string | null;
  rootFields: string[];
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttled: boolean;
}

/** Scopes a root field needs; any one of them is enough, as write scopes imply read. */
const REQUIRED_SCOPES: Record<string, string[]> = {
  products: ["read_products", "write_products"],
  product: ["read_products", "write_products"],
  productUpdate: ["write_products"],
  productReorderMedia: ["write_products"],
  stagedUploadsCreate: ["write_products", "write_files", "write_images", "write_themes"],
  fileUpdate: ["write_files", "write_images", "write_themes", "write_products"],
  fileDelete: ["write_files", "write_images", "write_themes", "write_products"],
  shopLocales: ["read_locales", "read_markets_home"],
  collections: ["read_products", "write_products"],
  collection: ["read_products", "write_products"],
};

const STATUS_TEXT: Record<number, string> = {
  429: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** A request's context; with `faults`, its mutations go through the chaos harness's hooks (faults.ts). */
export interface AnswerContext extends MutationContext, FaultedRequest {
  faults?: Faults;
}

export async function answerGraphql(ctx: AnswerContext, throttle: Throttle, body: unknown): Promise<GraphqlAnswer> {
  const answer = (partial: Partial<GraphqlAnswer> & { body: unknown }): GraphqlAnswer => ({
    status: 200,
    operationName: null,
    rootFields: [],
    requestedQueryCost: null,
    actualQueryCost: null,
    throttled: false,
    ...partial,
  });

  const fault = takeFault(ctx.shop);
  if (fault?.status) {
    const headers: Record<string, string> = fault.status === 429 ? { "Retry-After": "2.0" } : {};
    return answer({ status: fault.status, body: { errors: STATUS_TEXT[fault.status] ?? "Error" }, headers });
  }
  if (fault?.graphqlErrorCode === "THROTTLED") {
    return answer({ body: throttledBody(0, readBucket(ctx.shop.bucket, throttle, ctx.now), throttle), throttled: true });
  }
  if (fault?.graphqlErrorCode === "INTERNAL_SERVER_ERROR") {
    const requestId = randomUUID();
    return answer({
      body: {
        errors: [
          {
            message: `Internal error. Looks like something went wrong on our end.\nRequest ID: ${requestId} (include this in support requests).`,
            extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
          },
        ],
      },
    });
  }

  const request = body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
  if (!request || typeof request.query !== "string") {
    return answer({ status: 400, body: { errors: { query: "Required parameter missing or invalid" } } });
  }
  const variables = (request.variables && typeof request.variables === "object" ? request.variables : {}) as Record<string, unknown>;
  const operationName = typeof request.operationName === "string" ? request.operationName : null;

  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    const syntax = error as GraphQLError;
    return answer({
      body: { errors: [{ message: syntax.message, locations: syntax.locations, extensions: { code: "GRAPHQL_PARSE_FAILED" } }] },
    });
  }
  const schema = loadAdminSchema();
  const invalid = validate(schema, document, [...specifiedRules, NoDeprecatedUsageRule]);
  if (invalid.length) return answer({ body: { errors: invalid.map((e) => formatError(e, "GRAPHQL_VALIDATION_FAILED")) } });

  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return answer({
      body: {
        errors: [
          {
            message: "An operation name is required when the document has several operations.",
            extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
          },
        ],
      },
    });
  }
  const name = operationName ?? operation.name?.value ?? null;
  const rootFields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  const described = { operationName: name, rootFields };

  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return answer({ ...described, body: { errors: coerced.errors.map((e) => formatError(e, "INVALID_VARIABLE")) } });
  const deprecated = findDeprecatedVariableUsage(schema, document, variables);
  if (deprecated.length) {
    return answer({
      ...described,
      body: { errors: deprecated.map((message) => ({ message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) },
    });
  }
  const oversized = findOversizedInputs(schema, document, coerced.coerced);
  if (oversized.length) return answer({ ...described, body: { errors: oversized } });
  const denied = findDeniedFields(rootFields, ctx.token.scope);
  if (denied.length) return answer({ ...described, body: { errors: denied } });

  const fragments = collectFragments(document);
  const requested = calculateRequestedCost(schema, operation, fragments, coerced.coerced);
  const bucket = readBucket(ctx.shop.bucket, throttle, ctx.now);
  if (requested > SINGLE_QUERY_MAX_COST) {
    return answer({ ...described, requestedQueryCost: requested, body: maxCostBody(requested) });
  }
  if (requested > bucket.available) {
    return answer({ ...described, requestedQueryCost: requested, throttled: true, body: throttledBody(requested, bucket, throttle) });
  }
  bucket.available -= requested;

  const result = await execute({
    schema,
    document,
    operationName: name ?? undefined,
    variableValues: variables,
    rootValue: operation.operation === "mutation" ? mutationRoot(ctx) : createQueryRoot(ctx),
    contextValue: ctx,
    fieldResolver: resolveField,
    typeResolver: resolveType,
  });
  const data = result.data ?? null;
  const actual = Math.min(requested, calculateActualCost(schema, operation, fragments, coerced.coerced, data));
  bucket.available = Math.min(throttle.bucketSize, bucket.available + requested - actual);

  const responseBody: Record<string, unknown> = {};
  if (result.errors?.length) responseBody.errors = result.errors.map((e) => formatError(e));
  responseBody.data = data;
  responseBody.extensions = { cost: describeCost(requested, actual, bucket, throttle) };
  return answer({ ...described, requestedQueryCost: requested, actualQueryCost: actual, body: responseBody });
}

function mutationRoot(ctx: AnswerContext) {
  const root = createMutationRoot(ctx);
  return ctx.faults ? ctx.faults.wrapMutations(ctx.shop, root, ctx) : root;
}

/** Fields are values or functions on view objects; a field the emulator has no value for says so. */
export const resolveField: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  if (source && typeof source === "object" && info.fieldName in source) {
    const value = (source as Record<string, unknown>)[info.fieldName];
    return typeof value === "function" ? value(args, context, info) : value;
  }
  throw new GraphQLError(`${info.parentType.name}.${info.fieldName} is not implemented by the emulator`);
};

export const resolveType: GraphQLTypeResolver<unknown, unknown> = (value) => (value as { __typename?: string }).__typename;

function takeFault(shop: ShopRecord) {
  const fault = shop.faults[0];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) shop.faults.shift();
  return fault;
}

/** The leaky bucket, refilled for the time since it was last read. */
export function readBucket(bucket: Bucket, throttle: Throttle, now: number): Bucket {
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
  bucket.available = Math.min(throttle.bucketSize, bucket.available + elapsed * throttle.restoreRate);
  bucket.updatedAt = now;
  return bucket;
}

function describeCost(requested: number, actual: number | null, bucket: Bucket, throttle: Throttle) {
  return {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: {
      maximumAvailable: throttle.bucketSize,
      currentlyAvailable: Math.floor(bucket.available),
      restoreRate: throttle.restoreRate,
    },
  };
}

function throttledBody(requested: number, bucket: Bucket, throttle: Throttle) {
  return {
    errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
    extensions: { cost: describeCost(requested, null, bucket, throttle) },
  };
}

function maxCostBody(requested: number) {
  return {
    errors: [
      {
        message: `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
        extensions: {
          code: "MAX_COST_EXCEEDED",
          cost: requested,
          maxCost: SINGLE_QUERY_MAX_COST,
          documentation: "https://shopify.dev/api/usage/rate-limits",
        },
      },
    ],
  };
}

export function findDeniedFields(rootFields: string[], scope: string) {
  const granted = new Set(scope.split(","));
  return rootFields.flatMap((field) => {
    const required = REQUIRED_SCOPES[field];
    if (!required || required.some((s) => granted.has(s))) return [];
    const requiredAccess = `\`${required[0]}\` access scope.`;
    return [
      {
        message: `Access denied for ${field} field. Required access: ${requiredAccess}`,
        extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess },
      },
    ];
  });
}

function collectFragments(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

function formatError(error: GraphQLError, code?: string): GraphQLFormattedError {
  const formatted = error.toJSON();
  const extensions = code ? { ...formatted.extensions, code } : formatted.extensions;
  return extensions && Object.keys(extensions).length ? { ...formatted, extensions } : formatted;
}
