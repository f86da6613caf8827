import type { Scenario } from "../scenario.ts";
import { scenario as killWhileGenerating } from "./01-kill-while-generating.ts";
import { scenario as killBeforeAnswer } from "./02-kill-before-answer.ts";
import { scenario as autoPublishProcessing } from "./03-auto-publish-processing.ts";
import { scenario as errorAfterProductUpdate } from "./04-error-after-product-update.ts";
import { scenario as doublePublish } from "./05-double-publish.ts";
import { scenario as merchantEdits } from "./06-merchant-edits.ts";
import { scenario as cap } from "./07-cap.ts";
import { scenario as redisLosesQueue } from "./08-redis-loses-queue.ts";
import { scenario as databaseDown } from "./09-database-down.ts";
import { scenario as sigtermLongPublish } from "./10-sigterm-long-publish.ts";
import { scenario as cancelRetry } from "./11-cancel-retry.ts";
import { scenario as uploadAbuse } from "./12-upload-abuse.ts";
import { scenario as stableImageUrls } from "./13-stable-image-urls.ts";
import { scenario as shopRedactMismatch } from "./14-shop-redact-mismatch.ts";
import { scenario as staleToken } from "./15-stale-token.ts";
import { scenario as economyBatchKills } from "./16-economy-batch-kills.ts";
import { scenario as providerLimits } from "./17-provider-limits.ts";
import { scenario as bulkWhileRedisAway } from "./18-bulk-while-redis-away.ts";
import { scenario as killAfterUsageRecord } from "./19-kill-after-usage-record.ts";

/** Issue 9's scenarios, in its order; then issue 13's economy bulk and issue 11's provider limits and batch creation. */
export const SCENARIOS: Scenario[] = [
  killWhileGenerating,
  killBeforeAnswer,
  autoPublishProcessing,
  errorAfterProductUpdate,
  doublePublish,
  merchantEdits,
  cap,
  redisLosesQueue,
  databaseDown,
  sigtermLongPublish,
  cancelRetry,
  uploadAbuse,
  stableImageUrls,
  shopRedactMismatch,
  staleToken,
  economyBatchKills,
  // Issue 11's: the paid provider's limits shared by every worker, under kills.
  providerLimits,
  // Issue 11's batch creation: Redis away between the transaction and addBulk.
  bulkWhileRedisAway,
  // Issue 14's billing: one usage record per charged image under a kill and a lost answer (a stack with billing on).
  killAfterUsageRecord,
];
