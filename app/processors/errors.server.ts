import { StudioError } from "~/studio";
import { AdminApiError } from "~/shopify/admin-api.server";

/** A failure that retrying cannot fix; its message is written for the merchant. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ClassifiedError {
  code: string;
  message: string;
  transient: boolean;
}

// Errors from outside are classified where they enter (StudioError, AdminApiError); here they are only
// mapped to what the job row shows.
export function classifyJobError(error: unknown): ClassifiedError {
  if (error instanceof PermanentJobError) return { code: error.code, message: error.message, transient: false };
  if (error instanceof StudioError) return { code: error.code, message: error.merchantMessage, transient: error.transient };
  if (error instanceof AdminApiError) return { code: error.code, message: error.message, transient: error.transient };
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") {
    return { code: "FILE_MISSING", message: "A stored photo is missing from the app's storage.", transient: false };
  }
  return {
    code: "INTERNAL",
    message: "Something went wrong on our side. Try again; if it keeps failing, contact support.",
    transient: true,
  };
}

/** Why a job stopped without its own run saying so, as the job page shows it (each with Retry). */
export const STOPPED_ERRORS = {
  WORKER_LOST: {
    code: "WORKER_LOST",
    message: "The worker making this job stopped several times before it finished (it was restarted or ran out of memory). Retry it.",
  },
  INTERRUPTED: {
    code: "INTERRUPTED",
    message: "This job was interrupted before it could finish (the database or the job queue was unavailable). Retry it.",
  },
  TIMED_OUT: {
    code: "TIMED_OUT",
    message: "This job ran for much longer than it should and was stopped. Retry it.",
  },
} as const satisfies Record<string, ClassifiedFailure>;

interface ClassifiedFailure {
  code: string;
  message: string;
}
