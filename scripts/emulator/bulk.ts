import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { execute, Kind, type GraphQLFieldResolver } from "graphql";
import { planBulkQuery, projectPage, isConnectionType, type BulkQueryPlan, type BulkUserError } from "./bulk-query";
import { findDeniedFields, resolveField, resolveType } from "./graphql";
import { sendStorageError } from "./http";
import { createQueryRoot, type RequestContext } from "./queries";
import { loadAdminSchema } from "./schema";
import { paginate } from "./views";
import { takeId, type EmulatorState, type ShopRecord } from "./state";

/**
 * Bulk query operations (https://shopify.dev/docs/api/usage/bulk-operations/queries), API 2026-10:
 * `bulkOperationRunQuery` checks the inner query, then runs it in the background, CREATED → RUNNING →
 * COMPLETED, `objectCount` growing page by page as the JSONL is written. The result is served from the
 * emulator's own origin under a signed link that expires, the way Shopify hands out signed Google Cloud
 * Storage URLs (https://storage.googleapis.com/…/bulk-operation-outputs/…-final?…&Expires=…&Signature=…).
 * Up to five query operations run at once per shop (2026-01 and later). `currentBulkOperation` is
 * deprecated in 2026-10, so the emulator refuses it like every deprecated field; `bulkOperation(id:)`,
 * `bulkOperations(query:)` and `node(id:)` answer instead.
 */

export type BulkStatus = "CREATED" | "RUNNING" | "CANCELING" | "CANCELED" | "COMPLETED" | "FAILED" | "EXPIRED";
export type BulkErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

export interface BulkOperationRecord {
  id: string;
  numericId: number;
  shop: string;
  query: string;
  groupObjects: boolean;
  /** Every state but EXPIRED, which follows from `result.expiresAt`. */
  status: Exclude<BulkStatus, "EXPIRED">;
  errorCode: BulkErrorCode | null;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  /** The JSONL written so far. */
  chunks: Buffer[];
  size: number;
  /** The downloadable file, once the operation has stopped with data. */
  result: { key: string; expiresAt: number } | null;
  cancelRequested: boolean;
}

export interface BulkOptions {
  /** Time an operation stays CREATED (default 50 ms). */
  startDelayMs?: number;
  /** How fast an operation writes objects (default 50,000 per second). */
  objectsPerSecond?: number;
  /** How long a result link works (default 7 days, as Shopify's). */
  resultTtlMs?: number;
}

export interface BulkDownload {
  shop: string;
  operationId: string | null;
  status: number;
  bytes: number;
}

/** What tests use to steer and observe bulk operations. */
export interface BulkControls {
  /** The next operation of `shop` FAILS with `errorCode` once it has written at least `afterObjects` objects. */
  failNext(shop: string, fault?: { errorCode?: BulkErrorCode; afterObjects?: number }): void;
  /** The operation's result link expires now (its status becomes EXPIRED, as after seven days). */
  expire(operationId: string): void;
  /** The next download stops after `afterBytes` bytes until `release()`; `reached` settles when it gets there. */
  holdNextDownload(opts: { afterBytes: number }): { reached: Promise<void>; release(): void };
  operations(shop: string): BulkOperationRecord[];
  downloads: BulkDownload[];
}

export const BULK_OUTPUT_PREFIX = "/bulk-operation-outputs/";
const MAX_RUNNING_QUERIES = 5;
const PAGE_SIZE = 250;
const BUCKET = "shopify-tiers-assets-prod-us-east1";
const CHUNK_BYTES = 16 * 1024;

