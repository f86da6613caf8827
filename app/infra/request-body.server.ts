import { once } from "node:events";
import { createWriteStream, openAsBlob, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { json } from "@remix-run/node";
import { MAX_PHOTOS, MAX_UPLOAD_BYTES } from "../models/constants";
import type { Message } from "../i18n/index";

// Every request body the app reads, read with a limit: a Content-Length over it is refused before a
// byte is read, and a body without one (chunked) is counted as it arrives and refused once it passes
// the limit. Nothing over a limit is buffered. Multipart uploads go to a temporary folder as they
// stream, so memory stays flat whatever the client sends. A refusal is thrown as a Response, in the
// pages' `{ errors: { field: { code, values } } }` shape, like the other require* helpers.

/** Forms and JSON from the app's pages and extensions: a few ids and options (body-parser's default). */
export const FORM_BODY_LIMIT = 100 * 1024;
/** Shopify's webhook payloads for the topics the app subscribes to are a few kilobytes. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export const BODY_MESSAGES = {
  requestTooLarge: { code: "REQUEST_TOO_LARGE" },
  photoTooLarge: { code: "PHOTO_TOO_LARGE", values: { mb: MAX_UPLOAD_BYTES / 1024 / 1024 } },
  tooManyPhotos: { code: "PHOTOS_TOO_MANY", values: { count: MAX_PHOTOS } },
  tooManyFields: { code: "FORM_TOO_MANY_FIELDS" },
  unexpectedField: (name: string) => ({ code: "FORM_UNEXPECTED_FIELD", values: { name } }),
  fieldTooLong: (name: string) => ({ code: "FORM_FIELD_TOO_LONG", values: { name } }),
  unreadable: { code: "FORM_UNREADABLE" },
  notJson: { code: "BODY_NOT_JSON" },
} satisfies Record<string, Message | ((name: string) => Message)>;

class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly reason: Message,
    /** The form field the message belongs to, as the pages show errors. */
    readonly field = "form",
  ) {
    super(reason.code);
    this.name = "BodyError";
  }
}

function refusal(error: BodyError): Response {
  return json({ errors: { [error.field]: error.reason } }, { status: error.status });
}

/** Runs a reader and throws its refusal as a Response. */
async function orRefuse<T>(request: Request, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof BodyError) {
      discardRest(request);
      throw refusal(error);
    }
    throw error;
  }
}

/** How much of a refused body is read and thrown away, at most, and for how long. */
const DISCARD_BYTES = 64 * 1024 * 1024;
const DISCARD_MS = 10_000;

/**
 * Reads what the client still sends of a refused body and throws it away, for a while (a "lingering
 * close", as nginx does): a connection closed with unread bytes is reset by the kernel, and the client
 * then loses the refusal it has not read yet. Nothing is kept, so memory stays flat.
 */
