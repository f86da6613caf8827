// `npm run tokens:reseal`: seals every stored session token under TOKEN_ENCRYPTION_KEY — plain-text rows
// from before encryption, and rows under TOKEN_ENCRYPTION_KEY_PREVIOUS after a rotation. Rows are also
// sealed as they are read; this does the rest at once, after which the previous key can be removed.
import { prisma } from "~/infra/db.server";
import { sessionStorage } from "~/models/admin.server";

const resealed = await sessionStorage.resealAll();
console.log(`[tokens] ${resealed} session${resealed === 1 ? "" : "s"} sealed under the current key`);
await prisma.$disconnect();
