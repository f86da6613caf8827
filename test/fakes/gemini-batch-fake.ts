import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeAnswer, RecordedRequest } from "./http-fake";

/**
 * A stand-in for the Gemini API's Batch and Files endpoints, on the wire format @google/genai 3 sends and
 * parses (read from the SDK's source: Batches.createInternal/get/cancel/listInternal, batchJobFromMldev,
 * NodeUploader, downloadFile):
 * Paths as the SDK builds them under its API version (v1 by default in 3.3, v1beta when configured):
 * - POST /v1beta/models/{model}:batchGenerateContent  {batch: {displayName, inputConfig: {requests: {requests:
 *   [{request, metadata}]}} | {fileName}}}  → a long-running operation {name, metadata: {state: BATCH_STATE_*, …}}
 * - GET /v1beta/batches/{id} → the operation; once finished, `done` and metadata.output with
 *   inlinedResponses.inlinedResponses [{response | error, metadata}] or responsesFile
 * - POST /v1beta/batches/{id}:cancel → {}; GET /v1beta/batches?pageSize → {operations, nextPageToken}
 * - POST /upload/v1beta/files (X-Goog-Upload-Command: start) → X-Goog-Upload-URL; the chunks with
 *   "upload" / "upload, finalize" → x-goog-upload-status and {file}; GET /v1beta/files/{id}:download?alt=media
 * The test decides each request's answer and moves batches through their states (or lets the fake finish a
 * batch after a number of polls). With `generateContent`, the same server also answers interactive calls
 * (POST /v1beta/models/{model}:generateContent), as Google's one endpoint does.
 */

export type BatchAnswer = { response: unknown } | { error: { code: number; message: string; status: string } };
export type FakeBatchState =
  | "BATCH_STATE_PENDING"
  | "BATCH_STATE_RUNNING"
  | "BATCH_STATE_SUCCEEDED"
  | "BATCH_STATE_FAILED"
  | "BATCH_STATE_CANCELLED"
  | "BATCH_STATE_EXPIRED";

interface FakeBatch {
  id: string;
  model: string;
  displayName: string;
  state: FakeBatchState;
  source: "inline" | "file";
  requests: { key: string; request: Record<string, unknown> }[];
  answers?: BatchAnswer[];
  responsesFile?: string;
  createTime: string;
  updateTime: string;
}

const TERMINAL = new Set<FakeBatchState>(["BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"]);

export interface GeminiBatchFakeOptions {
  apiKey?: string;
  /** Answers interactive generateContent calls on the same server. */
  generateContent?: (body: Record<string, unknown>) => FakeAnswer | Promise<FakeAnswer>;
  /** Google finishes a batch by itself once it has been polled (GET) this many times. */
  finishAfterPolls?: number;
}

