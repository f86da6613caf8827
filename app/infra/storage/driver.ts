// What a place that keeps the app's files must do. Two drivers: a folder on disk and S3-compatible
// object storage. Keys are `/`-separated, relative to the driver's root (folder or bucket prefix).

export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  bytes: number;
}

export interface ListedFile {
  key: string;
  modified: Date;
}

/** How a browser may fetch a file straight from the store. */
export interface DirectLink {
  /** Unix seconds: the start of the link's window, the same for every link made in it. */
  from: number;
  /** Unix seconds: the link opens nothing after this. */
  expires: number;
  contentType: string;
  /** Served as an attachment with this file name. */
  download?: string;
}

export interface StorageDriver {
  /** Stores the whole file under `key`: readers see the previous file or this one, never part of one. */
  save(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The file as a stream with its length, or null when there is none. */
  open(key: string): Promise<StoredFile | null>;
  exists(key: string): Promise<boolean>;
  /** Deletes these files; one that is already gone is no error. */
  remove(keys: string[]): Promise<void>;
  /** Every file whose key starts with `prefix` ("" or a folder ending in "/"), a page at a time. */
  list(prefix: string): AsyncIterable<ListedFile[]>;
  /** A URL the browser fetches the file from without the app, or null when the store has none (disk). */
  directUrl(key: string, link: DirectLink): Promise<string | null>;
  /** Throws, saying why, unless the store answers and lets the app list its files. */
  check(): Promise<void>;
}
