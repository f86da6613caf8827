import type { StagedUploadsCreateMutation } from "../types/admin.generated";
import type { StagedUploadInput } from "../types/admin.types";
import { AdminApiError, assertNoUserErrors, type AdminApi } from "./admin-api.server";
import { STAGED_UPLOADS_CREATE_MUTATION } from "./documents";

export interface UploadFile {
  data: Buffer;
  filename: string;
  mimeType: string;
}

export type StagedUploadMethod = "POST" | "PUT";

type StagedTarget = NonNullable<NonNullable<StagedUploadsCreateMutation["stagedUploadsCreate"]>["stagedTargets"]>[number] & {
  url: string;
  resourceUrl: string;
};

const UPLOAD_TRIES = 3;
const UPLOAD_TIMEOUT_MS = 120_000;

/**
 * Puts files where Shopify can take them from: ONE stagedUploadsCreate for all of them, then one upload
 * per target. Returns each file's resourceUrl, the `originalSource` for productUpdate, in input order.
 */
export async function stageFiles(api: AdminApi, files: UploadFile[], method: StagedUploadMethod = "POST"): Promise<string[]> {
  const input = files.map((file): StagedUploadInput => ({
    resource: "IMAGE",
    filename: file.filename,
    mimeType: file.mimeType,
    httpMethod: method,
    fileSize: String(file.data.length),
  }));
  // Asking twice only creates unused targets, so the call may be retried freely.
  const answer = await api.request(STAGED_UPLOADS_CREATE_MUTATION, { input }, { idempotent: true });
  assertNoUserErrors(answer.stagedUploadsCreate, "stagedUploadsCreate");
  // The schema lets a target's URLs be null; a target without them cannot be used.
  const targets = (answer.stagedUploadsCreate?.stagedTargets ?? []).flatMap(({ url, resourceUrl, parameters }) =>
    url && resourceUrl ? [{ url, resourceUrl, parameters }] : [],
  );
  if (targets.length !== files.length) {
    throw new AdminApiError(
      "UPLOAD_FAILED",
      `stagedUploadsCreate returned ${targets.length} usable targets for ${files.length} files.`,
      true,
    );
  }
  await Promise.all(targets.map((target, index) => uploadToTarget(api.fetch, target, files[index], method)));
  return targets.map((target) => target.resourceUrl);
}

/**
 * POST targets are signed forms: every parameter first, then the `file` field (the storage checks the
 * policy in that order). PUT targets take the raw bytes with the Content-Type that was signed.
 */
async function uploadToTarget(fetchImpl: typeof fetch, target: StagedTarget, file: UploadFile, method: StagedUploadMethod): Promise<void> {
  const bytes = new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.mimeType });
  const buildInit = (): RequestInit => {
    if (method === "PUT") return { method: "PUT", headers: { "Content-Type": file.mimeType }, body: bytes };
    const form = new FormData();
    for (const { name, value } of target.parameters) form.append(name, value);
    form.append("file", bytes, file.filename);
    return { method: "POST", body: form };
  };

  let lastError: AdminApiError | undefined;
  for (let attempt = 1; attempt <= UPLOAD_TRIES; attempt++) {
    try {
      const response = await fetchImpl(target.url, { ...buildInit(), signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS) });
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const text = (await response.text()).slice(0, 300);
      const message = `Uploading ${file.filename} failed with ${response.status}: ${readStorageMessage(text)}`;
      lastError = new AdminApiError("UPLOAD_FAILED", message, response.status >= 500 || response.status === 429, {
        status: response.status,
      });
      if (!lastError.transient) throw lastError;
    } catch (error) {
      if (error instanceof AdminApiError) throw error;
      lastError = new AdminApiError("UPLOAD_FAILED", `Uploading ${file.filename} failed: ${(error as Error).message}`, true);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt * (0.5 + Math.random() / 2)));
  }
  throw lastError!;
}

/** Google Cloud Storage explains its refusals in XML: <Error><Code/><Message/></Error>. */
function readStorageMessage(text: string): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return message ?? (text || "no details");
}
