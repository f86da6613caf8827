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
  return { code: "INTERNAL", message: "Something went wrong on our side. Try again; if it keeps failing, contact support.", transient: true };
}
