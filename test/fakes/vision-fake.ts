import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeAnswer, RecordedRequest } from "./http-fake";

/**
 * A Cloud Vision stand-in on the REST wire format @google-cloud/vision 6 speaks in fallback mode:
 * `POST /v1/images:annotate?$alt=json%3Benum-encoding=int`, camelCase JSON, feature types as integers
 * (the Feature.Type enum numbers). Point the real SDK at it with
 * `new ImageAnnotatorClient({fallback: true, apiEndpoint: "127.0.0.1", port, protocol: "http", authClient})`.
 *
 * Each image request is answered from a `VisionScene`, with only the features it asked for, each cut to
 * its `maxResults`, as the API does. An image whose bytes are not JPEG, PNG, GIF or WebP gets the
 * API's per-image error (HTTP 200, `responses[i].error`), not an HTTP error.
 */
export interface VisionScene {
  labels: { description: string; score: number }[];
  objects: { name: string; score: number; box: [number, number, number, number] }[];
  colours: { rgb: [number, number, number]; score: number; pixelFraction: number }[];
}

/** A scene to answer from, or a fixed HTTP answer (for errors). The last one repeats. */
export type VisionAnswer = { scene: VisionScene } | FakeAnswer;

// google.cloud.vision.v1.Feature.Type
const FEATURE = { LABEL_DETECTION: 4, OBJECT_LOCALIZATION: 19, IMAGE_PROPERTIES: 7 } as const;
const FEATURE_BY_NAME: Record<string, number> = FEATURE;

export const visionAnswers = {
  scene: (scene: VisionScene): VisionAnswer => ({ scene }),
  permissionDenied: (): FakeAnswer => ({
    status: 403,
    body: {
      error: {
        code: 403,
        message: "Cloud Vision API has not been used in project 123456 before or it is disabled.",
        status: "PERMISSION_DENIED",
      },
    },
  }),
  unavailable: (): FakeAnswer => ({
    status: 503,
    body: { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } },
  }),
  /** The API's per-image failure: HTTP 200 with the error inside the image's response. */
  imageError: (): FakeAnswer => ({ status: 200, body: { responses: [{ error: { code: 3, message: "Bad image data." } }] } }),
  quotaExceeded: (): FakeAnswer => ({
    status: 429,
    body: {
      error: {
        code: 429,
        message: "Quota exceeded for quota metric 'Requests' of service 'vision.googleapis.com'.",
        status: "RESOURCE_EXHAUSTED",
      },
    },
  }),
};

interface WireFeature {
  type?: number | string;
  maxResults?: number;
}
interface WireRequest {
  image?: { content?: string };
  features?: WireFeature[];
}

function isImage(bytes: Buffer): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).toString("latin1") === "\x89PNG";
  const gif = bytes.subarray(0, 3).toString("latin1") === "GIF";
  const webp = bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP";
  return jpeg || png || gif || webp;
}

function annotate(request: WireRequest, scene: VisionScene): Record<string, unknown> {
  const content = Buffer.from(request.image?.content ?? "", "base64");
  if (!isImage(content)) return { error: { code: 3, message: "Bad image data." } };
  const out: Record<string, unknown> = {};
  for (const feature of request.features ?? []) {
    const type = typeof feature.type === "string" ? FEATURE_BY_NAME[feature.type] : feature.type;
    const limit = feature.maxResults || 10;
    if (type === FEATURE.LABEL_DETECTION) {
      out.labelAnnotations = scene.labels
        .slice(0, limit)
        .map((l, i) => ({ mid: `/m/0${i}`, description: l.description, score: l.score, topicality: l.score }));
    } else if (type === FEATURE.OBJECT_LOCALIZATION) {
      out.localizedObjectAnnotations = scene.objects.slice(0, limit).map((o, i) => {
        const [x0, y0, x1, y1] = o.box;
        return {
          mid: `/m/1${i}`,
          name: o.name,
          score: o.score,
          boundingPoly: {
            normalizedVertices: [
              { x: x0, y: y0 },
              { x: x1, y: y0 },
              { x: x1, y: y1 },
              { x: x0, y: y1 },
            ],
          },
        };
      });
    } else if (type === FEATURE.IMAGE_PROPERTIES) {
      out.imagePropertiesAnnotation = {
        dominantColors: {
          colors: scene.colours.map((c) => ({
            color: { red: c.rgb[0], green: c.rgb[1], blue: c.rgb[2] },
            score: c.score,
            pixelFraction: c.pixelFraction,
          })),
        },
      };
      out.cropHintsAnnotation = {
        cropHints: [{ boundingPoly: { vertices: [{}, { x: 1 }, { x: 1, y: 1 }, { y: 1 }] }, confidence: 0.8, importanceFraction: 1 }],
      };
    }
  }
  return out;
}

function answerFor(req: IncomingMessage, body: Buffer, answer: VisionAnswer): FakeAnswer {
  const url = new URL(req.url ?? "/", "http://fake");
  if (req.method !== "POST" || url.pathname !== "/v1/images:annotate") {
    return { status: 404, body: { error: { code: 404, message: `Method not found: ${req.method} ${url.pathname}`, status: "NOT_FOUND" } } };
  }
  if (!("scene" in answer)) return answer;
  let parsed: { requests?: WireRequest[] };
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { status: 400, body: { error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" } } };
  }
  if (!parsed.requests?.length) {
    return { status: 400, body: { error: { code: 400, message: "No requests specified.", status: "INVALID_ARGUMENT" } } };
  }
  return { status: 200, body: { responses: parsed.requests.map((r) => annotate(r, answer.scene)) } };
}

export async function startVisionFake(answers: VisionAnswer[]): Promise<{
  /** host, port and protocol as the SDK's constructor takes them */
  endpoint: { apiEndpoint: string; port: number; protocol: "http" };
  requests: RecordedRequest[];
  close: () => Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const answer = answerFor(req, body, answers[Math.min(requests.length - 1, answers.length - 1)]);
      res.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: { apiEndpoint: "127.0.0.1", port, protocol: "http" },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
