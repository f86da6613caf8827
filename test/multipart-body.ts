// Multipart bodies made on the fly, of any size, for the upload limit tests: nothing is held in memory
// but the chunk being sent, and the test can see how much of the body the server pulled.

export interface Part {
  name: string;
  /** A file part when set. */
  filename?: string;
  /** A file's size in bytes (filled with zeros), or a text field's value. */
  bytes?: number;
  value?: string;
}

export interface MultipartBody {
  contentType: string;
  /** The body's full length, for a Content-Length header. */
  length: number;
  stream: ReadableStream<Uint8Array>;
  /** Bytes the reader has pulled so far. */
  pulled(): number;
}

const CHUNK = 64 * 1024;
const zeros = new Uint8Array(CHUNK);

export function multipartBody(parts: Part[]): MultipartBody {
  const boundary = `----studio-test-${Math.random().toString(36).slice(2)}`;
  const encoder = new TextEncoder();
  const head = (part: Part) =>
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ""}\r\n` +
        (part.filename ? "Content-Type: image/jpeg\r\n" : "") +
        "\r\n",
    );
  const tail = encoder.encode(`--${boundary}--\r\n`);
  const crlf = encoder.encode("\r\n");
  const sizeOf = (part: Part) => (part.filename ? (part.bytes ?? 0) : encoder.encode(part.value ?? "").length);
  const length = parts.reduce((sum, part) => sum + head(part).length + sizeOf(part) + crlf.length, tail.length);

  // A generator of chunks, pulled one at a time.
  function* chunks(): Generator<Uint8Array> {
    for (const part of parts) {
      yield head(part);
      if (part.filename) {
        for (let left = part.bytes ?? 0; left > 0; left -= CHUNK) yield left >= CHUNK ? zeros : zeros.subarray(0, left);
      } else {
        yield encoder.encode(part.value ?? "");
      }
      yield crlf;
    }
    yield tail;
  }
  const iterator = chunks();
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = iterator.next();
        if (next.done) return controller.close();
        pulled += next.value.byteLength;
        // A copy: the same zero buffer is sent many times, and a consumer may keep what it was given.
        controller.enqueue(next.value.slice());
      },
    },
    { highWaterMark: 0 },
  );
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, stream, pulled: () => pulled };
}

export const MB = 1024 * 1024;

/** The three abusive uploads of issue 9: many large parts, one photo too many, a 1 GB body. */
export function abusiveUploads(fields: Part[]): Record<string, Part[]> {
  return {
    "50 parts of 25 MB": [...fields, ...Array.from({ length: 50 }, (_, i) => ({ name: "photos", filename: `p${i}.jpg`, bytes: 25 * MB }))],
    "a sixth file": [...fields, ...Array.from({ length: 6 }, (_, i) => ({ name: "photos", filename: `p${i}.jpg`, bytes: 1000 }))],
    "a 1 GB body": [...fields, { name: "photos", filename: "huge.jpg", bytes: 1024 * MB }],
  };
}
