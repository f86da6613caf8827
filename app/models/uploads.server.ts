import { randomUUID } from "node:crypto";
import { env } from "~/infra/env.server";
import { fileKey, saveFile } from "~/infra/storage.server";
import { loadInputImage, StudioError, type StudioErrorCode } from "~/studio";
import type { ErrorCode, Message } from "~/i18n/index";
import { MAX_PHOTOS, MAX_UPLOAD_BYTES } from "~/models/constants";
import type { UploadFormSpec } from "~/infra/request-body.server";

/** What the New generation page posts: its fields, and up to 5 photos of up to 25 MB each. */
export const GENERATION_UPLOAD: UploadFormSpec = {
  fields: ["productId", "mode", "provider", "options", "mediaIds"],
  fileField: "photos",
  maxFiles: MAX_PHOTOS,
  maxFileBytes: MAX_UPLOAD_BYTES,
  maxFieldBytes: 16 * 1024,
  // The photos plus room for the fields and the multipart framing.
  maxTotalBytes: MAX_PHOTOS * MAX_UPLOAD_BYTES + 256 * 1024,
};

export interface StoredUpload {
  storageKey: string;
  width: number;
  height: number;
  bytes: number;
}

/** Checks that every upload is a decodable image within the pixel limit before anything is stored or
 * queued; the first bad file gives the merchant a clear reason naming the file. */
export async function storeUploads(shop: string, files: File[]): Promise<StoredUpload[] | { error: Message }> {
  const decoded = [];
  for (const file of files) {
    if (file.size > MAX_UPLOAD_BYTES)
      return { error: { code: "UPLOAD_TOO_LARGE", values: { name: file.name, mb: MAX_UPLOAD_BYTES / 1024 / 1024 } } };
    const raw = Buffer.from(await file.arrayBuffer());
    try {
      const image = await loadInputImage(raw, { maxPixels: env.MAX_INPUT_MEGAPIXELS * 1_000_000 });
      decoded.push({ image, name: file.name });
    } catch (error) {
      if (error instanceof StudioError) return { error: uploadRefusal(file.name, error) };
      throw error;
    }
  }
  const batch = randomUUID();
  return Promise.all(
    decoded.map(async ({ image }, index) => {
      const ext = image.format === "png" ? "png" : "jpg";
      const storageKey = fileKey(shop, "uploads", `${batch}-${index}.${ext}`);
      await saveFile(storageKey, image.data);
      return { storageKey, width: image.width, height: image.height, bytes: image.data.length };
    }),
  );
}

// The engine's reasons for refusing a photo, as the merchant reads them beside the file's name.
const UPLOAD_REFUSALS: Partial<Record<StudioErrorCode, ErrorCode>> = {
  INPUT_NOT_IMAGE: "UPLOAD_NOT_IMAGE",
  INPUT_UNSUPPORTED_FORMAT: "UPLOAD_UNSUPPORTED_FORMAT",
  INPUT_TOO_LARGE: "UPLOAD_TOO_MANY_PIXELS",
  INPUT_CORRUPT: "UPLOAD_CORRUPT",
};

function uploadRefusal(name: string, error: StudioError): Message {
  // The engine names a refused format in its log message ("INPUT_UNSUPPORTED_FORMAT: refused HEIF sequence").
  const format = /: refused (.+)$/.exec(error.message)?.[1] ?? "";
  return { code: UPLOAD_REFUSALS[error.code] ?? "UPLOAD_CORRUPT", values: { name, format } };
}
