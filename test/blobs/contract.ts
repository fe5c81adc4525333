// The blob store contract (src/blobs/blobs.ts), as one suite that every implementation must pass.
// Each blob test file calls `blobStoreContract` with a factory for a fresh, empty store. Parts
// are S3-sized (5 MiB but the last), the one rule of S3's that the local store does not have.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { BlobStore } from '../../src/blobs/blobs.ts';
import { PayloadTooLarge } from '../../src/blobs/blobs.ts';
import { tempDir } from '../support/server.ts';

const MiB = 1024 * 1024;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const body = (...chunks: Buffer[]): Readable => Readable.from(chunks);

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body that sends `first` and then fails, as a client that hangs up mid-upload. */
function failing(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else {
        setTimeout(() => this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 20);
      }
    },
  });
}

export interface ContractOptions {
  /** Whether the store hands out URLs of its own (S3) or none (the local disk). */
  presigns: boolean;
}

export type OpenBlobStore = () => Promise<{ blobs: BlobStore; close(): Promise<void> }>;

export function blobStoreContract(name: string, open: OpenBlobStore, opts: ContractOptions): void {
  const withStore = (fn: (b: BlobStore, scratch: string) => Promise<void>) => async () => {
    const opened = await open();
    const scratch = tempDir();
    try {
      await fn(opened.blobs, scratch);
    } finally {
      await opened.close();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  };

  describe(`blob store contract: ${name}`, () => {
    test('put, stat, read (whole and ranges), download, delete', withStore(async (b, scratch) => {
      const bytes = randomBytes(300_000);
      assert.equal(await b.stat('files/a'), null);
      assert.deepEqual(await b.put('files/a', body(bytes.subarray(0, 1000), bytes.subarray(1000))), { size: bytes.length });
      assert.deepEqual(await b.stat('files/a'), { size: bytes.length });
      assert.deepEqual(await bytesOf(b.read('files/a')), bytes);
      assert.deepEqual(await bytesOf(b.read('files/a', { start: 10, end: 19 })), bytes.subarray(10, 20));
      assert.deepEqual(await bytesOf(b.read('files/a', { start: bytes.length - 1, end: bytes.length - 1 })), bytes.subarray(-1));
      const local = path.join(scratch, 'copy');
      await b.download('files/a', local);
      assert.deepEqual(fs.readFileSync(local), bytes);
      await b.delete('files/a');
      assert.equal(await b.stat('files/a'), null);
      await b.delete('files/a'); // a no-op the second time
    }));

    test('a declared length streams through; an empty blob; a second put replaces', withStore(async (b) => {
      const bytes = randomBytes(70_000);
      assert.deepEqual(await b.put('k/1', body(bytes), { length: bytes.length, maxBytes: bytes.length }), { size: bytes.length });
      assert.deepEqual(await bytesOf(b.read('k/1')), bytes);
      assert.deepEqual(await b.put('k/1', body(Buffer.from('short'))), { size: 5 });
      assert.equal((await bytesOf(b.read('k/1'))).toString(), 'short');
      assert.deepEqual(await b.put('k/empty', body()), { size: 0 });
      assert.deepEqual(await b.stat('k/empty'), { size: 0 });
    }));

    test('an oversized or interrupted put leaves no blob', withStore(async (b) => {
      const bytes = randomBytes(50_000);
      await assert.rejects(b.put('k/big', body(bytes), { maxBytes: 49_999 }), PayloadTooLarge);
      await assert.rejects(b.put('k/big', body(bytes), { maxBytes: 49_999, length: bytes.length }), PayloadTooLarge);
      assert.equal(await b.stat('k/big'), null);
      await assert.rejects(b.put('k/cut', failing(bytes)));
      await assert.rejects(b.put('k/cut', failing(bytes), { length: 2 * bytes.length }));
      assert.equal(await b.stat('k/cut'), null);
      await b.put('k/kept', body(bytes));
      await assert.rejects(b.put('k/kept', failing(randomBytes(1000))));
      assert.deepEqual(await bytesOf(b.read('k/kept')), bytes, 'a failed replacement keeps the old blob');
    }));

    test('putFile stores a local file; reading a missing blob fails with ENOENT', withStore(async (b, scratch) => {
      const file = path.join(scratch, 'out.mp4');
      const bytes = randomBytes(123_456);
      fs.writeFileSync(file, bytes);
      assert.deepEqual(await b.putFile('files/out', file), { size: bytes.length });
      assert.deepEqual(await bytesOf(b.read('files/out')), bytes);
      await assert.rejects(bytesOf(b.read('files/missing')), { code: 'ENOENT' });
      assert.throws(() => b.read('../escape'), /invalid blob key/);
    }));

    test('multipart: parts listed by number with MD5 etags, replaced, joined in order', withStore(async (b) => {
      assert.ok(b.minPartBytes >= 0 && b.minPartBytes <= 5 * MiB);
      const id = await b.createMultipart('files/big');
      const p1 = randomBytes(5 * MiB);
      const p2 = randomBytes(5 * MiB);
      const p3 = randomBytes(1000);
      // Out of order, one with its length declared, one spooled.
      assert.deepEqual(await b.putPart('files/big', id, 3, body(p3)), { partNumber: 3, etag: md5(p3), size: p3.length });
      assert.deepEqual(await b.putPart('files/big', id, 1, body(p1), { length: p1.length }), { partNumber: 1, etag: md5(p1), size: p1.length });
      const wrong = randomBytes(5 * MiB);
      await b.putPart('files/big', id, 2, body(wrong));
      assert.deepEqual((await b.putPart('files/big', id, 2, body(p2))).etag, md5(p2), 'sent again: replaced');
      assert.deepEqual(await b.listParts('files/big', id), [
        { partNumber: 1, etag: md5(p1), size: p1.length },
        { partNumber: 2, etag: md5(p2), size: p2.length },
        { partNumber: 3, etag: md5(p3), size: p3.length },
      ]);
      assert.equal(await b.stat('files/big'), null, 'nothing under the key before completion');
      const size = p1.length + p2.length + p3.length;
      const parts = [1, 2, 3].map((n, i) => ({ partNumber: n, etag: md5([p1, p2, p3][i]!) }));
      assert.deepEqual(await b.completeMultipart('files/big', id, parts), { size });
      assert.deepEqual(await bytesOf(b.read('files/big', { start: 5 * MiB - 3, end: 5 * MiB + 2 })), Buffer.concat([p1.subarray(-3), p2.subarray(0, 3)]));
      assert.equal(md5(await bytesOf(b.read('files/big'))), md5(Buffer.concat([p1, p2, p3])));
      // (Whether a completed upload still lists its parts differs: Swift's S3 API does, AWS does
      // not. Nothing relies on either: `complete` spends the upload URL.)
    }));

    test('multipart: a wrong etag is refused; oversized and interrupted parts leave nothing; abort forgets', withStore(async (b) => {
      const id = await b.createMultipart('files/m');
      const p1 = randomBytes(1000);
      await b.putPart('files/m', id, 1, body(p1));
      await assert.rejects(b.completeMultipart('files/m', id, [{ partNumber: 1, etag: md5(Buffer.from('other')) }]));
      assert.equal(await b.stat('files/m'), null);
      await assert.rejects(b.putPart('files/m', id, 2, body(randomBytes(2000)), { maxBytes: 1999 }), PayloadTooLarge);
      await assert.rejects(b.putPart('files/m', id, 2, body(randomBytes(2000)), { maxBytes: 1999, length: 2000 }), PayloadTooLarge);
      await assert.rejects(b.putPart('files/m', id, 3, failing(randomBytes(4000))));
      await assert.rejects(b.putPart('files/m', id, 3, failing(randomBytes(4000)), { length: 8000 }));
      assert.deepEqual((await b.listParts('files/m', id)).map((p) => p.partNumber), [1]);
      await b.abortMultipart('files/m', id);
      assert.deepEqual(await b.listParts('files/m', id), []);
      await b.abortMultipart('files/m', id); // a no-op for an unknown upload
      assert.equal(await b.stat('files/m'), null);
    }));

    test(opts.presigns ? 'presigned URLs PUT, PUT parts and GET without the server; a tampered signature is refused' : 'no presigned URLs: the server carries the bytes', withStore(async (b) => {
      const put = await b.presignPut('files/direct', { expiresInMs: 60_000, contentType: 'image/png' });
      const get = await b.presignGet('files/direct', { expiresInMs: 60_000, contentType: 'image/png', contentDisposition: 'inline; filename="a.png"' });
      const id = await b.createMultipart('files/parts');
      const part = await b.presignPart('files/parts', id, 1, { expiresInMs: 60_000 });
      if (!opts.presigns) {
        assert.deepEqual([put, get, part], [null, null, null]);
        await b.abortMultipart('files/parts', id);
        return;
      }
      assert.ok(put && get && part);
      const bytes = randomBytes(10_000);
      const tampered = put.replace(/(X-Amz-Signature=)([0-9a-f])/, (_m, k: string, c: string) => `${k}${c === '0' ? '1' : '0'}`);
      assert.notEqual(tampered, put);
      assert.equal((await fetch(tampered, { method: 'PUT', body: bytes })).status, 403);
      assert.equal(await b.stat('files/direct'), null);
      // Any Content-Type is accepted: it is not part of the signature.
      assert.equal((await fetch(put, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })).status, 200);
      assert.deepEqual(await b.stat('files/direct'), { size: bytes.length });
      const res = await fetch(get, { headers: { range: 'bytes=0-9' } });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-type'), 'image/png', 'the response type is the one asked for');
      assert.equal(res.headers.get('content-disposition'), 'inline; filename="a.png"');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(0, 10));
      const partRes = await fetch(part, { method: 'PUT', body: bytes });
      assert.equal(partRes.status, 200);
      assert.equal(partRes.headers.get('etag')?.replace(/"/g, ''), md5(bytes));
      assert.deepEqual(await b.listParts('files/parts', id), [{ partNumber: 1, etag: md5(bytes), size: bytes.length }]);
      assert.deepEqual(await b.completeMultipart('files/parts', id, [{ partNumber: 1, etag: md5(bytes) }]), { size: bytes.length });
    }));
  });
}
