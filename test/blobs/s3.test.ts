// The blob store contract against a real S3-compatible server (Swift's S3 API, started for this
// file), one fresh bucket per test; then what only S3 has: the start-up check of the bucket and
// credentials, key prefixes, and the choice between presigned and server-carried bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { S3BlobStore } from '../../src/blobs/s3-blobs.ts';
import { S3Unavailable } from '../../src/blobs/s3-client.ts';
import { loadConfig, type S3Config } from '../../src/config.ts';
import { freePort } from '../support/process.ts';
import { tempDir } from '../support/server.ts';
import { startSwift, type ThrowawaySwift } from '../support/swift.ts';
import { blobStoreContract } from './contract.ts';

const MiB = 1024 * 1024;
let swift: ThrowawaySwift;
before(async () => {
  swift = await startSwift();
});
after(async () => {
  await swift?.stop();
});

const s3Config = (env: Record<string, string>): S3Config => {
  const s3 = loadConfig(env).s3;
  assert.ok(s3);
  return s3;
};

async function open(env: Record<string, string>) {
  const tmpDir = tempDir();
  const blobs = await S3BlobStore.open({ config: s3Config(env), tmpDir }).catch((err: unknown) => {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  });
  return {
    blobs,
    close: async () => {
      blobs.close();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

blobStoreContract('s3 (Swift)', async () => open(swift.env(await swift.createBucket())), { presigns: true });

test('s3: a wrong secret, an unknown key, a missing bucket and an unreachable endpoint stop the store at start, naming the setting', async () => {
  const bucket = await swift.createBucket();
  const cases: [Record<string, string>, RegExp][] = [
    [{ S3_SECRET_ACCESS_KEY: 'not-the-secret' }, /S3_SECRET_ACCESS_KEY is not the secret of S3_ACCESS_KEY_ID=test:tester/],
    [{ S3_ACCESS_KEY_ID: 'nobody:here' }, /does not know the access key S3_ACCESS_KEY_ID=nobody:here|S3_SECRET_ACCESS_KEY is not the secret/],
    [{ S3_BUCKET: 'no-such-bucket' }, /the bucket does not exist .*S3_BUCKET=no-such-bucket.*create it/],
    [{ S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` }, /could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check S3_ENDPOINT/],
  ];
  for (const [patch, message] of cases) {
    await assert.rejects(open({ ...swift.env(bucket), ...patch }), (err: Error) => {
      assert.ok(err instanceof S3Unavailable, `${err.name}: ${err.message}`);
      assert.match(err.message, message);
      return true;
    });
  }
});

test('s3: S3_PREFIX keeps the keys under it; S3_UPLOADS and S3_READS=server hand out no URLs', async () => {
  const bucket = await swift.createBucket();
  const plain = await open(swift.env(bucket));
  const prefixed = await open({ ...swift.env(bucket), S3_PREFIX: 'deploy-a/', S3_UPLOADS: 'server', S3_READS: 'server' });
  try {
    await prefixed.blobs.put('files/x', Readable.from([Buffer.from('under a prefix')]));
    assert.deepEqual(await plain.blobs.stat('deploy-a/files/x'), { size: 14 });
    assert.equal(await plain.blobs.stat('files/x'), null);
    assert.equal(await prefixed.blobs.presignPut('files/y', { expiresInMs: 1000, contentType: 'image/png' }), null);
    assert.equal(await prefixed.blobs.presignGet('files/x', { expiresInMs: 1000 }), null);
    assert.equal(await prefixed.blobs.presignPart('files/y', 'id', 1, { expiresInMs: 1000 }), null);
    assert.match((await plain.blobs.presignGet('files/x', { expiresInMs: 1000 })) ?? '', /X-Amz-Signature=/);
  } finally {
    await plain.close();
    await prefixed.close();
  }
});

test('s3: S3_PUBLIC_ENDPOINT: presigned URLs are made for the name clients reach the bucket by', async () => {
  const bucket = await swift.createBucket();
  const publicEndpoint = swift.endpoint.replace('127.0.0.1', 'localhost');
  const { blobs, close } = await open({ ...swift.env(bucket), S3_PUBLIC_ENDPOINT: publicEndpoint });
  try {
    const put = await blobs.presignPut('files/p', { expiresInMs: 60_000, contentType: 'text/plain' });
    assert.equal(new URL(put!).origin, publicEndpoint);
    assert.equal((await fetch(put!, { method: 'PUT', body: 'via the public name' })).status, 200, 'signed for that host');
    const get = await blobs.presignGet('files/p', { expiresInMs: 60_000 });
    assert.equal(await (await fetch(get!)).text(), 'via the public name');
  } finally {
    await close();
  }
});

test('s3: putFile sends a large file in parts, and the blob is the file', async () => {
  const dir = tempDir();
  const blobs = await S3BlobStore.open({ config: s3Config(swift.env(await swift.createBucket())), tmpDir: dir, fileParts: { above: 6 * MiB, size: 5 * MiB } });
  try {
    const bytes = randomBytes(11 * MiB + 5);
    const file = path.join(dir, 'out.mp4');
    fs.writeFileSync(file, bytes);
    assert.deepEqual(await blobs.putFile('files/out', file), { size: bytes.length });
    const back = path.join(dir, 'back.mp4');
    await blobs.download('files/out', back);
    assert.ok(fs.readFileSync(back).equals(bytes));
  } finally {
    blobs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('s3: configuration: S3_BUCKET chooses S3, AWS_* fill in, half a key pair or a stray S3_ENDPOINT is refused', () => {
  assert.equal(loadConfig({}).s3, null);
  const s3 = s3Config({ S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'eu-west-3' });
  assert.deepEqual(
    { region: s3.region, key: s3.accessKeyId, pathStyle: s3.forcePathStyle, uploads: s3.uploads, reads: s3.reads, endpoint: s3.endpoint },
    { region: 'eu-west-3', key: 'a', pathStyle: false, uploads: 'presigned', reads: 'presigned', endpoint: null },
  );
  assert.equal(s3Config({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000/' }).forcePathStyle, true);
  assert.equal(s3Config({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000/' }).endpoint, 'http://127.0.0.1:9000');
  assert.throws(() => loadConfig({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'a' }), /go together/);
  assert.throws(() => loadConfig({ S3_ENDPOINT: 'http://x' }), /without S3_BUCKET/);
  assert.throws(() => loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'ftp://x' }), /S3_ENDPOINT must be an http\(s\) URL/);
  assert.throws(() => loadConfig({ S3_BUCKET: 'b', S3_READS: 'maybe' }), /S3_READS must be one of presigned, server/);
  assert.throws(() => loadConfig({ S3_BUCKET: 'b', S3_PREFIX: '/abs' }), /S3_PREFIX/);
});
