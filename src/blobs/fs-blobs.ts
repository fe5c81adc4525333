// Blobs as files under one directory. Writes go to a temporary file that is renamed into place,
// so a crash mid-write never leaves a half blob under a real key.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLarge, type BlobStore, type ByteRange } from './blobs.ts';

/** Counts bytes as they pass and fails the stream once past a limit. */
function byteLimit(maxBytes: number, counted: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.size += chunk.length;
      if (counted.size > maxBytes) done(new PayloadTooLarge(maxBytes));
      else done(null, chunk);
    },
  });
}

export class FsBlobStore implements BlobStore {
  readonly #root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#root = root;
    this.#tmp = path.join(root, '.incoming');
    fs.mkdirSync(this.#tmp, { recursive: true });
  }

  #path(key: string): string {
    if (!/^[\w./-]+$/.test(key) || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    }
    return path.join(this.#root, key);
  }

  async #commit(tmp: string, key: string): Promise<void> {
    const dest = this.#path(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
  }

  async put(key: string, body: Readable, opts: { maxBytes?: number } = {}): Promise<{ size: number }> {
    const tmp = path.join(this.#tmp, randomUUID());
    const counted = { size: 0 };
    try {
      await pipeline(body, byteLimit(opts.maxBytes ?? Number.MAX_SAFE_INTEGER, counted), fs.createWriteStream(tmp));
      await this.#commit(tmp, key);
      return { size: counted.size };
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
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
    return fs.createReadStream(this.#path(key), range ? { start: range.start, end: range.end } : {});
  }

  async download(key: string, localPath: string): Promise<void> {
    await fsp.copyFile(this.#path(key), localPath);
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.#path(key), { force: true });
  }
}
