// Limits and states shared by the server and the pages.

export const MAX_PHOTOS = 5;
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export const JOB_STATES = ["queued", "analysing", "generating", "checking", "uploading", "done", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled"];
// A worker is on it: the states an attempt moves through before its outputs are saved.
export const RUNNING_STATES: readonly JobState[] = ["analysing", "generating", "checking"];
// Not finished: each of these has (or is about to have) a queue entry that moves it on.
export const UNFINISHED_STATES: readonly JobState[] = ["queued", ...RUNNING_STATES, "uploading"];
// Not "uploading": by then the media may already be on the product, so the job finishes.
export const CANCELLABLE_STATES: readonly JobState[] = ["queued", "analysing", "generating", "checking"];
export const RETRYABLE_STATES: readonly JobState[] = ["failed", "cancelled"];

// An output's review states besides pending and rejected. "publishing" is queued; "attaching" means
// productUpdate may have been sent, so the product is searched for the output's marker before anything
// is attached again; "restoring" is a queued removal.
export const PUBLISHABLE_REVIEW_STATES: readonly string[] = ["pending", "failed", "restored"];
export const BUSY_REVIEW_STATES: readonly string[] = ["publishing", "attaching", "restoring"];