function discardRest(request: Request): void {
  const body = request.body;
  if (!body) return;
  const deadline = Date.now() + DISCARD_MS;
  let read = 0;
  const discard = async () => {
    // The parser that refused may still be finishing its last read; it lets go of the stream then.
    while (body.locked && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (body.locked) return;
    const reader = body.getReader();
    while (read < DISCARD_BYTES && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  };
  // Once the refusal has been handed back (the next turn of the event loop), so that what was read to
  // decide it is all that was read before the answer.
  setImmediate(() => {
    discard().catch(() => {
      // The client went away: there is nothing left to discard.
    });
  });
}

function refuseByContentLength(request: Request, maxBytes: number, field?: string) {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > maxBytes) throw new BodyError(413, BODY_MESSAGES.requestTooLarge, field);
}

/** The body's bytes, at most `maxBytes` of them. */
async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  refuseByContentLength(request, maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return new Uint8Array(Buffer.concat(chunks));
      total += value.byteLength;
      // The rest is discarded for a while after the refusal (see discardRest), never kept.
      if (total > maxBytes) throw new BodyError(413, BODY_MESSAGES.requestTooLarge);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/** A URL-encoded or multipart form without files, as `request.formData()` gives it, within `maxBytes`. */
export function readForm(request: Request, maxBytes = FORM_BODY_LIMIT): Promise<FormData> {
  return orRefuse(request, async () => {
    const bytes = await readBytes(request, maxBytes);
    try {
      return await new Response(bytes, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw new BodyError(400, BODY_MESSAGES.unreadable);
    }
  });
}

export function readJson(request: Request, maxBytes = FORM_BODY_LIMIT): Promise<unknown> {
  return orRefuse(request, async () => {
    const bytes = await readBytes(request, maxBytes);
    try {
      return JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
    } catch {
      throw new BodyError(400, BODY_MESSAGES.notJson, "body");
    }
  });
}

/** A copy of `request` whose body has been read within `maxBytes`, for code that reads the body itself. */
export function withBoundedBody(request: Request, maxBytes: number): Promise<Request> {
  return orRefuse(request, async () => {
    const body = await readBytes(request, maxBytes);
    return new Request(request.url, { method: request.method, headers: request.headers, body: body.length ? body : undefined });
  });
}

export interface UploadFormSpec {
  /** The text fields the page sends; any other field refuses the request. */
  fields: readonly string[];
  /** The one field that carries files. */
  fileField: string;
  maxFiles: number;
  maxFileBytes: number;
  maxFieldBytes: number;
  /** The whole body, files and fields and multipart framing. */
  maxTotalBytes: number;
}

export interface UploadForm {
  /** Text fields as strings, files as Files read from the temporary folder. */
  form: FormData;
  /** Removes the uploaded files; call it once the request is done with them. */
  cleanup(): Promise<void>;
}

/**
 * A multipart form with files, streamed through busboy, which enforces the per-file, per-field and
 * count limits while parsing; the total is counted here. The first broken limit stops reading.
 */
export function parseUploadForm(request: Request, spec: UploadFormSpec): Promise<UploadForm> {
  return orRefuse(request, () => streamUploadForm(request, spec));
}

async function streamUploadForm(request: Request, spec: UploadFormSpec): Promise<UploadForm> {
  refuseByContentLength(request, spec.maxTotalBytes, spec.fileField);
  const contentType = request.headers.get("content-type") ?? "";
  if (!request.body || !contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new BodyError(400, BODY_MESSAGES.unreadable);
  }
  const body = request.body;
  const dir = await mkdtemp(path.join(tmpdir(), "studio-upload-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const fields: [string, string][] = [];
  const files: Promise<[string, File]>[] = [];
  const writers: WriteStream[] = [];
  const stop = new AbortController();

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      limits: {
        fieldNameSize: 100,
        fieldSize: spec.maxFieldBytes,
        fields: spec.fields.length * MAX_PHOTOS,
        // busboy reports the limit on reaching it; a photo of exactly maxFileBytes is allowed.
        fileSize: spec.maxFileBytes + 1,
        files: spec.maxFiles,
        parts: spec.fields.length * MAX_PHOTOS + spec.maxFiles,
        headerPairs: 20,
      },
    });
  } catch {
    await cleanup();
    throw new BodyError(400, BODY_MESSAGES.unreadable);
  }

  const parsed = new Promise<void>((resolve, reject) => {
    const fail = (error: BodyError) => {
      if (stop.signal.aborted) return;
      stop.abort(error);
      for (const writer of writers) writer.destroy();
      reject(error);
    };
    parser.on("field", (name, value, info) => {
      if (!spec.fields.includes(name)) return fail(new BodyError(400, BODY_MESSAGES.unexpectedField(name)));
      if (info.nameTruncated || info.valueTruncated) return fail(new BodyError(400, BODY_MESSAGES.fieldTooLong(name), name));
      fields.push([name, value]);
    });
    parser.on("file", (name, stream, info) => {
      if (name !== spec.fileField) {
        stream.resume();
        return fail(new BodyError(400, BODY_MESSAGES.unexpectedField(name)));
      }
      const file = path.join(dir, String(files.length));
      const writer = createWriteStream(file);
      writers.push(writer);
      stream.on("limit", () => fail(new BodyError(413, BODY_MESSAGES.photoTooLarge, spec.fileField)));
      const written = pipeline(stream, writer).then(async (): Promise<[string, File]> => {
        const blob = await openAsBlob(file, { type: info.mimeType });
        return [name, new File([blob], info.filename ?? "upload", { type: info.mimeType })];
      });
      // A failure after fail() has already answered; this only keeps it from being unhandled.
      written.catch(() => {});
      files.push(written);
    });
    parser.on("filesLimit", () => fail(new BodyError(400, BODY_MESSAGES.tooManyPhotos, spec.fileField)));
    parser.on("fieldsLimit", () => fail(new BodyError(400, BODY_MESSAGES.tooManyFields)));
    parser.on("partsLimit", () => fail(new BodyError(400, BODY_MESSAGES.tooManyFields)));
    parser.on("error", () => fail(new BodyError(400, BODY_MESSAGES.unreadable)));
    parser.on("close", () => {
      Promise.all(files).then(
        () => resolve(),
        () => fail(new BodyError(400, BODY_MESSAGES.unreadable)),
      );
    });
    feed(body, parser, spec, stop.signal).catch((error: unknown) =>
      fail(error instanceof BodyError ? error : new BodyError(400, BODY_MESSAGES.unreadable)),
    );
  });

  try {
    await parsed;
  } catch (error) {
    await cleanup();
    throw error;
  }
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  for (const [name, file] of await Promise.all(files)) form.append(name, file);
  return { form, cleanup };
}

/** Writes the body into the parser with backpressure, counting it; stops (without cancelling) on `signal`. */
async function feed(body: ReadableStream<Uint8Array>, parser: busboy.Busboy, spec: UploadFormSpec, signal: AbortSignal) {
  const reader = body.getReader();
  let total = 0;
  try {
    while (!signal.aborted) {
      const { done, value } = await reader.read();
      if (signal.aborted) return;
      if (done) {
        parser.end();
        return;
      }
      total += value.byteLength;
      if (total > spec.maxTotalBytes) throw new BodyError(413, BODY_MESSAGES.requestTooLarge, spec.fileField);
      if (!parser.write(value)) await once(parser, "drain", { signal }).catch(() => {});
    }
  } finally {
    reader.releaseLock();
  }
}
