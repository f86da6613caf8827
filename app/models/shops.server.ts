import { prisma } from "~/db.server";
import { deleteShopFiles } from "~/storage.server";

/** Everything the app holds for a shop, gone (shop/redact). Safe to run twice. */
export async function eraseShopData(shop: string) {
  await prisma.$transaction([
    prisma.output.deleteMany({ where: { shop } }),
    prisma.sourceImage.deleteMany({ where: { shop } }),
    prisma.job.deleteMany({ where: { shop } }),
    prisma.batch.deleteMany({ where: { shop } }),
    prisma.usage.deleteMany({ where: { shop } }),
    prisma.shopSettings.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
  ]);
  await deleteShopFiles(shop);
}
