import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";
import type * as AppIndexModule from "~/routes/app._index";
import type * as FilesModule from "~/routes/files.$";
import type * as DbModule from "~/infra/db.server";
import type * as StorageModule from "~/infra/storage.server";

// Shop isolation on every route that takes an id: shop A's session token can neither see nor change
// shop B's jobs, outputs or images.

let app: AppTest;
let routes: {
  job: typeof AppJobsIdModule;
  home: typeof AppIndexModule;
  files: typeof FilesModule;
};
let prisma: typeof DbModule.prisma;
let storage: typeof StorageModule;
let jobB: { id: string; outputId: string; outputKey: string };

beforeAll(async () => {
  app = await startAppTest();
  routes = {
    job: await import("~/routes/app.jobs.$id/route"),
    home: await import("~/routes/app._index"),
    files: await import("~/routes/files.$"),
  };
  prisma = (await import("~/infra/db.server")).prisma;
  storage = await import("~/infra/storage.server");

  const key = storage.fileKey(SHOP_B, "job-b", "output.png");
  await storage.saveFile(key, Buffer.from("not really a png"));
  const job = await prisma.job.create({
    data: {
      shop: SHOP_B,
      productId: "gid://shopify/Product/1",
      productTitle: "Shop B's secret product",
      mode: "white",
      provider: "local",
      status: "done",
      progress: 100,
      sources: { create: [{ shop: SHOP_B, position: 0, origin: "product", url: "https://cdn.shopify.com/b.jpg" }] },
      outputs: {
        create: [{ shop: SHOP_B, position: 0, storageKey: key, format: "png", width: 10, height: 10, bytes: 16, provider: "local" }],
      },
    },
    include: { outputs: true },
  });
  jobB = { id: job.id, outputId: job.outputs[0].id, outputKey: key };
});

afterAll(async () => {
  await app?.stop();
});

describe("a request with shop A's session token", () => {
  test("gets 404 for shop B's job page", async () => {
    const response = await call(routes.job.loader, await asShop(SHOP_A, `/app/jobs/${jobB.id}`), { id: jobB.id });
    expect(response.status).toBe(404);
  });

  test("sees shop B's job when the token is shop B's (the same route works for its owner)", async () => {
    const response = await call(routes.job.loader, await asShop(SHOP_B, `/app/jobs/${jobB.id}`), { id: jobB.id });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.job.productTitle).toBe("Shop B's secret product");
  });

  for (const intent of ["publish", "restore", "reject", "retry", "cancel", "regenerate"]) {
    test(`cannot ${intent} shop B's outputs`, async () => {
      const form = new FormData();
      form.set("intent", intent);
      form.append("outputId", jobB.outputId);
      const request = await asShop(SHOP_A, `/app/jobs/${jobB.id}`, { method: "POST", body: form });
      const response = await call(routes.job.action, request, { id: jobB.id });
      expect(response.status).toBe(404);
      const output = await prisma.output.findUniqueOrThrow({ where: { id: jobB.outputId } });
      expect(output.reviewState).toBe("pending");
      const job = await prisma.job.findUniqueOrThrow({ where: { id: jobB.id } });
      expect(job.status).toBe("done");
    });
  }

  test("does not list shop B's jobs on the home page", async () => {
    const response = await call(routes.home.loader, await asShop(SHOP_A, "/app"));
    const body = await response.json();
    expect(body.jobs.map((j: { id: string }) => j.id)).not.toContain(jobB.id);
  });

  test("cannot read shop B's image files without a URL signed for them", async () => {
    const unsigned = await call(routes.files.loader, new Request(`http://localhost/files/${jobB.outputKey}`), { "*": jobB.outputKey });
    expect(unsigned.status).toBe(403);
    const signed = new URL(storage.signedFileUrl(jobB.outputKey), "http://localhost");
    const forged = `${signed.pathname.replace("output.png", "other.png")}${signed.search}`;
    const tampered = await call(routes.files.loader, new Request(`http://localhost${forged}`), {
      "*": jobB.outputKey.replace("output.png", "other.png"),
    });
    expect(tampered.status).toBe(403);
    const ok = await call(routes.files.loader, new Request(signed), { "*": jobB.outputKey });
    expect(ok.status).toBe(200);
  });

  test("without any session token is refused", async () => {
    const response = await call(
      routes.job.loader,
      new Request(`http://localhost:3000/app/jobs/${jobB.id}`, { headers: { authorization: "Bearer not-a-token" } }),
      { id: jobB.id },
    );
    expect(response.status).toBe(401);
  });
});
