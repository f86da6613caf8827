import type { JobState } from "~/models/constants";

/** The badge tone of a job's status, the same on every page. */
export function statusTone(status: JobState) {
  if (status === "done") return "success" as const;
  if (status === "failed") return "critical" as const;
  if (status === "cancelled") return undefined;
  return "info" as const;
}
