import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { startFakeServer, type FakeAnswer } from "./http-fake";

/**
 * A Gemini API stand-in on the wire format @google/genai 3 speaks: POST /v1beta/models/{model}:generateContent
 * (or /v1/...), camelCase JSON. Point the real SDK at it with `httpOptions.baseUrl`.
 */
export const geminiAnswers = {
  image: (png: Buffer): FakeAnswer => ({
    status: 200,
    body: {
      candidates: [
        {
          content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: png.toString("base64") } }] },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 1290, candidatesTokenCount: 1290, totalTokenCount: 2580 },
      modelVersion: "gemini-2.5-flash-image",
    },
  }),
  rateLimited: (): FakeAnswer => ({
    status: 429,
    body: { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } },
  }),
  unavailable: (): FakeAnswer => ({
    status: 503,
    body: { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } },
  }),
  badRequest: (): FakeAnswer => ({
    status: 400,
    body: { error: { code: 400, message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" } },
  }),
  /** What the Gemini API answers for a model id it does not serve (retired, or never existed). */
  modelNotFound: (model: string): FakeAnswer => ({
    status: 404,
    body: {
      error: {
        code: 404,
        message: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        status: "NOT_FOUND",
      },
    },
  }),
  promptBlocked: (): FakeAnswer => ({
    status: 200,
    body: { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 1290, totalTokenCount: 1290 } },
  }),
  imageSafety: (): FakeAnswer => ({
    status: 200,
    body: { candidates: [{ content: { role: "model", parts: [] }, finishReason: "IMAGE_SAFETY", index: 0 }] },
  }),
  textOnly: (): FakeAnswer => ({
    status: 200,
    body: {
      candidates: [
        {
          content: { role: "model", parts: [{ text: "I can't edit this image, but here is a description of it." }] },
          finishReason: "STOP",
          index: 0,
        },
      ],
    },
  }),
};

