import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { MediaRecord, ProductRecord } from "../emulator/state.ts";
import type { DatabaseKind } from "../../test/db.ts";
import { BUSY_OUTPUT, sha256, TERMINAL } from "./audit.ts";
import { pagePolls, type JobPage, type ShopClient } from "./client.ts";
import type { ChaosStack } from "./stack.ts";
import { pollFor, waitUntil } from "./util.ts";

export interface Outcome {
  observed: string;
  pass: boolean;
  /** Images made beyond the shop's monthly cap (scenarios with a cap). */
  capOverruns?: number;
}

export interface Scenario {
  id: number;
  fault: string;
  expected: string;
  /** The databases it runs on: every scenario on SQLite, the database-related ones on PostgreSQL too. */
  databases: DatabaseKind[];
  /** Longer than the harness's 150 s, for a scenario that starts several workers (each a tsx start on busy cores). */
  timeoutMs?: number;
  /** Settings of the app's processes this scenario needs and the others must not have: it runs on a stack of its own. */
  env?: Record<string, string>;
  run(ctx: ScenarioContext): Promise<Outcome>;
}

export const BOTH: DatabaseKind[] = ["sqlite", "postgresql"];
export const SQLITE: DatabaseKind[] = ["sqlite"];

/** One check of a scenario: what was seen, and whether it is what the issue asks for. */
export interface Check {
  ok: boolean;
  text: string;
}

export function check(ok: boolean, text: string): Check {
  return { ok, text };
}

export function outcome(checks: Check[], extra: Partial<Outcome> = {}): Outcome {
  const failed = checks.filter((c) => !c.ok);
  // A failing scenario shows what failed first; a passing one what it saw.
  const shown = failed.length ? [...failed, ...checks.filter((c) => c.ok)] : checks;
  return { observed: shown.map((c) => `${c.ok ? "" : "✗ "}${c.text}`).join("; "), pass: failed.length === 0, ...extra };
}

/** What a scenario works with: the stack, the stores it made (audited afterwards), and helpers. */
export class ScenarioContext {
  readonly shops: ShopClient[] = [];

  constructor(
    readonly chaos: ChaosStack,
    readonly scenario: Scenario,
  ) {}

  get kind(): DatabaseKind {
    return this.chaos.kind;
  }

  get prisma() {
    return this.chaos.db.prisma;
  }

  /** A store of its own for this scenario (settings apart, media apart), already connected. */
  async shop(name = "shop", settings: Parameters<ChaosStack["addShop"]>[1] = {}): Promise<ShopClient> {
    const client = await this.chaos.addShop(`chaos-${String(this.scenario.id).padStart(2, "0")}-${name}`, settings);
    this.shops.push(client);
    // The first request exchanges a session token for the shop's offline token, as opening the app does.
    const home = await client.load("/app", "routes/app._index");
    if (home.status !== 200) throw new Error(`Opening the app for ${client.shop} answered ${home.status}: ${home.text.slice(0, 200)}`);
    return client;
  }

  products(client: ShopClient): ProductRecord[] {
    return [...this.chaos.emulator.state.shops.get(client.shop)!.products.values()];
  }

  /** The media on a product now, in the emulator's store. */
  productMedia(client: ShopClient, productId: string): MediaRecord[] {
    const store = this.chaos.emulator.state.shops.get(client.shop)!;
    return store.products
      .get(productId)!
      .mediaIds.map((id) => store.media.get(id))
      .filter((m): m is MediaRecord => Boolean(m));
  }

  /**
   * Starts a one-photo job and gives its id: white background (one output) by default, or lifestyle
   * with `count` outputs; on the Gemini fake unless another provider is named.
   */
  async startJob(client: ShopClient, product: ProductRecord, opts: { provider?: string; lifestyle?: 2 | 3 } = {}): Promise<string> {
    const answer = await client.generate({
      productId: product.id,
      mediaIds: [product.mediaIds[0]],
      provider: opts.provider ?? "gemini",
      ...(opts.lifestyle ? { mode: "lifestyle" as const, options: { size: 1024, count: opts.lifestyle } } : {}),
    });
    if (!answer.jobId) throw new Error(`Generate answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    return answer.jobId;
  }

  async page(client: ShopClient, jobId: string): Promise<JobPage> {
    const answer = await client.job(jobId);
    if (answer.status !== 200) throw new Error(`The job page answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    return answer.data;
  }

  async waitForStatus(client: ShopClient, jobId: string, statuses: string[], timeoutMs = 30_000): Promise<JobPage> {
    return waitUntil(
      `job ${jobId} to be ${statuses.join(" or ")}`,
      async () => {
        const page = await this.page(client, jobId);
        return statuses.includes(page.job.status) ? page : null;
      },
      timeoutMs,
      150,
    );
  }

  /** Polls the job page until it stops polling (or the time is up); gives the last page. */
  async settle(client: ShopClient, jobId: string, timeoutMs: number): Promise<{ page: JobPage; settled: boolean }> {
    const { value, ok } = await pollFor(
      () => this.page(client, jobId),
      (page) => !pagePolls(page),
      timeoutMs,
      200,
    );
    return { page: value, settled: ok };
  }

  publish(client: ShopClient, jobId: string, outputIds: string[]) {
    return client.jobAction(jobId, "publish", outputIds);
  }

  restore(client: ShopClient, jobId: string, outputIds: string[]) {
    return client.jobAction(jobId, "restore", outputIds);
  }

  /** A finished job with its outputs waiting for review: what the publish scenarios start from. */
  async doneJob(
    client: ShopClient,
    product: ProductRecord,
    opts: { lifestyle?: 2 | 3 } = {},
  ): Promise<{ jobId: string; outputIds: string[] }> {
    const jobId = await this.startJob(client, product, opts);
    const page = await this.waitForStatus(client, jobId, ["done", "failed"]);
    if (page.job.status !== "done") throw new Error(`The job to publish failed: ${page.job.errorCode} ${page.job.error}`);
    return { jobId, outputIds: page.outputs.map((o) => o.id) };
  }

  /** Resolves once Shopify has run a productUpdate that attached media to the product. */
  async waitForAttach(client: ShopClient, productId: string, since: number, timeoutMs = 20_000) {
    return waitUntil(
      "a productUpdate that attaches media",
      async () => this.chaos.emulator.faults.attached.slice(since).find((a) => a.shop === client.shop && a.productId === productId),
      timeoutMs,
      50,
    );
  }

  /** How many media productUpdate has attached to the product since `since` (an index into the attach log). */
  attachedSince(client: ShopClient, productId: string, since: number): number {
    return this.chaos.emulator.faults.attached.slice(since).filter((a) => a.shop === client.shop && a.productId === productId).length;
  }

  /** Output rows of a job, straight from the database. */
  outputs(client: ShopClient, jobId: string) {
    return this.prisma.output.findMany({ where: { shop: client.shop, jobId }, orderBy: { position: "asc" } });
  }

  async usage(client: ShopClient): Promise<number> {
    const rows = await this.prisma.usage.findMany({ where: { shop: client.shop } });
    return rows.reduce((sum, row) => sum + row.images, 0);
  }

  /** Digests of the output files as stored: the emulator's media are matched to them by their bytes. */
  async outputDigests(client: ShopClient, jobId: string): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    for (const output of await this.outputs(client, jobId)) {
      if (output.storageKey === "pending") continue;
      digests.set(output.id, sha256(await readFile(path.join(this.chaos.storageDir, "files", output.storageKey))));
    }
    return digests;
  }

