// A Prisma generator that writes the DMMF it is given to its `output` path as JSON. Prisma's own
// parser makes the DMMF; no other offline way to get it ships with the prisma package.
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

function respond(id, result) {
  // Prisma reads the generator's answers from its stderr, one JSON-RPC message per line.
  process.stderr.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (message.method === "getManifest") {
    respond(message.id, { manifest: { prettyName: "DMMF dump", requiresEngines: [] } });
  } else if (message.method === "generate") {
    writeFileSync(message.params.generator.output.value, JSON.stringify(message.params.dmmf));
    respond(message.id, null);
  }
});
