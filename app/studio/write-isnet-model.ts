// `node app/studio/write-isnet-model.ts OUT CHUNK...`: writes the fp32 ISNet model (isnet-model.ts) from
// the shipped chunks. segment.ts runs it as a child process, once per machine, so that a worker never
// holds the packed model and its rewrite: about 360 MB at the peak, which its allocator would otherwise
// keep through the first jobs.
import { readFileSync, writeFileSync } from "node:fs";
import { widenIsnetModel } from "./isnet-model.ts";

const [out, ...chunks] = process.argv.slice(2);
writeFileSync(out, widenIsnetModel(Buffer.concat(chunks.map((chunk) => readFileSync(chunk)))));