  /** How many media on the product carry each output's image, and the output ids found on none. */
  async copiesOnProduct(client: ShopClient, jobId: string, productId: string): Promise<Map<string, MediaRecord[]>> {
    const digests = await this.outputDigests(client, jobId);
    const copies = new Map<string, MediaRecord[]>([...digests.keys()].map((id) => [id, []]));
    for (const media of this.productMedia(client, productId)) {
      if (media.bytes.kind !== "buffer") continue;
      const digest = sha256(media.bytes.buffer);
      for (const [outputId, outputDigest] of digests) if (digest === outputDigest) copies.get(outputId)!.push(media);
    }
    return copies;
  }

  /** Files in the job's storage folder that no output row points at. */
  async orphanFiles(client: ShopClient, jobId: string): Promise<string[]> {
    const dir = path.join(this.chaos.storageDir, "files", client.shop, jobId);
    const files = await readdir(dir).catch(() => [] as string[]);
    const keys = new Set((await this.outputs(client, jobId)).map((o) => o.storageKey));
    return files.filter((file) => !keys.has(`${client.shop}/${jobId}/${file}`));
  }

  /** Queue entries that will still run and name this job (or, with `ids`, one of these rows). */
  async liveEntries(jobId: string, ids: string[] = [jobId]) {
    return (await this.chaos.queueEntries()).filter((e) => ids.some((id) => JSON.stringify(e.data).includes(`"${id}"`)));
  }

  /** The scenario's stores have nothing left running: every job finished, no output publishing or restoring. */
  async quiet(): Promise<boolean> {
    for (const client of this.shops) {
      const busyJobs = await this.prisma.job.count({ where: { shop: client.shop, status: { notIn: TERMINAL } } });
      const busyOutputs = await this.prisma.output.count({ where: { shop: client.shop, reviewState: { in: [...BUSY_OUTPUT] } } });
      if (busyJobs + busyOutputs > 0) return false;
    }
    return true;
  }
}

/** "2 copies", "1 copy". */
export function copies(n: number): string {
  return `${n} ${n === 1 ? "copy" : "copies"}`;
}

/**
 * The product after a publish of `outputIds`: exactly one more media per output, each carrying that
 * output's image (by its bytes, in the emulator's store), and the id the app recorded is that media.
 */
export async function checkPublishedOnce(
  ctx: ScenarioContext,
  client: ShopClient,
  jobId: string,
  productId: string,
  mediaBefore: number,
  outputIds: string[],
  label = "",
): Promise<Check[]> {
  const copiesByOutput = await ctx.copiesOnProduct(client, jobId, productId);
  const rows = (await ctx.outputs(client, jobId)).filter((o) => outputIds.includes(o.id));
  const added = ctx.productMedia(client, productId).length - mediaBefore;
  const counts = outputIds.map((id) => copiesByOutput.get(id)?.length ?? 0);
  const recordedRight = rows.filter((row) => (copiesByOutput.get(row.id) ?? []).some((media) => media.id === row.shopifyMediaId)).length;
  const prefix = label ? `${label}: ` : "";
  return [
    check(added === outputIds.length, `${prefix}product +${added} media for ${outputIds.length} output(s)`),
    check(
      counts.every((n) => n === 1),
      `${prefix}${counts.map(copies).join(", ")} of the output image(s) on the product`,
    ),
    check(recordedRight === rows.length, `${prefix}${recordedRight}/${rows.length} recorded media id(s) are the output's media`),
    check(
      rows.every((row) => row.reviewState === "published"),
      `${prefix}output(s) ${[...new Set(rows.map((r) => `"${r.reviewState}"`))].join(", ")}`,
    ),
  ];
}
