// Blobs as files under one directory. Writes go to a temporary file that is renamed into place,
// so a crash mid-write never leaves a half blob (or half part) under a real name.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, ByteRange, PartInfo, WriteOptions } from './blobs.ts';
import { byteLimit } from './byte-limit.ts';

const UPLOAD_ID = /^[0-9a-f-]{36}$/;
/** Bytes a disk write may buffer before the socket is paused: at Node's default (16 KiB) every 64 KiB socket read pauses it, and uploads ran at half the speed (bench/files.ts). */
const WRITE_BUFFER = 1 << 20;
const PART_FILE = /^(\d+)\.([0-9a-f]{32})\.(\d+)$/;

export class FsBlobStore implements BlobStore {
  readonly minPartBytes = 0;
  readonly #root: string;
  readonly #tmp: string;
  readonly #multipart: string;

  constructor(root: string) {
    this.#root = root;
    this.#tmp = path.join(root, '.incoming');
    this.#multipart = path.join(root, '.multipart');
    fs.mkdirSync(this.#tmp, { recursive: true });
    fs.mkdirSync(this.#multipart, { recursive: true });
  }

  #path(key: string): string {
    if (!/^[\w./-]+$/.test(key) || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    }
    return path.join(this.#root, key);
  }

  #partsDir(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`invalid upload id ${JSON.stringify(uploadId)}`);
    return path.join(this.#multipart, uploadId);
  }

  async #commit(tmp: string, key: string): Promise<void> {
    const dest = this.#path(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
  }

  /** Streams `body` to a fresh temporary file; removes it on any failure. */
  async #receive(body: Readable, maxBytes: number | undefined, hash?: Hash): Promise<{ tmp: string; size: number }> {
    const tmp = path.join(this.#tmp, randomUUID());
    const counted = { size: 0 };
    try {
      await pipeline(body, byteLimit(maxBytes ?? Number.MAX_SAFE_INTEGER, counted, hash), fs.createWriteStream(tmp, { highWaterMark: WRITE_BUFFER }));
      return { tmp, size: counted.size };
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async put(key: string, body: Readable, opts: WriteOptions = {}): Promise<{ size: number }> {
    const { tmp, size } = await this.#receive(body, opts.maxBytes);
    try {
      await this.#commit(tmp, key);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return { size };
  }

  async putFile(key: string, localPath: string): Promise<{ size: number }> {
    const { size } = await fsp.stat(localPath);
    const tmp = path.join(this.#tmp, randomUUID());
    try {
      await fsp.rename(localPath, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await fsp.copyFile(localPath, tmp);
    }
    await this.#commit(tmp, key);
    return { size };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      return { size: (await fsp.stat(this.#path(key))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(key: string, range?: ByteRange): Readable {
    // 256 KiB reads: downloads ran at 40 % of a plain copy with Node's default of 64 KiB (bench/files.ts).
    return fs.createReadStream(this.#path(key), { highWaterMark: 256 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async download(key: string, localPath: string): Promise<void> {
    await fsp.copyFile(this.#path(key), localPath);
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.#path(key), { force: true });
  }

  async createMultipart(key: string): Promise<string> {
    this.#path(key); // refuse a bad key now, not at completion
    const uploadId = randomUUID();
    await fsp.mkdir(this.#partsDir(uploadId), { recursive: true });
    return uploadId;
  }

  // Parts are files named `{partNumber}.{md5}.{size}`: the listing is one readdir (no stat per
  // part, which every part PUT would pay again for all parts before it), and a part that is sent
  // again lands under its new name before the old one goes, so a part is never missing.
  async putPart(_key: string, uploadId: string, partNumber: number, body: Readable, opts: WriteOptions = {}): Promise<PartInfo> {
    const dir = this.#partsDir(uploadId);
    if (!fs.existsSync(dir)) throw new Error(`unknown multipart upload ${uploadId}`);
    const hash = createHash('md5');
    const { tmp, size } = await this.#receive(body, opts.maxBytes, hash);
    const etag = hash.digest('hex');
    const name = `${partNumber}.${etag}.${size}`;
    try {
      await fsp.rename(tmp, path.join(dir, name));
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    for (const old of await fsp.readdir(dir)) {
      if (old !== name && old.startsWith(`${partNumber}.`)) await fsp.rm(path.join(dir, old), { force: true });
    }
    return { partNumber, etag, size };
  }

  async listParts(_key: string, uploadId: string): Promise<PartInfo[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.#partsDir(uploadId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // Two names for one part number exist only for the moment a replacement lands; either is whole.
    const parts = new Map<number, PartInfo>();
    for (const name of names) {
      const m = PART_FILE.exec(name);
      if (m) parts.set(Number(m[1]), { partNumber: Number(m[1]), etag: m[2] ?? '', size: Number(m[3]) });
    }
    return [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]): Promise<{ size: number }> {
    const dir = this.#partsDir(uploadId);
    const tmp = path.join(this.#tmp, randomUUID());
    let size = 0;
    const byTag = new Map((await this.listParts(key, uploadId)).map((p) => [`${p.partNumber}.${p.etag}`, p]));
    const out = await fsp.open(tmp, 'w');
    try {
      // One part at a time, one chunk at a time: memory stays flat whatever the file's size.
      for (const p of parts) {
        const held = byTag.get(`${p.partNumber}.${p.etag}`);
        if (!held) throw new Error(`part ${p.partNumber} (${p.etag}) of upload ${uploadId} is missing`);
        const name = `${held.partNumber}.${held.etag}.${held.size}`;
        for await (const chunk of fs.createReadStream(path.join(dir, name), { highWaterMark: 1 << 20 })) {
          await out.write(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      }
      await out.close();
      await this.#commit(tmp, key);
    } catch (err) {
      await out.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    await fsp.rm(dir, { recursive: true, force: true });
    return { size };
  }

  async abortMultipart(_key: string, uploadId: string): Promise<void> {
    await fsp.rm(this.#partsDir(uploadId), { recursive: true, force: true });
  }

  // The local disk has no URL of its own: the server receives and serves the bytes itself.
  async presignPut(_key: string, _opts: { expiresInMs: number; contentType: string }): Promise<string | null> {
    return null;
  }

  async presignPart(_key: string, _uploadId: string, _partNumber: number, _opts: { expiresInMs: number }): Promise<string | null> {
    return null;
  }

  async presignGet(_key: string, _opts: { expiresInMs: number }): Promise<string | null> {
    return null;
  }
}
