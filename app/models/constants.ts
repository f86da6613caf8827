// Limits and states shared by the server and the pages.

export const MAX_PHOTOS = 5;
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export const JOB_STATES = [
  "queued",
  "analysing",
  "awaiting_batch",
  "generating",
  "checking",
  "uploading",
  "done",
  "failed",
  "cancelled",
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled"];
// A worker is on it: the states an attempt moves through before its outputs are saved.
export const RUNNING_STATES: readonly JobState[] = ["analysing", "generating", "checking"];
// Economy bulk: prepared and sent in Google's batch; no worker is on it until Google answers (hours). Its
// queue entry is the batch's (see googleBatchQueueId), not the job's own, until the answers are saved.
export const AWAITING_BATCH: JobState = "awaiting_batch";
// Not finished: each of these has (or is about to have) a queue entry that moves it on.
export const UNFINISHED_STATES: readonly JobState[] = ["queued", ...RUNNING_STATES, AWAITING_BATCH, "uploading"];
// Not "uploading": by then the media may already be on the product, so the job finishes.
export const CANCELLABLE_STATES: readonly JobState[] = ["queued", "analysing", AWAITING_BATCH, "generating", "checking"];
export const RETRYABLE_STATES: readonly JobState[] = ["failed", "cancelled"];

// An output's review states besides pending and rejected. "publishing" is queued; "attaching" means
// productUpdate may have been sent, so the product is searched for the output's marker before anything
// is attached again; "restoring" is a queued removal.
export const PUBLISHABLE_REVIEW_STATES: readonly string[] = ["pending", "failed", "restored"];
export const BUSY_REVIEW_STATES: readonly string[] = ["publishing", "attaching", "restoring"];

/** The output formats a merchant can choose, as the option forms (settings, new generation) list them. */
export const FORMAT_CHOICES = [
  { label: "JPEG", value: "jpeg" },
  { label: "PNG", value: "png" },
  { label: "WebP", value: "webp" },
];
