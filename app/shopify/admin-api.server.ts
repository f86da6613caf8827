import { randomUUID } from "node:crypto";
import { ADMIN_API_VERSION } from "./api-version";
import { adminGraphqlUrl } from "./endpoint.server";
import { AdminApiError } from "./errors";
import { createPacer, type Pacer, type SharedPacing, type ThrottleStatus } from "./throttle.server";
import { logger } from "~/infra/logger.server";

export { AdminApiError, assertNoUserErrors } from "./errors";
export type { AdminApiErrorCode } from "./errors";

export interface AdminApiLog {
  warn(message: string, context: Record<string, unknown>): void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * Whether sending the request twice is harmless. Queries are; mutations are assumed not to be, so after
   * a 5xx or a dropped connection (which may have run) they fail instead of being sent again.
   * THROTTLED and 429 answers are always retried: Shopify did not run those requests.
   */
  idempotent?: boolean;
}

declare const resultType: unique symbol;
declare const variablesType: unique symbol;

/**
 * An Admin GraphQL document with the result and variables types that `npm run graphql-codegen` wrote for it
 * (app/types/admin.generated.d.ts), so that `request` answers with them; at run time it is the string.
 */
export type AdminDocument<Result, Variables extends Record<string, unknown>> = string & {
  readonly [resultType]?: Result;
  readonly [variablesType]?: Variables;
};
type UntypedDocument = string & { readonly [resultType]?: undefined };
type ResultOf<D> = D extends { readonly [resultType]?: infer R } ? R : unknown;
type VariablesOf<D> = D extends { readonly [variablesType]?: infer V extends Record<string, unknown> } ? V : Record<string, unknown>;

export interface AdminApi {
  readonly shop: string;
  /** The fetch this API was built with, for the staged uploads that go with its mutations. */
  readonly fetch: typeof fetch;
  /** A document of documents.ts answers with its generated result type, and takes its generated variables. */
  request<D extends AdminDocument<unknown, Record<string, unknown>>>(
    document: D,
    variables?: VariablesOf<D>,
    opts?: RequestOptions,
  ): Promise<ResultOf<D>>;
  /** Any other document (tests' own, ad hoc): the caller says what it expects. Not for typed documents, whose types win. */
  request<T = unknown>(document: UntypedDocument, variables?: Record<string, unknown>, opts?: RequestOptions): Promise<T>;
}

export interface RetryPolicy {
  tries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Each attempt's own time limit. */
  timeoutMs: number;
}

export interface AdminApiOptions {
  shop: string;
  accessToken: string;
  /** Pacing shared with every process through Redis; in-process pacing without it. */
  pacing?: SharedPacing;
  fetch?: typeof fetch;
  log?: AdminApiLog;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { tries: 6, baseDelayMs: 500, maxDelayMs: 15_000, timeoutMs: 30_000 };
/** Until Shopify has told us what an operation costs (its requestedQueryCost), assume this much. */
const GUESSED_COST = { query: 50, mutation: 10 };

interface GraphqlAnswer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[] | string | Record<string, unknown>;
  extensions?: { cost?: { requestedQueryCost?: number | null; throttleStatus?: ThrottleStatus } };
}

/** What one attempt ended with: an answer, or an error and whether and when to try again. */
type Attempt = { ok: true; data: unknown } | { ok: false; error: AdminApiError; retry: boolean; delayMs?: number };

// One pacer per Redis connection and prefix (or per process without Redis), shared by every AdminApi built on it.
const pacers = new WeakMap<object, Map<string, Pacer>>();
const processKey = {};
/** requestedQueryCost by operation name, learnt from answers. */
const knownCosts = new Map<string, number>();

