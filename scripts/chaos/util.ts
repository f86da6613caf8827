import { createServer } from "node:net";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Polls `check` until it gives a truthy value; throws with `what` when `timeoutMs` passes first. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Like waitUntil, but gives the last value instead of throwing: for outcomes a scenario reports. */
export async function pollFor<T>(
  check: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<{ value: T; ok: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (done(value)) return { value, ok: true };
    if (Date.now() > deadline) return { value, ok: false };
    await sleep(everyMs);
  }
}
