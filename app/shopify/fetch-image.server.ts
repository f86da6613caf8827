import { emulatorOrigin } from "./endpoint.server";
import { AdminApiError } from "./errors";

/**
 * Downloads a product photo from Shopify's CDN. Image URLs arrive from outside (the Admin API, the
 * browser), so only Shopify's CDN host is fetched (`image.url` in the Admin API is always
 * https://cdn.shopify.com/s/files/…), and, in demo and test setups, the Admin API emulator's origin.
 * Anything else would let a crafted URL make the server fetch internal addresses (SSRF).
 */
const CDN_HOSTS = new Set(["cdn.shopify.com"]);
const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 3;

export interface FetchImageOptions {
  maxBytes?: number;
  timeoutMs?: number;
}

export async function fetchProductImage(url: string, opts: FetchImageOptions = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let target = requireAllowedUrl(url);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await fetch(target, { redirect: "manual", signal, headers: { Accept: "image/*" } });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        if (!location || redirects >= MAX_REDIRECTS) {
          throw new AdminApiError("IMAGE_FETCH_FAILED", `Too many or empty redirects fetching ${target.hostname}.`, false);
        }
        const next = requireAllowedUrl(new URL(location, target).toString());
        // A redirect may move along the same host, never to another one.
        if (next.origin !== target.origin) throw notAllowed(next.toString());
        target = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const transient = response.status === 429 || response.status >= 500;
        throw new AdminApiError("IMAGE_FETCH_FAILED", `The product photo could not be downloaded (HTTP ${response.status}).`, transient, {
          status: response.status,
        });
      }
      return await readLimited(response, maxBytes);
    }
  } catch (error) {
    if (error instanceof AdminApiError) throw error;
    const timedOut = (error as Error)?.name === "TimeoutError";
    const message = timedOut
      ? `The product photo took longer than ${timeoutMs / 1000} s to download.`
      : "The product photo could not be downloaded.";
    throw new AdminApiError("IMAGE_FETCH_FAILED", message, true, { cause: (error as Error)?.message });
  }
}

function requireAllowedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw notAllowed(raw);
  }
  if (isShopifyHostedUrl(url, CDN_HOSTS)) return url;
  throw notAllowed(raw);
}

/** Whether a URL is plain https on one of Shopify's `hosts`, or on the Admin API emulator in demo and test setups. */
export function isShopifyHostedUrl(url: URL, hosts: ReadonlySet<string>): boolean {
  const emulator = emulatorOrigin();
  if (emulator && url.origin === new URL(emulator).origin) return true;
  return url.protocol === "https:" && hosts.has(url.hostname) && (url.port === "" || url.port === "443") && !url.username && !url.password;
}

function notAllowed(url: string): AdminApiError {
  return new AdminApiError("URL_NOT_ALLOWED", "Only images on Shopify's CDN can be used.", false, { url: url.slice(0, 200) });
}

/** Reads the body, stopping as soon as it passes the limit, so a huge answer never fills memory. */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): AdminApiError {
  return new AdminApiError("IMAGE_TOO_LARGE", `The product photo is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`, false, {
    maxBytes,
  });
}
