import { buildIfStale } from "../../scripts/stack/build.ts";

// Once, before any file starts: with two files at a time, two stacks finding a stale build would
// otherwise both build into the same folder.
export default async function setup() {
  await buildIfStale((message) => console.log(`[e2e] ${message}`));
}
