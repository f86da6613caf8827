import { randomUUID } from "node:crypto";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { BUSY_REVIEW_STATES, TERMINAL_STATES, type JobState } from "../../app/models/constants.ts";

/**
 * Requests to the web process as the embedded app makes them: a fresh App Bridge session token (signed
 * by Shopify's own test helper with the app's secret) on every request, and, like App Bridge, one retry
 * with a new token when the app answers 401 with X-Shopify-Retry-Invalid-Session-Request. Loader and
 * action data come as JSON through Remix's `_data` parameter.
 */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data: T;
  text: string;
}

export interface JobPage {
  job: { id: string; status: string; progress: number; error: string | null; errorCode: string | null };
  sources: { id: string; url: string }[];
  outputs: { id: string; url: string; reviewState: string; published: boolean }[];
}

export const API_KEY = "demo-api-key";
// The Shopify library answers bots (Node's fetch says "node") with 410 Gone; a merchant's browser says "Chrome".
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
const JOB_ROUTE = "routes/app.jobs.$id";

export class ShopClient {
  constructor(
    readonly appUrl: string,
    readonly shop: string,
    private readonly apiSecret: string,
  ) {}

  async sessionToken(): Promise<string> {
    const { token } = await getJwt(this.shop.replace(/\.myshopify\.com$/, ""), API_KEY, this.apiSecret, {
      jti: randomUUID(),
      sid: randomUUID(),
    });
    return token;
  }

  async send<T = Record<string, unknown>>(pathname: string, init: RequestInit = {}): Promise<Answer<T>> {
    for (let attempt = 1; ; attempt++) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${await this.sessionToken()}`);
      headers.set("user-agent", USER_AGENT);
      const response = await fetch(new URL(pathname, this.appUrl), { ...init, headers, redirect: "manual" });
      if (response.status === 401 && response.headers.get("x-shopify-retry-invalid-session-request") && attempt === 1) {
        await response.body?.cancel();
        continue;
      }
      const text = await response.text();
      let data: T;
      try {
        data = JSON.parse(text) as T;
      } catch {
        data = {} as T;
      }
      return { status: response.status, headers: response.headers, data, text };
    }
  }

  /** A route's loader data, as a client-side navigation or revalidation (the page's poll) fetches it. */
  load<T = Record<string, unknown>>(pathname: string, routeId: string): Promise<Answer<T>> {
    return this.send<T>(withData(pathname, routeId));
  }

  act<T = Record<string, unknown>>(pathname: string, routeId: string, body: FormData | URLSearchParams): Promise<Answer<T>> {
    return this.send<T>(withData(pathname, routeId), { method: "POST", body });
  }

  job(jobId: string): Promise<Answer<JobPage>> {
    return this.load<JobPage>(`/app/jobs/${jobId}`, JOB_ROUTE);
  }

  jobAction(jobId: string, intent: string, outputIds: string[] = []): Promise<Answer> {
    const form = new URLSearchParams({ intent });
    for (const id of outputIds) form.append("outputId", id);
    return this.act(`/app/jobs/${jobId}`, JOB_ROUTE, form);
  }

  /** The new-generation page's form: one product, some of its photos. Gives the job id on success. */
  async generate(input: {
    productId: string;
    mediaIds: string[];
    mode?: "white" | "lifestyle";
    provider?: string;
    options?: object;
  }): Promise<Answer & { jobId?: string }> {
    const form = new FormData();
    form.set("productId", input.productId);
    form.set("mode", input.mode ?? "white");
    if (input.provider) form.set("provider", input.provider);
    form.set("options", JSON.stringify(input.options ?? { size: 1024 }));
    for (const id of input.mediaIds) form.append("mediaIds", id);
    const answer = await this.act("/app/new", "routes/app.new", form);
    const location = answer.headers.get("x-remix-redirect") ?? answer.headers.get("location") ?? "";
    const jobId = /\/app\/jobs\/([^/?]+)/.exec(location)?.[1];
    return { ...answer, jobId };
  }

  /** The admin extensions' endpoint (the bulk action on the product list). */
  bulk(
    productIds: string[],
    mode: "white" | "lifestyle" = "white",
  ): Promise<Answer<{ batchId?: string; jobs?: { id: string }[]; errors?: Record<string, string> }>> {
    return this.send("/api/generate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productIds, mode }),
    });
  }
}

function withData(pathname: string, routeId: string): string {
  const url = new URL(pathname, "http://app.local");
  url.searchParams.set("_data", routeId);
  return `${url.pathname}${url.search}`;
}

/** Whether the job page keeps polling: the same rule as the page (app/routes/app.jobs.$id/route.tsx). */
export function pagePolls(page: JobPage): boolean {
  return !TERMINAL_STATES.includes(page.job.status as JobState) || page.outputs.some((o) => BUSY_REVIEW_STATES.includes(o.reviewState));
}