/** Gemini's answer over quota: RESOURCE_EXHAUSTED, with the RetryInfo that says how long to wait. */
export function rateLimitedBody(delayMs: number) {
  return {
    error: {
      code: 429,
      message: "You exceeded your current quota, please check your plan and billing details.",
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [
            { quotaMetric: "generativelanguage.googleapis.com/generate_content_requests", quotaId: "GenerateRequestsPerMinute" },
          ],
        },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${Number((delayMs / 1000).toFixed(3))}s` },
      ],
    },
  };
}

export function startGeminiFake(answers: FakeAnswer[]) {
  return startFakeServer(answers);
}

export interface GeminiModelFake {
  url: string;
  /** Images answered so far: what a paid model would have charged for, whether or not the caller was still there. */
  readonly imagesMade: number;
  /** Requests waiting in a hold now. */
  readonly heldCount: number;
  /** From now on requests wait unanswered until release() (the caller sees a slow model). */
  hold(): void;
  /** Answers every held request and stops holding. */
  release(): void;
  /** Resolves once `count` requests are waiting in a hold. */
  waitForHeld(count: number, timeoutMs?: number): Promise<void>;
  /** The next `count` requests are refused as Gemini refuses over quota: 429 with a RetryInfo of `delayMs`. */
  rateLimitNext(count: number, delayMs: number): void;
  /** When each request arrived (this process's clock), and when each refused one did. */
  readonly arrivals: number[];
  readonly refusals: number[];
  /** Requests whose caller is still connected and waiting for the answer, now and at most so far. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A model that "edits" the photo by returning the first one it was sent with its tones moved a little
 * (a shift of a few levels, different for eleven answers in a row, as no two model answers are alike),
 * inset on white when the prompt asks for a white background, on the same wire
 * format: so the studio's quality gates see the real product and pass it, and every output is its own
 * image. For the chaos harness, which needs a fast paid provider whose answers it can hold (scripts/chaos).
 */
export async function startGeminiModelFake(
  options: {
    forward?: string;
    /** Each answer comes this long after its request (the model's time). */
    latencyMs?: number;
    /** A limit of its own, as the API's quota: `rpm` requests a minute, `burst` at once; 429 with RetryInfo over it. */
    limit?: { rpm: number; burst: number };
  } = {},
): Promise<GeminiModelFake> {
  let holding = false;
  const perMs = options.limit ? options.limit.rpm / 60_000 : 0;
  let tokens = options.limit?.burst ?? 0;
  let refilledAt = Date.now();
  let imagesMade = 0;
  let answered = 0;
  const held: (() => void)[] = [];
  const heldWaiters: { count: number; resolve: () => void }[] = [];
  const arrivals: number[] = [];
  const refusals: number[] = [];
  let refuse = { count: 0, delayMs: 0 };
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // Everything but interactive generation (the Batch API, files) goes on to the server that speaks it.
      if (options.forward && !req.url?.endsWith(":generateContent")) return void forward(options.forward, req, Buffer.concat(chunks), res);
      const now = Date.now();
      arrivals.push(now);
      if (options.limit) {
        tokens = Math.min(options.limit.burst, tokens + (now - refilledAt) * perMs);
        refilledAt = now;
      }
      const overLimit = options.limit !== undefined && tokens < 1;
      if (refuse.count > 0 || overLimit) {
        const delayMs = overLimit ? Math.ceil((1 - tokens) / perMs) : refuse.delayMs;
        if (!overLimit) refuse.count -= 1;
        refusals.push(now);
        res.writeHead(429, { "content-type": "application/json" });
        res.end(JSON.stringify(rateLimitedBody(delayMs)));
        return;
      }
      if (options.limit) tokens -= 1;
      // In flight until answered or until the caller hangs up (a killed worker's request is not).
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let settled = false;
      const settle = () => {
        if (!settled) inFlight -= 1;
        settled = true;
      };
      res.on("close", settle);
      const reply = ({ status, body }: FakeAnswer) => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const make = async () => {
        const request = Buffer.concat(chunks);
        const photo = readFirstPhoto(request);
        const n = answered++;
        const shifted = photo && sharp(photo).linear(1, (n % 11) - 5);
        // Asked for a white background, a model answers the product on white, clear of the frame's edges.
        const image = shifted && (asksForWhite(request) ? await onWhite(await shifted.png().toBuffer()) : await shifted.png().toBuffer());
        if (image) imagesMade += 1;
        reply(image ? geminiAnswers.image(image) : geminiAnswers.badRequest());
      };
      // A photo the model cannot read gets Gemini's answer to an invalid argument.
      const answer = () =>
        void new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0))
          .then(make)
          .catch(() => reply(geminiAnswers.badRequest()));
      if (!holding) return answer();
      held.push(answer);
      for (const waiter of heldWaiters.filter((w) => held.length >= w.count)) {
        heldWaiters.splice(heldWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get imagesMade() {
      return imagesMade;
    },
    get heldCount() {
      return held.length;
    },
    arrivals,
    refusals,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    rateLimitNext: (count, delayMs) => void (refuse = { count, delayMs }),
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    waitForHeld: (count, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (held.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`The Gemini fake did not get ${count} request(s) to hold within ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
        heldWaiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function asksForWhite(body: Buffer): boolean {
  return body.toString("utf8").includes("Pure white background (#FFFFFF)");
}

/**
 * The photo's product on white: pixels close to the border strips' median colours (the backdrop) become
 * white, and the photo is inset so the product clears the frame's edges, as a model's answer does.
 */
export async function onWhite(photo: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const strip = Math.max(4, Math.round(Math.min(width, height) / 64));
  const sample = (x0: number, x1: number, y0: number, y1: number) => {
    const channels: number[][] = [[], [], []];
    for (let y = y0; y < y1; y += 2)
      for (let x = x0; x < x1; x += 2) for (let c = 0; c < 3; c++) channels[c].push(data[(y * width + x) * 3 + c]);
    return channels.map((values) => values.sort((a, b) => a - b)[values.length >> 1]);
  };
  const backdrops = [
    sample(0, width, 0, strip),
    sample(0, width, height - strip, height),
    sample(0, strip, 0, height),
    sample(width - strip, width, 0, height),
  ];
  for (let i = 0; i < width * height; i++) {
    const near = backdrops.some(
      ([r, g, b]) => Math.abs(data[i * 3] - r) + Math.abs(data[i * 3 + 1] - g) + Math.abs(data[i * 3 + 2] - b) < 48,
    );
    if (near) data.fill(255, i * 3, i * 3 + 3);
  }
  const side = 1024;
  const inner = await sharp(data, { raw: { width, height, channels: 3 } })
    .resize(Math.round(side * 0.8), Math.round(side * 0.8), { fit: "inside" })
    .png()
    .toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: side, height: side, channels: 3, background: "#ffffff" } })
    .composite([{ input: inner.data, left: Math.round((side - inner.info.width) / 2), top: Math.round((side - inner.info.height) / 2) }])
    .png()
    .toBuffer();
}

/**
 * What a model answers a generateContent request (the REST body, or a batch line's `request`): the first
 * photo's product, on white when asked for a white background. For fakes that need a plausible image.
 */
export async function productAnswer(request: unknown): Promise<FakeAnswer> {
  const body = Buffer.from(JSON.stringify(request));
  const photo = readFirstPhoto(body);
  if (!photo) return geminiAnswers.badRequest();
  return geminiAnswers.image(asksForWhite(body) ? await onWhite(photo) : await sharp(photo).png().toBuffer());
}

function readFirstPhoto(body: Buffer): Buffer | undefined {
  try {
    const request = JSON.parse(body.toString("utf8")) as { contents?: { parts?: { inlineData?: { data?: string } }[] }[] };
    const data = request.contents?.[0]?.parts?.find((part) => part.inlineData?.data)?.inlineData?.data;
    return data ? Buffer.from(data, "base64") : undefined;
  } catch {
    return undefined;
  }
}

async function forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse) {
  try {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === "string" && !["host", "content-length", "connection", "transfer-encoding"].includes(entry[0]),
      ),
    );
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: ["GET", "HEAD"].includes(req.method ?? "") ? undefined : new Uint8Array(body),
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (res.destroyed) return;
    const passed = ["content-type", "x-goog-upload-url", "x-goog-upload-status"];
    res.writeHead(
      answer.status,
      Object.fromEntries(passed.flatMap((name) => (answer.headers.get(name) ? [[name, answer.headers.get(name)!]] : []))),
    );
    res.end(bytes);
  } catch (error) {
    if (!res.destroyed) res.writeHead(502).end(String(error));
  }
}
