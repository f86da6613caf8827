// The app backend's extension endpoint, shared by the product-page action and the bulk action.
// Relative URLs in admin UI extensions resolve against the app's application_url.

export type Mode = "white" | "lifestyle";
export const MODES: readonly Mode[] = ["white", "lifestyle"];

export interface QueuedJob {
  id: string;
  productId: string;
  url: string;
}

export type GenerateOutcome =
  | { kind: "queued"; batchId: string | null; jobs: QueuedJob[] }
  // The app refused with its own per-field errors (4xx, or 503 when its queue is down): shown as they are.
  | { kind: "rejected"; messages: string[] }
  // No usable answer: network failure, server error, or a body that is not the app's.
  | { kind: "unreachable"; status?: number };

// `shopify.auth` of the extension API: its idToken() is a session token for the app's backend.
interface Auth {
  idToken(): Promise<string | null>;
}

async function callApp(auth: Auth, init: RequestInit = {}): Promise<Response> {
  const token = await auth.idToken();
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return fetch("/api/generate", { ...init, headers });
}

function isMode(value: unknown): value is Mode {
  return MODES.includes(value as Mode);
}

/**
 * `language` is the merchant's (the extension's own `locale` text, from the locale file the admin chose):
 * the app answers its refusals in it.
 */
export async function requestGeneration(
  auth: Auth,
  productIds: string[],
  mode: Mode | undefined,
  language?: string,
): Promise<GenerateOutcome> {
  let response: Response;
  try {
    response = await callApp(auth, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(language ? { "Accept-Language": language } : {}) },
      body: JSON.stringify({ productIds, mode }),
    });
  } catch {
    return { kind: "unreachable" };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body && typeof body === "object" && Array.isArray((body as { jobs?: unknown }).jobs)) {
    const { batchId, jobs } = body as { batchId?: string | null; jobs: QueuedJob[] };
    return { kind: "queued", batchId: batchId ?? null, jobs };
  }
  const errors = body && typeof body === "object" ? (body as { errors?: unknown }).errors : undefined;
  if (!response.ok && errors && typeof errors === "object") {
    const messages = Object.values(errors).filter((message): message is string => typeof message === "string");
    if (messages.length > 0) return { kind: "rejected", messages };
  }
  return { kind: "unreachable", status: response.status };
}

// The shop's default mode, when the app tells it (GET /api/generate → { defaultMode }). Without it the
// request leaves `mode` out and the app applies its default anyway.
export async function fetchDefaultMode(auth: Auth): Promise<Mode | undefined> {
  try {
    const response = await callApp(auth);
    if (!response.ok) return undefined;
    const body = (await response.json()) as { defaultMode?: unknown };
    return isMode(body.defaultMode) ? body.defaultMode : undefined;
  } catch {
    return undefined;
  }
}

// `app:` URLs open a page of this app inside the admin, whatever its host (embedded or not).
export function appLink(path: string): string {
  return `app:${path.replace(/^\//, "")}`;
}
