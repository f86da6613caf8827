/**
 * Every failure met at the Shopify boundary (Admin API, staged uploads, the CDN), classified once, here:
 * `transient` failures may succeed when retried later; the others need the merchant or a code change.
 */
export type AdminApiErrorCode =
  | "UNAUTHORIZED"
  | "USER_ERROR"
  | "GRAPHQL_ERROR"
  | "THROTTLED"
  | "SERVER_ERROR"
  | "NETWORK_ERROR"
  | "PRODUCT_NOT_FOUND"
  | "MEDIA_LIMIT"
  | "MEDIA_TIMEOUT"
  | "UPLOAD_FAILED"
  | "URL_NOT_ALLOWED"
  | "IMAGE_TOO_LARGE"
  | "IMAGE_FETCH_FAILED"
  | "USAGE_CAP_REACHED"
  | "BULK_BUSY"
  | "BULK_FAILED"
  | "BULK_CANCELED"
  | "BULK_EXPIRED"
  | "BULK_TIMEOUT"
  | "BULK_NOT_FOUND"
  | "BULK_RESULT_INVALID";

export class AdminApiError extends Error {
  constructor(
    readonly code: AdminApiErrorCode | (string & {}),
    message: string,
    readonly transient: boolean,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export interface UserErrorLike {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

/**
 * Mutations report invalid input as `userErrors` (or `mediaUserErrors`) in a successful answer;
 * this turns them into one readable error naming the field, e.g. `productUpdate: media.0.alt: Alt text is too long`.
 */
/** Throws unless the mutation answered a payload without user errors; after it, the payload is known to be there. */
export function assertNoUserErrors<T>(payload: T, what: string): asserts payload is NonNullable<T> {
  if (!payload || typeof payload !== "object") {
    throw new AdminApiError("GRAPHQL_ERROR", `${what}: Shopify returned no result.`, false);
  }
  const record = payload as { userErrors?: UserErrorLike[] | null; mediaUserErrors?: UserErrorLike[] | null };
  const errors = [...(record.userErrors ?? []), ...(record.mediaUserErrors ?? [])];
  if (errors.length === 0) return;
  throw new AdminApiError("USER_ERROR", `${what}: ${errors.map(describeUserError).join("; ")}`, false, errors);
}

export function describeUserError(error: UserErrorLike): string {
  const field = error.field?.length ? `${error.field.join(".")}: ` : "";
  return `${field}${error.message}`;
}
