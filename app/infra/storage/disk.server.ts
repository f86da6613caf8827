import { createReadStream } from "node:fs";
import { access, constants, mkdir, opendir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ListedFile, StorageDriver } from "./driver";

// Files in a folder: the embedded default for one machine (or a mount every machine shares). Writes go
// to a temporary file renamed into place, so a reader never sees half a file; a crash can leave the
// temporary file behind, and the orphan sweep removes it.

const PAGE = 1000;

export function diskDriver(root: string): StorageDriver {
  const base = path.resolve(root);
  const fullPath = (key: string) => {
    const full = path.resolve(base, key);
    if (!full.startsWith(base + path.sep)) throw new Error("Storage key escapes the storage folder");
    return full;
  };

  async function writeAtomically(full: string, data: Buffer) {
    const tmp = `${full}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, full);
  }

  // Folders emptied by a delete go too (a shop's erased folder must not keep its name behind).
  async function pruneEmptyFolders(full: string) {
    for (let dir = path.dirname(full); dir.startsWith(base + path.sep); dir = path.dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        return;
    }
  }

  async function* walk(dir: string): AsyncGenerator<ListedFile> {
    const handle = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    if (!handle) return;
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full);
      else if (entry.isFile()) {
        const info = await stat(full).catch(() => null);
        if (info) yield { key: path.relative(base, full).split(path.sep).join("/"), modified: info.mtime };
      }
    }
  }

  return {
    async save(key, data) {
      const full = fullPath(key);
      await mkdir(path.dirname(full), { recursive: true });
      try {
        await writeAtomically(full, data);
      } catch (error) {
        // A delete pruned the folder between mkdir and the write: make it again, once.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        await mkdir(path.dirname(full), { recursive: true });
        await writeAtomically(full, data);
      }
    },
    async open(key) {
      const full = fullPath(key);
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) return null;
      return { body: Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>, bytes: info.size };
    },
    exists: (key) =>
      stat(fullPath(key)).then(
        (info) => info.isFile(),
        () => false,
      ),
    async remove(keys) {
      for (const key of keys) {
        const full = fullPath(key);
        await rm(full, { force: true });
        await pruneEmptyFolders(full);
      }
    },
    async *list(prefix) {
      const start = prefix ? fullPath(prefix) : base;
      let page: ListedFile[] = [];
      for await (const file of walk(start)) {
        page.push(file);
        if (page.length === PAGE) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
    // Browsers cannot reach a folder: the app's signed /files route serves it.
    directUrl: async () => null,
    async check() {
      await mkdir(base, { recursive: true });
      await access(base, constants.R_OK | constants.W_OK);
    },
  };
}