type Args = Record<string, unknown>;
/** A page of a connection as the emulator's views answer it. */
interface ConnectionPage {
  edges: unknown[];
  nodes: unknown[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface Service {
  startDelayMs: number;
  objectsPerSecond: number;
  resultTtlMs: number;
  secret: Buffer;
  signal: AbortSignal;
  byKey: Map<string, BulkOperationRecord>;
  faults: Map<string, { errorCode: BulkErrorCode; afterObjects: number }[]>;
  hold: { afterBytes: number; reached: () => void; released: Promise<void> } | null;
  downloads: BulkDownload[];
}

const services = new WeakMap<EmulatorState, Service>();
const operationsByShop = new WeakMap<ShopRecord, Map<string, BulkOperationRecord>>();

function operationsOf(shop: ShopRecord): Map<string, BulkOperationRecord> {
  let operations = operationsByShop.get(shop);
  if (!operations) operationsByShop.set(shop, (operations = new Map()));
  return operations;
}

/** Sets up bulk operations for one emulator; `signal` stops every running operation when it closes. */
export function registerBulk(state: EmulatorState, opts: BulkOptions, signal: AbortSignal): BulkControls {
  const service: Service = {
    startDelayMs: opts.startDelayMs ?? 50,
    objectsPerSecond: opts.objectsPerSecond ?? 50_000,
    resultTtlMs: opts.resultTtlMs ?? 7 * 86_400_000,
    secret: randomBytes(32),
    signal,
    byKey: new Map(),
    faults: new Map(),
    hold: null,
    downloads: [],
  };
  services.set(state, service);
  return {
    failNext: (shop, fault = {}) => {
      const queue = service.faults.get(shop) ?? [];
      queue.push({ errorCode: fault.errorCode ?? "INTERNAL_SERVER_ERROR", afterObjects: fault.afterObjects ?? 0 });
      service.faults.set(shop, queue);
    },
    expire: (operationId) => {
      const op = [...service.byKey.values()].find((o) => o.id === operationId);
      if (!op?.result) throw new Error(`Bulk operation ${operationId} has no result to expire`);
      op.result.expiresAt = Date.now();
    },
    holdNextDownload: ({ afterBytes }) => {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      service.hold = { afterBytes, reached, released };
      return { reached: reachedPromise, release };
    },
    operations: (shop) => {
      const record = state.shops.get(shop);
      return record ? [...operationsOf(record).values()] : [];
    },
    downloads: service.downloads,
  };
}

function serviceOf(state: EmulatorState): Service {
  const service = services.get(state);
  if (!service) throw new Error("Bulk operations are not registered for this emulator");
  return service;
}

export function statusAt(op: BulkOperationRecord, now: number): BulkStatus {
  if (op.status === "COMPLETED" && op.result && now >= op.result.expiresAt) return "EXPIRED";
  return op.status;
}

const isTerminal = (status: BulkStatus) => ["CANCELED", "COMPLETED", "FAILED", "EXPIRED"].includes(status);

function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function viewBulkOperation(state: EmulatorState, origin: string, op: BulkOperationRecord, now: number) {
  const status = statusAt(op, now);
  const link = op.result && now < op.result.expiresAt ? signedUrl(serviceOf(state), origin, op.result.key, op.result.expiresAt) : null;
  return {
    __typename: "BulkOperation",
    id: op.id,
    status,
    type: "QUERY",
    errorCode: op.errorCode,
    createdAt: iso(op.createdAt),
    completedAt: op.completedAt === null ? null : iso(op.completedAt),
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: status === "COMPLETED" && op.result ? String(op.size) : null,
    // Shopify keeps the link of a cancelled export in `url`; a failed one's data is under partialDataUrl.
    url: status === "COMPLETED" || status === "CANCELED" ? link : null,
    partialDataUrl: status === "FAILED" ? link : null,
    query: op.query,
  };
}

function signedUrl(service: Service, origin: string, key: string, expiresAt: number): string {
  const expires = Math.floor(expiresAt / 1000);
  const params = new URLSearchParams({
    GoogleAccessId: "assets-emulator@shopify-tiers.iam.gserviceaccount.com",
    Expires: String(expires),
    Signature: sign(service, key, expires),
    "response-content-disposition": `attachment; filename="bulk-${key}.jsonl"`,
    "response-content-type": "application/jsonl",
  });
  return `${origin}${BULK_OUTPUT_PREFIX}${key}-final?${params}`;
}

function sign(service: Service, key: string, expires: number): string {
  return createHmac("sha256", service.secret).update(`GET\n\n\n${expires}\n/${BUCKET}${BULK_OUTPUT_PREFIX}${key}-final`).digest("base64");
}

/** QueryRoot fields, spread into the emulator's query root. */
export function createBulkQueryFields(ctx: RequestContext & { state: EmulatorState }) {
  return {
    bulkOperation: (args: Args) => findBulkOperation(ctx, args.id as string),
    bulkOperations: (args: Args) => {
      const found = sortOperations(searchOperations([...operationsOf(ctx.shop).values()], args.query as string | undefined, ctx.now), args);
      return paginate(
        found,
        args,
        (op) => viewBulkOperation(ctx.state, ctx.origin, op, ctx.now),
        (op) => op.numericId,
      );
    },
  };
}

export function findBulkOperation(ctx: RequestContext & { state: EmulatorState }, id: string) {
  const op = operationsOf(ctx.shop).get(id);
  return op ? viewBulkOperation(ctx.state, ctx.origin, op, ctx.now) : null;
}

/**
 * The bulkOperations search filters of the 2026-10 schema: status, operation_type and id, combined with
 * AND (or spaces) and OR. Other filters are ignored, as Shopify ignores search terms it does not know.
 */
function searchOperations(operations: BulkOperationRecord[], query: string | undefined, now: number): BulkOperationRecord[] {
  if (!query?.trim()) return operations;
  const branches = query.split(/\s+OR\s+/i).map((branch) => (branch.match(/\S+/g) ?? []).filter((t) => !/^AND$/i.test(t)));
  const matches = (op: BulkOperationRecord, term: string) => {
    const [, field, value = ""] = /^(\w+):(.*)$/.exec(term.replace(/[()]/g, "")) ?? [];
    switch (field?.toLowerCase()) {
      case "status":
        return statusAt(op, now) === value.toUpperCase();
      case "operation_type":
        return value.toUpperCase() === "QUERY";
      case "id":
        return String(op.numericId) === value;
      default:
        return true;
    }
  };
  return operations.filter((op) => branches.some((terms) => terms.every((term) => matches(op, term))));
}

/** Newest first by default; `reverse` turns that around (as Shopify answers, captured 2026-04). */
function sortOperations(operations: BulkOperationRecord[], args: Args): BulkOperationRecord[] {
  const key =
    args.sortKey === "COMPLETED_AT" ? (op: BulkOperationRecord) => op.completedAt ?? 0 : (op: BulkOperationRecord) => op.createdAt;
  const newestFirst = [...operations].sort((a, b) => key(b) - key(a) || b.numericId - a.numericId);
  return args.reverse ? newestFirst.reverse() : newestFirst;
}

/** Mutation fields, spread into the emulator's mutation root. */
export function createBulkMutationFields(ctx: RequestContext & { state: EmulatorState }) {
  return {
    bulkOperationRunQuery: (args: Args) => runQuery(ctx, args.query as string, args.groupObjects === true),
    bulkOperationCancel: (args: Args) => cancelOperation(ctx, args.id as string),
  };
}

function runQuery(ctx: RequestContext & { state: EmulatorState }, query: string, groupObjects: boolean) {
  const schema = loadAdminSchema();
  const planned = planBulkQuery(schema, query);
  if ("userErrors" in planned) return { bulkOperation: null, userErrors: planned.userErrors };
  const running = [...operationsOf(ctx.shop).values()].filter((op) => !isTerminal(statusAt(op, ctx.now)));
  if (running.length >= MAX_RUNNING_QUERIES) {
    const ids = running.map((op) => op.id).sort();
    const error: BulkUserError = {
      field: null,
      message: `A bulk query operation for this app and shop is already in progress: ${ids.join(", ")}.`,
      code: "OPERATION_IN_PROGRESS",
    };
    return { bulkOperation: null, userErrors: [error] };
  }
  const numericId = takeId(ctx.state);
  const op: BulkOperationRecord = {
    id: `gid://shopify/BulkOperation/${numericId}`,
    numericId,
    shop: ctx.shop.domain,
    query,
    groupObjects,
    status: "CREATED",
    errorCode: null,
    createdAt: ctx.now,
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    chunks: [],
    size: 0,
    result: null,
    cancelRequested: false,
  };
  operationsOf(ctx.shop).set(op.id, op);
  const denied = findDeniedFields(planned.plan.rootFieldNames, ctx.token.scope).length > 0;
  runInBackground(ctx, op, planned.plan, denied);
  return { bulkOperation: viewBulkOperation(ctx.state, ctx.origin, op, ctx.now), userErrors: [] };
}

function cancelOperation(ctx: RequestContext & { state: EmulatorState }, id: string) {
  const op = operationsOf(ctx.shop).get(id);
  if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
  const status = statusAt(op, ctx.now);
  if (isTerminal(status)) {
    return {
      bulkOperation: viewBulkOperation(ctx.state, ctx.origin, op, ctx.now),
      userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${status.toLowerCase()}` }],
    };
  }
  op.cancelRequested = true;
  op.status = "CANCELING";
  return { bulkOperation: viewBulkOperation(ctx.state, ctx.origin, op, ctx.now), userErrors: [] };
}

/** For bulk runs: every connection answers all its items, the root one a page at a time. */
function bulkFieldResolver(
  plan: BulkQueryPlan,
  paging: { after: string | null; next: string | null },
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const view = source as Record<string, unknown> | null;
    const fetchPage = (after: string | undefined) =>
      (view![info.fieldName] as (a: Args, c: unknown, i: unknown) => ConnectionPage)(
        { ...args, first: PAGE_SIZE, last: undefined, before: undefined, after },
        context,
        info,
      );
    if (view && typeof view[info.fieldName] === "function" && isConnectionType(info.returnType)) {
      // `first`, `last` and cursors are ignored in bulk queries, as Shopify documents.
      if (!info.path.prev && plan.rootIsConnection) {
        const page = fetchPage(paging.after ?? undefined);
        paging.next = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        return page;
      }
      const edges: unknown[] = [];
      const nodes: unknown[] = [];
      let page;
      let after: string | undefined;
      do {
        page = fetchPage(after);
        edges.push(...page.edges);
        nodes.push(...page.nodes);
        after = page.pageInfo.endCursor ?? undefined;
      } while (page.pageInfo.hasNextPage);
      return { edges, nodes, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
    }
    return resolveField(source, args, context, info);
  };
}

function runInBackground(ctx: RequestContext & { state: EmulatorState }, op: BulkOperationRecord, plan: BulkQueryPlan, denied: boolean) {
  const service = serviceOf(ctx.state);
  runOperation(service, ctx, op, plan, denied).catch((error: unknown) => {
    // The emulator closing stops every run; anything else is the emulator's own fault, reported as Shopify would.
    if (service.signal.aborted) return;
    process.emitWarning(`emulator: bulk operation ${op.id} failed: ${(error as Error).stack ?? String(error)}`);
    stop(service, op, "FAILED", "INTERNAL_SERVER_ERROR");
  });
}

async function runOperation(
  service: Service,
  ctx: RequestContext & { state: EmulatorState },
  op: BulkOperationRecord,
  plan: BulkQueryPlan,
  denied: boolean,
) {
  const schema = loadAdminSchema();
  const document = { kind: Kind.DOCUMENT, definitions: [plan.operation] } as const;
  const fault = service.faults.get(op.shop)?.shift();
  // In short steps, so that an operation cancelled before it starts stops soon after.
  for (const until = Date.now() + service.startDelayMs; Date.now() < until && !op.cancelRequested;) {
    await pause(Math.min(20, until - Date.now()), service.signal);
  }
  if (op.cancelRequested) return stop(service, op, "CANCELED");
  op.status = "RUNNING";
  if (denied) return stop(service, op, "FAILED", "ACCESS_DENIED");
  const started = Date.now();
  const paging = { after: null as string | null, next: null as string | null };
  do {
    const now = Date.now();
    const pageCtx = { ...ctx, now };
    const result = execute({
      schema,
      document,
      rootValue: createQueryRoot(pageCtx),
      contextValue: pageCtx,
      fieldResolver: bulkFieldResolver(plan, paging),
      typeResolver: resolveType,
    }) as Awaited<ReturnType<typeof execute>>;
    if (result.errors?.length) {
      process.emitWarning(`emulator: bulk operation ${op.id} failed: ${result.errors[0].message}`);
      return stop(service, op, "FAILED", "INTERNAL_SERVER_ERROR");
    }
    const { lines, roots } = projectPage(schema, plan, result.data ?? {}, op.groupObjects);
    if (lines.length) {
      const chunk = Buffer.from(`${lines.join("\n")}\n`);
      op.chunks.push(chunk);
      op.size += chunk.length;
    }
    op.objectCount += lines.length;
    op.rootObjectCount += roots;
    if (fault && op.objectCount >= fault.afterObjects) return stop(service, op, "FAILED", fault.errorCode);
    paging.after = paging.next;
    await pause(started + (op.objectCount / service.objectsPerSecond) * 1000 - Date.now(), service.signal);
    if (op.cancelRequested) return stop(service, op, "CANCELED");
  } while (plan.rootIsConnection && paging.after);
  stop(service, op, "COMPLETED");
}

function stop(
  service: Service,
  op: BulkOperationRecord,
  status: "COMPLETED" | "FAILED" | "CANCELED",
  errorCode: BulkErrorCode | null = null,
) {
  const now = Date.now();
  op.status = status;
  op.errorCode = errorCode;
  if (status === "COMPLETED") op.completedAt = now;
  if (op.size > 0) {
    op.result = { key: randomBytes(14).toString("base64url").toLowerCase(), expiresAt: now + service.resultTtlMs };
    service.byKey.set(op.result.key, op);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** GET {origin}/bulk-operation-outputs/{key}-final?…: the JSONL, as Google Cloud Storage serves a signed object. */
export async function serveBulkResult(state: EmulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const service = serviceOf(state);
  const match = /^\/bulk-operation-outputs\/([a-z0-9_-]+)-final$/.exec(url.pathname);
  const op = match ? service.byKey.get(match[1]) : undefined;
  const log = (status: number, bytes = 0) => {
    service.downloads.push({ shop: op?.shop ?? "", operationId: op?.id ?? null, status, bytes });
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    log(405);
    return sendStorageError(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }
  const expires = Number(url.searchParams.get("Expires"));
  const signature = Buffer.from(url.searchParams.get("Signature") ?? "");
  const expected = Buffer.from(match ? sign(service, match[1], expires) : "");
  if (!match || !Number.isFinite(expires) || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    log(403);
    return sendStorageError(
      res,
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
    );
  }
  if (Date.now() >= expires * 1000 || !op?.result || Date.now() >= op.result.expiresAt) {
    log(400);
    return sendStorageError(res, 400, "ExpiredToken", "The provided token has expired.");
  }
  res.writeHead(200, {
    "Content-Type": url.searchParams.get("response-content-type") ?? "application/octet-stream",
    "Content-Disposition": url.searchParams.get("response-content-disposition") ?? "attachment",
    "Content-Length": op.size,
  });
  if (req.method === "HEAD") return void res.end();
  const hold = service.hold;
  service.hold = null;
  let sent = 0;
  const closed = new Promise<void>((resolve) => res.once("close", resolve));
  for (const file of op.chunks) {
    for (let offset = 0; offset < file.length; offset += CHUNK_BYTES) {
      let piece = file.subarray(offset, offset + CHUNK_BYTES);
      if (hold && sent < hold.afterBytes && sent + piece.length >= hold.afterBytes) {
        const head = piece.subarray(0, hold.afterBytes - sent);
        res.write(head);
        sent += head.length;
        piece = piece.subarray(head.length);
        hold.reached();
        await Promise.race([hold.released, closed]);
      }
      if (res.destroyed) {
        log(200, sent);
        return;
      }
      sent += piece.length;
      if (!res.write(piece)) await Promise.race([once(res, "drain"), closed]);
    }
  }
  res.end();
  log(200, sent);
}
