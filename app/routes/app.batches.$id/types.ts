import type { SerializeFrom } from "@remix-run/node";
import type { loader } from "./route";

/** What the batch page's loader gives its parts. */
export type BatchData = SerializeFrom<typeof loader>;
