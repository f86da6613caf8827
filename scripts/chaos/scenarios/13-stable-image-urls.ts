import { check, outcome, SQLITE, type Scenario } from "../scenario.ts";
import { sleep } from "../util.ts";
import type { ShopClient } from "../client.ts";

/** The image URLs a page poll gives: the job page's outputs and sources, the home page's thumbnails. */
async function imageUrls(client: ShopClient, jobId: string): Promise<string[]> {
  const page = await client.job(jobId);
  const home = await client.load<{ jobs: { thumbnail: string | null }[] }>("/app", "routes/app._index");
  return [
    ...page.data.outputs.map((o) => o.url),
    ...page.data.sources.map((s) => s.url),
    ...home.data.jobs.flatMap((j) => (j.thumbnail ? [j.thumbnail] : [])),
  ];
}

export const scenario: Scenario = {
  id: 13,
  fault: "The job page and the home page polled twice, a second apart",
  expected: "identical image URLs in both polls; each URL loads, cached no longer than the link lives",
  databases: SQLITE,
  async run(ctx) {
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const { jobId } = await ctx.doneJob(client, product);
    const first = await imageUrls(client, jobId);
    await sleep(1000);
    const second = await imageUrls(client, jobId);
    const changed = first.filter((url, i) => url !== second[i]);
    const output = first[0];
    const response = await fetch(new URL(output, client.appUrl));
    await response.arrayBuffer();
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1] ?? 0);
    const expires = Number(new URL(output, client.appUrl).searchParams.get("expires") ?? Number.NaN);
    const lifeLeft = Number.isFinite(expires) ? expires - Date.now() / 1000 : Number.POSITIVE_INFINITY;
    const firstExample = changed[0]
      ? `${changed[0].replace(/signature=[^&]+/, "signature=…")} then ${second[first.indexOf(changed[0])].replace(/signature=[^&]+/, "signature=…")}`
      : "";
    return outcome([
      check(
        changed.length === 0 && first.length === second.length,
        changed.length ? `${changed.length} of ${first.length} URL(s) changed, e.g. ${firstExample}` : `${first.length} URL(s) identical`,
      ),
      check(response.status === 200, `the output's URL answered ${response.status}`),
      check(
        maxAge <= lifeLeft,
        `Cache-Control "${response.headers.get("cache-control")}"${Number.isFinite(lifeLeft) ? `, the link lives ${Math.round(lifeLeft)} s more` : ""}`,
      ),
    ]);
  },
};
