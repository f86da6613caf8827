import type { SerializeFrom } from "@remix-run/node";
import type { loader } from "./route";

/** What the billing page's loader gives its cards. */
export type BillingData = SerializeFrom<typeof loader>;
