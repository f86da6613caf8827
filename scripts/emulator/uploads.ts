import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendStorageError, sendText } from "./http";
import { MAX_IMAGE_BYTES } from "./media";
import type { EmulatorState, StagedUpload } from "./state";

/**
 * Staged uploads, shaped like Shopify's Google Cloud Storage targets: a signed multipart POST form
 * (parameters first, then `file`) or a signed PUT of the raw bytes. The resourceUrl is what
 * `productUpdate(media: {originalSource})` is given afterwards.
 */
export const STAGED_PREFIX = "/staged/upload";
/** Multipart framing and form fields around the file. */
const FORM_OVERHEAD = 256 * 1024;

export interface StagedTarget {
  url: string;
  resourceUrl: string;
  parameters: { name: string; value: string }[];
}

export interface StagedRequest {
  filename: string;
  mimeType: string;
  httpMethod: "POST" | "PUT";
  fileSize?: number;
}

export function createStagedTarget(
  state: EmulatorState,
  origin: string,
  secret: string,
  shop: string,
  request: StagedRequest,
): StagedTarget {
  const key = `tmp/${shopFolder(shop)}/products/${randomUUID()}/${encodeURIComponent(request.filename)}`;
  const upload: StagedUpload = {
    key,
    shop,
    filename: request.filename,
    mimeType: request.mimeType,
    httpMethod: request.httpMethod,
    declaredSize: request.fileSize,
  };
  state.uploads.set(key, upload);
  const signature = sign(secret, key);
  const resourceUrl = `${origin}${STAGED_PREFIX}/${key}`;
  const date = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const credential = `emulator-staged-uploads@shopify.iam.gserviceaccount.com/${date.slice(0, 8)}/auto/storage/goog4_request`;
  if (request.httpMethod === "PUT") {
    const query = new URLSearchParams({
      "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
      "X-Goog-Credential": credential,
      "X-Goog-Date": date,
      "X-Goog-Expires": "604800",
      "X-Goog-SignedHeaders": "content-type;host",
      "X-Goog-Signature": signature,
    });
    return {
      url: `${resourceUrl}?${query}`,
      resourceUrl,
      parameters: [
        { name: "content_type", value: request.mimeType },
        { name: "acl", value: "private" },
      ],
    };
  }
  const policy = Buffer.from(
    JSON.stringify({
      conditions: [
        { "Content-Type": request.mimeType },
        { success_action_status: "201" },
        { acl: "private" },
        ["content-length-range", 1, MAX_IMAGE_BYTES],
        { key },
      ],
      expiration: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    }),
  ).toString("base64");
  return {
    url: `${origin}${STAGED_PREFIX}`,
    resourceUrl,
    parameters: [
      { name: "Content-Type", value: request.mimeType },
      { name: "success_action_status", value: "201" },
      { name: "acl", value: "private" },
      { name: "key", value: key },
      { name: "x-goog-date", value: date },
      { name: "x-goog-credential", value: credential },
      { name: "x-goog-algorithm", value: "GOOG4-RSA-SHA256" },
      { name: "x-goog-signature", value: signature },
      { name: "policy", value: policy },
    ],
  };
}

/** The staged upload a resourceUrl names, if it was created by this emulator. */
export function findStagedUpload(state: EmulatorState, origin: string, resourceUrl: string): StagedUpload | undefined {
  const prefix = `${origin}${STAGED_PREFIX}/`;
  if (!resourceUrl.startsWith(prefix)) return undefined;
  return state.uploads.get(resourceUrl.slice(prefix.length).split("?")[0]);
}

export async function handleStagedUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: EmulatorState,
  secret: string,
): Promise<void> {
  try {
    if (req.method === "POST" && url.pathname === STAGED_PREFIX) return await receiveForm(req, res, state, secret);
    if (req.method === "PUT" && url.pathname.startsWith(`${STAGED_PREFIX}/`)) {
      return await receivePut(req, res, url, state, secret);
    }
    sendStorageError(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendStorageError(
        res,
        400,
        "EntityTooLarge",
        "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
      );
      return;
    }
    throw error;
  }
}

async function receiveForm(req: IncomingMessage, res: ServerResponse, state: EmulatorState, secret: string): Promise<void> {
  const contentType = req.headers["content-type"] ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    return sendStorageError(res, 400, "InvalidArgument", "POST requires a multipart/form-data body.");
  }
  const body = await readBody(req, MAX_IMAGE_BYTES + FORM_OVERHEAD);
  const form = await new Request("http://staged.local/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: new Uint8Array(body),
  }).formData();
  const key = formText(form, "key");
  const upload = state.uploads.get(key);
  if (!upload || upload.httpMethod !== "POST" || !verify(secret, key, formText(form, "x-goog-signature"))) {
    return sendStorageError(res, 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed.");
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) return sendStorageError(res, 400, "InvalidArgument", "Bucket POST must contain a field named 'file'.");
  const bytes = Buffer.from(await file.arrayBuffer());
  if (bytes.length === 0)
    return sendStorageError(
      res,
      400,
      "EntityTooSmall",
      "Your proposed upload is smaller than the minimum object size specified in your Policy Document.",
    );
  if (bytes.length > MAX_IMAGE_BYTES) {
    return sendStorageError(
      res,
      400,
      "EntityTooLarge",
      "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
    );
  }
  upload.bytes = bytes;
  sendText(
    res,
    201,
    `<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>${STAGED_PREFIX}/${key}</Location><Bucket>shopify-staged-uploads</Bucket><Key>${key}</Key><ETag>"${bytes.length}"</ETag></PostResponse>`,
    "application/xml; charset=UTF-8",
  );
}

async function receivePut(req: IncomingMessage, res: ServerResponse, url: URL, state: EmulatorState, secret: string): Promise<void> {
  const key = decodeURIComponent(url.pathname.slice(STAGED_PREFIX.length + 1));
  const upload = state.uploads.get(key) ?? state.uploads.get(url.pathname.slice(STAGED_PREFIX.length + 1));
  if (!upload || upload.httpMethod !== "PUT" || !verify(secret, upload.key, url.searchParams.get("X-Goog-Signature") ?? "")) {
    return sendStorageError(res, 403, "SignatureDoesNotMatch", "Access denied.");
  }
  // The signed headers include content-type: another type breaks the signature on Google Cloud Storage.
  const sentType = req.headers["content-type"];
  if (sentType && sentType.split(";")[0].trim() !== upload.mimeType) {
    return sendStorageError(
      res,
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
    );
  }
  const bytes = await readBody(req, MAX_IMAGE_BYTES);
  if (bytes.length === 0) return sendStorageError(res, 400, "EntityTooSmall", "The upload is empty.");
  upload.bytes = bytes;
  res.writeHead(200, { ETag: `"${bytes.length}"`, "Content-Length": 0 });
  res.end();
}

function shopFolder(shop: string): string {
  return String(parseInt(createHmac("sha256", "shop").update(shop).digest("hex").slice(0, 10), 16));
}

function sign(secret: string, key: string): string {
  return createHmac("sha256", secret).update(key).digest("hex");
}

function verify(secret: string, key: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, key));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A text field of a form post; a file where text belongs counts as missing. */
function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
