import { readFileSync } from "node:fs";
import { TERMINAL } from "../audit.ts";
import { check, outcome, BOTH, type Scenario } from "../scenario.ts";
import { pollFor } from "../util.ts";

const CAP = 3;

// The app's messages, for the pages' answers: those carry a message code that the page renders.
const MESSAGES = (
  JSON.parse(readFileSync(new URL("../../../app/locales/en.json", import.meta.url), "utf8")) as { errors: Record<string, unknown> }
).errors;

/** A message as the merchant reads it: the extensions' endpoint answers text, the pages a known code. */
function said(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const code = (value as { code?: unknown } | null)?.code;
  return typeof code === "string" && typeof MESSAGES[code] === "string" ? MESSAGES[code] : undefined;
}

/** A refusal as the issue asks for it: 402 with a message the merchant can read (the app's `errors`, or `error`/`message`). */
function refusal(answer: { status: number; data: Record<string, unknown> }): string | undefined {
  if (answer.status !== 402) return undefined;
  const { errors, error, message } = answer.data as { errors?: Record<string, unknown>; error?: unknown; message?: unknown };
  const text = [...Object.values(errors ?? {}), error, message]
    .map(said)
    .filter((v): v is string => Boolean(v))
    .join(" ");
  return text.length >= 10 ? text : undefined;
}

export const scenario: Scenario = {
  id: 7,
  fault: `Monthly cap ${CAP} on the Gemini fake (a paid provider): five generate requests at once and a 10-product bulk request at the same moment; then a local-provider request`,
  expected: `at most ${CAP} images are made; every other request is refused with a 402 and a clear message, the bulk one saying how many products fit; the local provider is never capped`,
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop("capped", { monthlyCap: CAP, provider: "gemini" });
    const products = ctx.products(client);
    const madeBefore = chaos.gemini.imagesMade;
    const [bulk, ...singles] = await Promise.all([
      client.bulk(products.slice(0, 10).map((p) => p.id)),
      ...products
        .slice(0, 5)
        .map((product) => client.generate({ productId: product.id, mediaIds: [product.mediaIds[0]], provider: "gemini" })),
    ]);
    // Everything that was let through runs to the end before the images are counted.
    const finished = await pollFor(() => ctx.quiet(), Boolean, 40_000, 250);
    const running = finished.ok ? 0 : await ctx.prisma.job.count({ where: { shop: client.shop, status: { notIn: TERMINAL } } });
    const made = chaos.gemini.imagesMade - madeBefore;
    const outputs = await ctx.prisma.output.count({ where: { shop: client.shop, provider: "gemini", NOT: { storageKey: "pending" } } });
    const accepted = singles.filter((a) => a.jobId).length;
    const refusedClearly = singles.filter((a) => !a.jobId && refusal(a)).length;
    const bulkJobs = bulk.data.jobs?.length ?? 0;
    const bulkRefusal = refusal(bulk);

    const local = await client.generate({ productId: products[10].id, mediaIds: [products[10].mediaIds[0]], provider: "local" });
    const localJob = local.jobId ? await ctx.waitForStatus(client, local.jobId, TERMINAL, 30_000) : undefined;
    const paid = Math.max(made, outputs);
    return outcome(
      [
        check(
          paid <= CAP,
          `${paid} image(s) made by the paid provider for a cap of ${CAP}${running ? ` (${running} job(s) still running after 40 s)` : ""}`,
        ),
        check(
          accepted + refusedClearly === singles.length && accepted <= CAP,
          `single requests: ${accepted} accepted, ${refusedClearly} refused with a 402 and a message${
            singles.length - accepted - refusedClearly
              ? `, ${singles.length - accepted - refusedClearly} otherwise (${singles
                  .filter((a) => !a.jobId && !refusal(a))
                  .map((a) => a.status)
                  .join(", ")})`
              : ""
          }`,
        ),
        check(
          Boolean(bulkRefusal) && /\d/.test(bulkRefusal ?? "") && bulkJobs === 0,
          bulkRefusal ? `bulk refused (402): "${bulkRefusal}"` : `bulk answered ${bulk.status} with ${bulkJobs} job(s)`,
        ),
        check(
          localJob?.job.status === "done",
          `local provider after the cap: ${localJob ? `job "${localJob.job.status}"` : `refused (${local.status})`}`,
        ),
      ],
      { capOverruns: Math.max(0, paid - CAP) },
    );
  },
};
