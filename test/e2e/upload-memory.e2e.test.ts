import { once } from "node:events";
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Stack } from "../../scripts/demo-stack.ts";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import { abusiveUploads, MB, multipartBody, type MultipartBody, type Part } from "../multipart-body";
import { startTestStack } from "./browser";

// Issue 9's upload abuse against the real built server (`app/server.ts` in its own process): each abusive
// body is refused, and the web process's resident memory, sampled from /proc while the request runs,
// grows by less than 50 MB. The same process's output is read too: no session token reaches it.

let stack: Stack;
let token: string;
// The library answers bots (node's default user agent among them) with 410.
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

async function sessionToken(): Promise<string> {
  const response = await fetch(`${stack.appUrl}/demo/session-token?shop=${DEMO_SHOP}`, { headers: { "user-agent": USER_AGENT } });
  const { token } = (await response.json()) as { token: string };
  tokensSent.add(token);
  return token;
}
let fields: Part[];
const figures: string[] = [];
/** Everything the web process wrote on stdout and stderr. */
let webOutput = "";
/** Every session token this file sent, in a header or in a URL. */
const tokensSent = new Set<string>();

const webPid = () => stack.processes.find((p) => p.name === "web")!.child.pid!;

function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Sends `body` with node's http client, stops sending once the answer is in, and reads it. */
function send(path: string, body: MultipartBody, declareLength: boolean): Promise<{ status: number; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "content-type": body.contentType,
      authorization: `Bearer ${token}`,
      "user-agent": USER_AGENT,
    };
    if (declareLength) headers["content-length"] = String(body.length);
    const request = http.request(new URL(path, stack.appUrl), { method: "POST", headers });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, text, sent: body.pulled() });
        request.destroy();
      });
    });
    // The server closes the connection after a refusal; writes still in flight then fail.
    request.on("error", (error) => (answered ? undefined : reject(error)));
    void (async () => {
      const reader = body.stream.getReader();
      while (!answered && !request.destroyed) {
        const { done, value } = await reader.read();
        if (done) return request.end();
        if (!request.write(value)) await Promise.race([once(request, "drain"), once(request, "close")]);
      }
    })().catch(() => {});
  });
}

beforeAll(async () => {
  stack = await startTestStack({ output: (name, text) => void (name === "web" ? (webOutput += text) : undefined) });
  token = await sessionToken();
  const products = (await (
    await fetch(`${stack.appUrl}/demo/products`, { headers: { authorization: `Bearer ${token}`, "user-agent": USER_AGENT } })
  ).json()) as {
    products: { id: string }[];
  };
  fields = [
    { name: "productId", value: products.products[0].id },
    { name: "mode", value: "white" },
    { name: "options", value: "{}" },
  ];
  // One refused request first, so that the route's modules are loaded before anything is measured.
  await send("/app/new?_data=routes%2Fapp.new", multipartBody([...fields, { name: "junk", value: "x" }]), true);
});

afterAll(async () => {
  if (figures.length)
    console.log(["upload abuse against the built web process (RSS growth while the request ran):", ...figures].join("\n  "));
  await stack?.stop();
});

describe("abusive uploads to the running web process", () => {
  const cases = Object.entries(abusiveUploads([])).flatMap(([name]) => [
    { name, declareLength: true },
    { name, declareLength: false },
  ]);
  for (const { name, declareLength } of cases) {
    test(`${name} (${declareLength ? "with Content-Length" : "chunked"}) is refused and the web process grows less than 50 MB`, async () => {
      token = await sessionToken();
      const body = multipartBody(abusiveUploads(fields)[name]);
      const before = rss(webPid());
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rss(webPid()))), 10);
      const answer = await send("/app/new?_data=routes%2Fapp.new", body, declareLength).finally(() => clearInterval(sampler));
      peak = Math.max(peak, rss(webPid()));
      const growth = peak - before;
      figures.push(
        `${name}, ${declareLength ? "Content-Length" : "chunked"}: ${answer.status}, sent ${(answer.sent / MB).toFixed(1)} MB of ${(body.length / MB).toFixed(0)} MB, RSS ${(before / MB).toFixed(0)} MB -> peak +${(growth / MB).toFixed(1)} MB`,
      );
      expect([400, 413]).toContain(answer.status);
      // The refusal is a message code the page renders in the merchant's language.
      expect(JSON.parse(answer.text).errors.photos.code).toMatch(/^(PHOTO_TOO_LARGE|PHOTOS_TOO_MANY|UPLOAD_TOO_LARGE|REQUEST_TOO_LARGE)$/);
      expect(growth).toBeLessThan(50 * MB);
    });
  }
});

describe("the web process's own log lines", () => {
  test("say which path was asked for, and never carry a session token (from a header or a URL's query)", async () => {
    // An embedded page is opened as Shopify opens it, with the session token in the query string.
    const idToken = await sessionToken();
    const page = await fetch(`${stack.appUrl}/app?embedded=1&shop=${DEMO_SHOP}&host=aG9zdA&id_token=${idToken}`, {
      headers: { "user-agent": USER_AGENT },
      redirect: "manual",
    });
    expect(page.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the access line is written when the answer ends
    const lines = webOutput.split("\n").filter((line) => line.startsWith("{"));
    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "request");
    expect(requests).toContainEqual(expect.objectContaining({ method: "GET", path: "/app", status: page.status }));
    // The abusive uploads above sent their tokens as Bearer headers; this request sent one in its URL.
    expect(tokensSent.size).toBeGreaterThan(1);
    for (const sent of tokensSent) expect(webOutput).not.toContain(sent);
    expect(webOutput).not.toContain("id_token=");
  });
});
