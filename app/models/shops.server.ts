import { prisma } from "~/infra/db.server";
import { deleteShopFiles } from "~/infra/storage.server";

/**
 * Everything the app holds for a shop, gone (app/uninstalled, shop/redact): its rows, then its stored
 * files, listed by the shop's key prefix and deleted in batches. Safe to run twice; a file a worker
 * writes after this has no row and the orphan sweep removes it.
 */
export async function eraseShopData(shop: string) {
  await prisma.$transaction([
    prisma.output.deleteMany({ where: { shop } }),
    prisma.sourceImage.deleteMany({ where: { shop } }),
    prisma.job.deleteMany({ where: { shop } }),
    prisma.batch.deleteMany({ where: { shop } }),
    prisma.usage.deleteMany({ where: { shop } }),
    prisma.shopSettings.deleteMany({ where: { shop } }),
    prisma.shopBilling.deleteMany({ where: { shop } }),
    prisma.usageCharge.deleteMany({ where: { shop } }),
    prisma.automationEvent.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
  ]);
  await deleteShopFiles(shop);
}