export async function startGeminiBatchFake(
  answer: (request: { key: string; request: Record<string, unknown> }, index: number) => BatchAnswer | Promise<BatchAnswer>,
  options: GeminiBatchFakeOptions = {},
) {
  const apiKey = options.apiKey ?? "test-key";
  let finishAfterPolls = options.finishAfterPolls;
  // Creates whose answers are held: Google has the batch, the caller does not know yet (or never will).
  let holdingCreates = false;
  const heldCreates: (() => void)[] = [];
  const polls = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const batches = new Map<string, FakeBatch>();
  const files = new Map<string, { bytes: Buffer; mimeType: string; displayName?: string }>();
  const uploads = new Map<string, { chunks: Buffer[]; mimeType: string; displayName?: string }>();
  let counter = 0;
  let url = "";

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what: string) =>
    send(res, 404, { error: { code: 404, message: `${what} not found.`, status: "NOT_FOUND" } });

  const operation = (batch: FakeBatch) => {
    const output =
      batch.state !== "BATCH_STATE_SUCCEEDED"
        ? undefined
        : batch.source === "inline"
          ? { inlinedResponses: { inlinedResponses: batch.answers!.map((a, i) => ({ ...a, metadata: { key: batch.requests[i].key } })) } }
          : { responsesFile: batch.responsesFile };
    const metadata = {
      "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch",
      model: `models/${batch.model}`,
      name: `batches/${batch.id}`,
      displayName: batch.displayName,
      state: batch.state,
      createTime: batch.createTime,
      updateTime: batch.updateTime,
      batchStats: { requestCount: String(batch.requests.length) },
      ...(output ? { output } : {}),
    };
    return { name: `batches/${batch.id}`, metadata, ...(TERMINAL.has(batch.state) ? { done: true } : {}) };
  };

  function setState(batch: FakeBatch, state: FakeBatchState) {
    batch.state = state;
    batch.updateTime = new Date().toISOString();
  }

  async function finish(name: string) {
    const batch = batches.get(name.replace(/^batches\//, ""))!;
    if (TERMINAL.has(batch.state)) return;
    const answers: BatchAnswer[] = [];
    for (const [i, r] of batch.requests.entries()) answers.push(await answer(r, i));
    if (TERMINAL.has(batch.state)) return;
    batch.answers = answers;
    if (batch.source === "file") {
      batch.responsesFile = `files/responses-${batch.id}`;
      // Google does not promise the file's lines in request order: the fake writes them backwards.
      const lines = batch.answers.map((a, i) => JSON.stringify({ key: batch.requests[i].key, ...a })).reverse();
      files.set(batch.responsesFile, { bytes: Buffer.from(lines.join("\n")), mimeType: "application/jsonl" });
    }
    setState(batch, "BATCH_STATE_SUCCEEDED");
  }

  async function handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const target = new URL(req.url ?? "/", "http://fake");
    if (req.headers["x-goog-api-key"] !== apiKey)
      return send(res, 403, { error: { code: 403, message: "API key not valid.", status: "PERMISSION_DENIED" } });
    let match: RegExpExecArray | null;

    if (req.method === "POST" && options.generateContent && /^\/v1(?:beta)?\/models\/([^/:]+):generateContent$/.test(target.pathname)) {
      const { status, body: answerBody } = await options.generateContent(JSON.parse(body.toString()) as Record<string, unknown>);
      return send(res, status, answerBody);
    }
    if (req.method === "POST" && (match = /^\/v1(?:beta)?\/models\/([^/:]+):batchGenerateContent$/.exec(target.pathname))) {
      const { batch: input } = JSON.parse(body.toString()) as {
        batch: { displayName?: string; inputConfig: { requests?: { requests: Record<string, unknown>[] }; fileName?: string } };
      };
      const id = `fake${++counter}`;
      const now = new Date().toISOString();
      let list: FakeBatch["requests"];
      if (input.inputConfig.fileName) {
        const file = files.get(input.inputConfig.fileName);
        if (!file) return notFound(res, input.inputConfig.fileName);
        list = file.bytes
          .toString("utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { key: string; request: Record<string, unknown> });
      } else {
        list = input.inputConfig.requests!.requests.map((r, i) => ({
          key: String((r.metadata as { key?: string } | undefined)?.key ?? i),
          request: r.request as Record<string, unknown>,
        }));
      }
      const batch: FakeBatch = {
        id,
        model: match[1],
        displayName: input.displayName ?? "",
        state: "BATCH_STATE_PENDING",
        source: input.inputConfig.fileName ? "file" : "inline",
        requests: list,
        createTime: now,
        updateTime: now,
      };
      batches.set(id, batch);
      if (holdingCreates) return void heldCreates.push(() => send(res, 200, operation(batch)));
      return send(res, 200, operation(batch));
    }
    if (req.method === "GET" && /^\/v1(?:beta)?\/batches$/.test(target.pathname)) {
      const size = Number(target.searchParams.get("pageSize") ?? 50);
      const start = Number(target.searchParams.get("pageToken") ?? 0);
      const all = [...batches.values()];
      const page = all.slice(start, start + size);
      return send(res, 200, {
        operations: page.map(operation),
        ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}),
      });
    }
    if ((match = /^\/v1(?:beta)?\/batches\/([^/:]+)(:cancel)?$/.exec(target.pathname))) {
      const batch = batches.get(match[1]);
      if (!batch) return notFound(res, `batches/${match[1]}`);
      if (req.method === "POST" && match[2]) {
        if (!TERMINAL.has(batch.state)) setState(batch, "BATCH_STATE_CANCELLED");
        return send(res, 200, {});
      }
      if (req.method === "GET" && !match[2]) {
        const count = (polls.get(batch.id) ?? 0) + 1;
        polls.set(batch.id, count);
        if (finishAfterPolls !== undefined && count >= finishAfterPolls) await finish(batch.id);
        return send(res, 200, operation(batch));
      }
    }
    if (req.method === "POST" && /^\/upload\/v1(?:beta)?\/files$/.test(target.pathname)) {
      const command = String(req.headers["x-goog-upload-command"] ?? "");
      if (command === "start") {
        const uploadId = String(++counter);
        const meta = JSON.parse(body.toString()) as { file: { mimeType: string; displayName?: string } };
        uploads.set(uploadId, { chunks: [], mimeType: meta.file.mimeType, displayName: meta.file.displayName });
        return send(
          res,
          200,
          {},
          { "x-goog-upload-url": `${url}${target.pathname}?upload_id=${uploadId}`, "x-goog-upload-status": "active" },
        );
      }
      const upload = uploads.get(target.searchParams.get("upload_id") ?? "");
      if (!upload) return notFound(res, "upload");
      upload.chunks.push(body);
      if (!command.includes("finalize")) return send(res, 200, {}, { "x-goog-upload-status": "active" });
      const name = `files/upload${counter}`;
      const bytes = Buffer.concat(upload.chunks);
      files.set(name, { bytes, mimeType: upload.mimeType, displayName: upload.displayName });
      return send(
        res,
        200,
        {
          file: {
            name,
            displayName: upload.displayName,
            mimeType: upload.mimeType,
            sizeBytes: String(bytes.length),
            state: "ACTIVE",
            source: "UPLOADED",
          },
        },
        { "x-goog-upload-status": "final" },
      );
    }
    if (
      req.method === "GET" &&
      (match = /^\/v1(?:beta)?\/files\/([^/:]+):download$/.exec(target.pathname)) &&
      target.searchParams.get("alt") === "media"
    ) {
      const file = files.get(`files/${match[1]}`);
      if (!file) return notFound(res, `files/${match[1]}`);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(file.bytes);
    }
    return send(res, 404, { error: { code: 404, message: `The fake has no ${req.method} ${target.pathname}`, status: "NOT_FOUND" } });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handle(req, body, res).catch((error: unknown) =>
        send(res, 500, { error: { code: 500, message: String(error), status: "INTERNAL" } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    batches,
    /** Google starts working on the batch. */
    start(name: string) {
      const batch = batches.get(name.replace(/^batches\//, ""))!;
      if (batch.state === "BATCH_STATE_PENDING") setState(batch, "BATCH_STATE_RUNNING");
    },
    /** Google finishes the batch: every request gets the test's answer (in a responses file for file input). */
    finish,
    /** The cancel calls Google received, by batch name. */
    cancels: () =>
      requests.filter((r) => r.method === "POST" && r.url.endsWith(":cancel")).map((r) => /(batches\/[^/:]+):cancel/.exec(r.url)![1]),
    /** Google finishes each batch by itself once polled this many times (undefined: only finish() does). */
    finishAfterPolls(polls: number | undefined) {
      finishAfterPolls = polls;
    },
    /** GET requests for this batch so far (polls, and the read of its results). */
    polls: (name: string) => polls.get(name.replace(/^batches\//, "")) ?? 0,
    /** From now on a batch is created at once but its answer waits for releaseCreates() (or is lost with the caller). */
    holdCreates: () => void (holdingCreates = true),
    releaseCreates: () => {
      holdingCreates = false;
      for (const release of heldCreates.splice(0)) release();
    },
    get heldCreates() {
      return heldCreates.length;
    },
    /** Interactive generateContent calls received. */
    interactiveCalls: () => requests.filter((r) => r.method === "POST" && r.url.endsWith(":generateContent")).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type GeminiBatchFake = Awaited<ReturnType<typeof startGeminiBatchFake>>;
