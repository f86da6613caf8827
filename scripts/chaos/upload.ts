import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import type { ShopClient } from "./client.ts";

/**
 * A multipart upload streamed to the web process the way a browser sends a form (Content-Length known
 * up front), written in 1 MiB chunks so the harness holds no more than that; and the web process's
 * resident memory (VmRSS) sampled while it goes. Stops sending once the process has grown by
 * `abortGrowthMb`: the measurement has failed by then, and the machine is shared.
 */
export type FormPart =
  { name: string; value: string } | { name: string; filename: string; bytes: Buffer } | { name: string; filename: string; size: number };

export interface UploadResult {
  status: number | null;
  body: string;
  grewMb: number;
  sentMb: number;
  aborted: boolean;
}

const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

export function readRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export async function uploadForm(
  client: ShopClient,
  pathname: string,
  parts: FormPart[],
  webPid: number,
  abortGrowthMb: number,
): Promise<UploadResult> {
  const boundary = `----chaos${randomBytes(8).toString("hex")}`;
  const pieces = parts.map((part) => {
    const disposition =
      "filename" in part
        ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: image/jpeg`
        : `form-data; name="${part.name}"`;
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`);
    const size = "value" in part ? Buffer.byteLength(part.value) : "bytes" in part ? part.bytes.length : part.size;
    return { head, part, size };
  });
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const length = pieces.reduce((sum, p) => sum + p.head.length + p.size + 2, 0) + tail.length;

  const baseline = readRssMb(webPid);
  let peak = baseline;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, readRssMb(webPid));
    } catch {
      // the process is gone; the answer says so
    }
  }, 20);
  const url = new URL(pathname, client.appUrl);
  const token = await client.sessionToken();
  let sent = 0;
  let aborted = false;
  try {
    const answer = await new Promise<{ status: number | null; body: string }>((resolve) => {
      let settled = false;
      const finish = (status: number | null, body: string) => {
        if (settled) return;
        settled = true;
        resolve({ status, body });
      };
      const req = request(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "user-agent": USER_AGENT,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(length),
        },
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          finish(res.statusCode ?? null, Buffer.concat(chunks).toString("utf8"));
          req.destroy();
        });
      });
      // A server that answers early and closes may break the upload before its answer is read: give the
      // answer a moment to arrive before calling it a broken connection.
      req.on("error", (error) =>
        setTimeout(() => finish(null, `connection: ${(error as NodeJS.ErrnoException).code ?? error.message}`), 500),
      );
      const write = async () => {
        const send = async (data: Buffer) => {
          if (settled || req.destroyed) return false;
          sent += data.length;
          if (!req.write(data)) {
            await new Promise<void>((resolve) => {
              const go = () => {
                req.off("drain", go);
                req.off("close", go);
                resolve();
              };
              req.on("drain", go);
              req.on("close", go);
            });
          }
          if (peak - baseline > abortGrowthMb) {
            aborted = true;
            req.destroy();
            finish(null, "aborted");
            return false;
          }
          return true;
        };
        for (const { head, part, size } of pieces) {
          if (!(await send(head))) return;
          if ("value" in part) {
            if (!(await send(Buffer.from(part.value)))) return;
          } else if ("bytes" in part) {
            if (!(await send(part.bytes))) return;
          } else {
            for (let left = size; left > 0; left -= CHUNK.length)
              if (!(await send(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)))) return;
          }
          if (!(await send(Buffer.from("\r\n")))) return;
        }
        if (await send(tail)) req.end();
      };
      write().catch((error: Error) => finish(null, `upload: ${error.message}`));
    });
    // The last samples: memory taken while the answer was made shows a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ...answer, grewMb: peak - baseline, sentMb: sent / 1024 / 1024, aborted };
  } finally {
    clearInterval(sampler);
  }
}
