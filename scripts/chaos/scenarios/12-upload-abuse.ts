import { readFileSync } from "node:fs";
import path from "node:path";
import { check, outcome, SQLITE, type Scenario } from "../scenario.ts";
import { uploadForm, type FormPart, type UploadResult } from "../upload.ts";

const MB = 1024 * 1024;
const GROWTH_LIMIT_MB = 50;
/** Past this the request has failed its measurement; stop pushing gigabytes into a shared machine. */
const ABORT_AT_MB = 200;

function describe(label: string, result: UploadResult): { ok: boolean; text: string } {
  const refused = result.status !== null && result.status >= 400 && result.status < 500;
  const answer = result.aborted
    ? `no answer after ${result.sentMb.toFixed(0)} MB sent (the harness stopped)`
    : `${result.status ?? result.body} after ${result.sentMb.toFixed(0)} MB sent`;
  return {
    ok: refused && result.grewMb <= GROWTH_LIMIT_MB,
    text: `${label}: ${answer}, web RSS +${result.grewMb.toFixed(0)} MB`,
  };
}

export const scenario: Scenario = {
  id: 12,
  fault: "Upload abuse on the new-generation form: 50 parts of 25 MB; six photos; a 1 GB body (one part)",
  expected: `each is refused (4xx) without the web process's memory (VmRSS) growing more than ${GROWTH_LIMIT_MB} MB`,
  databases: SQLITE,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const pid = chaos.web.pid!;
    const fields: FormPart[] = [
      { name: "productId", value: product.id },
      { name: "mode", value: "white" },
      { name: "options", value: JSON.stringify({ size: 1024 }) },
    ];
    const target = "/app/new?_data=routes%2Fapp.new";
    const photo = readFileSync(path.join(chaos.storageDir, "photos", "mug-wood.jpg"));
    const many = await uploadForm(
      client,
      target,
      [...fields, ...Array.from({ length: 50 }, (_, i) => ({ name: "photos", filename: `photo-${i + 1}.jpg`, size: 25 * MB }))],
      pid,
      ABORT_AT_MB,
    );
    const six = await uploadForm(
      client,
      target,
      [...fields, ...Array.from({ length: 6 }, (_, i) => ({ name: "photos", filename: `photo-${i + 1}.jpg`, bytes: photo }))],
      pid,
      ABORT_AT_MB,
    );
    const huge = await uploadForm(client, target, [...fields, { name: "photos", filename: "huge.jpg", size: 1024 * MB }], pid, ABORT_AT_MB);
    const jobs = await ctx.prisma.job.count({ where: { shop: client.shop } });
    const results = [describe("50 × 25 MB", many), describe("six photos", six), describe("1 GB", huge)];
    return outcome([...results.map((r) => check(r.ok, r.text)), check(jobs === 0, `${jobs} job(s) created`)]);
  },
};