export function createAdminApi(options: AdminApiOptions): AdminApi {
  const { shop, accessToken } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const log = options.log ?? { warn: (message, context) => logger.warn(context, message) };
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const pacerKey = options.pacing?.redis ?? processKey;
  const byPrefix = pacers.get(pacerKey) ?? new Map<string, Pacer>();
  pacers.set(pacerKey, byPrefix);
  let pacer = byPrefix.get(options.pacing?.prefix ?? "");
  if (!pacer) byPrefix.set(options.pacing?.prefix ?? "", (pacer = createPacer(options.pacing)));
  const url = adminGraphqlUrl(shop, ADMIN_API_VERSION);

  async function request<T>(document: string, variables: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<T> {
    const { name: operationName, kind } = readOperation(document);
    const idempotent = opts.idempotent ?? kind === "query";
    const body = JSON.stringify({ query: document, variables, operationName });
    for (let attempt = 1; ; attempt++) {
      const requestId = randomUUID();
      await waitForPoints(requestId, knownCosts.get(operationName) ?? GUESSED_COST[kind], opts.signal);
      const outcome = await send(body, operationName, requestId, opts.signal);
      if (outcome.ok) return outcome.data as T;
      const { error } = outcome;
      if (!outcome.retry || (!idempotent && !isSafeToResend(error)) || attempt >= retry.tries) throw error;
      const delayMs = outcome.delayMs ?? backoff(attempt);
      log.warn("Admin API call failed; retrying", { shop, operationName, attempt, code: error.code, reason: error.message, delayMs });
      await sleep(delayMs, opts.signal);
    }
  }

  async function waitForPoints(requestId: string, cost: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const waitMs = await pacer!.reserve(shop, requestId, cost);
      if (waitMs <= 0) return;
      // A little jitter so that processes waiting for the same points do not all wake at once.
      await sleep(waitMs + Math.random() * 50, signal);
    }
  }

  async function send(body: string, operationName: string, requestId: string, signal?: AbortSignal): Promise<Attempt> {
    let response: Response;
    let answer: GraphqlAnswer | undefined;
    try {
      const timeout = AbortSignal.timeout(retry.timeoutMs);
      response = await fetchImpl(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": accessToken },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      answer = parseAnswer(await response.text());
    } catch (cause) {
      await pacer!.record(shop, requestId, undefined);
      if (signal?.aborted) throw signal.reason;
      const unsent = isUnsent(cause);
      const error = new AdminApiError("NETWORK_ERROR", `Could not reach Shopify: ${describeCause(cause)}`, true, { unsent });
      return { ok: false, error, retry: true };
    }
    const cost = answer?.extensions?.cost;
    await pacer!.record(shop, requestId, cost?.throttleStatus);
    if (typeof cost?.requestedQueryCost === "number" && cost.requestedQueryCost > 0) {
      knownCosts.set(operationName, cost.requestedQueryCost);
    }
    return classifyAnswer(response, answer);
  }

  function backoff(attempt: number): number {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  return { shop, fetch: fetchImpl, request };
}

function classifyAnswer(response: Response, answer: GraphqlAnswer | undefined): Attempt {
  const status = response.status;
  if (status === 401 || status === 403) {
    const error = new AdminApiError(
      "UNAUTHORIZED",
      "Shopify refused the app's access token: the app was uninstalled or its access was revoked.",
      false,
      { status },
    );
    return { ok: false, error, retry: false };
  }
  if (status === 429) {
    const retryAfter = Number(response.headers.get("Retry-After"));
    const error = new AdminApiError("THROTTLED", "Shopify asked the app to slow down (429).", true, { status });
    return { ok: false, error, retry: true, delayMs: retryAfter > 0 ? retryAfter * 1000 : undefined };
  }
  if (status >= 500) {
    return { ok: false, error: new AdminApiError("SERVER_ERROR", `Shopify answered ${status}.`, true, { status }), retry: true };
  }
  if (status !== 200 || !answer) {
    const message = `Shopify answered ${status}: ${stringifyErrors(answer?.errors) || response.statusText}`;
    return { ok: false, error: new AdminApiError("GRAPHQL_ERROR", message, false, { status, errors: answer?.errors }), retry: false };
  }
  const errors = Array.isArray(answer.errors) ? answer.errors : answer.errors ? [{ message: stringifyErrors(answer.errors) }] : [];
  if (errors.length === 0) return { ok: true, data: answer.data };

  const codes = errors.map((e) => e.extensions?.code);
  if (codes.includes("THROTTLED")) {
    // The pacer now holds Shopify's figure for the bucket and makes the next attempt wait for the points.
    return { ok: false, error: new AdminApiError("THROTTLED", "Shopify throttled the request.", true), retry: true, delayMs: 0 };
  }
  if (codes.includes("INTERNAL_SERVER_ERROR")) {
    const error = new AdminApiError("SERVER_ERROR", `Shopify failed internally: ${stringifyErrors(errors)}`, true, { errors });
    return { ok: false, error, retry: true };
  }
  const error = new AdminApiError("GRAPHQL_ERROR", `Shopify rejected the request: ${stringifyErrors(errors)}`, false, { errors });
  return { ok: false, error, retry: false };
}

/** Proxies and outages answer with HTML; the status then says what happened. */
function parseAnswer(text: string): GraphqlAnswer | undefined {
  try {
    return text ? (JSON.parse(text) as GraphqlAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/** A request Shopify certainly did not run may be sent again even when it is not idempotent. */
function isSafeToResend(error: AdminApiError): boolean {
  if (error.code === "THROTTLED") return true;
  return error.code === "NETWORK_ERROR" && (error.details as { unsent?: boolean } | undefined)?.unsent === true;
}

/** Errors raised before any byte of the request left this machine. */
function isUnsent(cause: unknown): boolean {
  const code = (cause as { cause?: { code?: string } })?.cause?.code ?? (cause as { code?: string })?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if ((cause as Error)?.name === "TimeoutError") return "the request timed out";
  return inner?.code ?? inner?.message ?? (cause as Error)?.message ?? String(cause);
}

function stringifyErrors(errors: GraphqlAnswer["errors"]): string {
  if (!errors) return "";
  if (typeof errors === "string") return errors;
  if (Array.isArray(errors)) return errors.map((e) => e.message).join("; ");
  return JSON.stringify(errors);
}

const OPERATION = /^\s*(query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/m;

/** Every document the app sends is a named operation (documents.test.ts holds them to it). */
export function readOperation(document: string): { kind: "query" | "mutation"; name: string } {
  const match = OPERATION.exec(document.replace(/^\s*#.*$/gm, ""));
  if (!match) throw new AdminApiError("GRAPHQL_ERROR", "The Admin API document has no named query or mutation.", false);
  return { kind: match[1] as "query" | "mutation", name: match[2] };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
