// Media checks on their own: image sizes from headers (no decoder), the full image check with
// EXIF orientation and the accepted formats, and the video probe against its limits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { sniffImage } from '../src/blobs/sniff.ts';
import { checkImage, MediaError } from '../src/media/image-check.ts';
import { headerDimensions } from '../src/media/image-header.ts';
import { probeVideo, type VideoLimits } from '../src/media/video-probe.ts';
import { tempDir } from './support/server.ts';

const run = promisify(execFile);
const LIMITS = { maxPixels: 50_000_000 };
const base = () => sharp({ create: { width: 321, height: 123, channels: 3, background: '#3a7' } });

describe('image headers', () => {
  test('dimensions of PNG, JPEG (after EXIF), GIF and WebP (lossy, lossless, extended) without decoding', async () => {
    const exif = await base().jpeg().withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'x'.repeat(20_000) } } }).toBuffer();
    const cases: [string, Buffer][] = [
      ['png', await base().png().toBuffer()],
      ['jpeg', exif],
      ['gif', await base().gif().toBuffer()],
      ['webp lossy', await base().webp().toBuffer()],
      ['webp lossless', await base().webp({ lossless: true }).toBuffer()],
      ['webp extended', await sharp({ create: { width: 321, height: 123, channels: 4, background: '#3a78' } }).webp().toBuffer()],
    ];
    for (const [name, bytes] of cases) {
      assert.deepEqual(headerDimensions(bytes, sniffImage(bytes)!), { width: 321, height: 123 }, name);
    }
  });
});

describe('checkImage', () => {
  test('accepts JPEG, PNG, WebP, AVIF, GIF and TIFF, and reports the upright size', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const) {
      const bytes = await base().toFormat(format).toBuffer();
      const info = await checkImage(bytes, bytes, LIMITS);
      assert.deepEqual([info.width, info.height], [321, 123], format);
    }
    const rotated = await base().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const info = await checkImage(rotated, rotated, LIMITS);
    assert.deepEqual([info.contentType, info.width, info.height], ['image/jpeg', 123, 321], 'EXIF orientation 6 stands it up');
  });

  test('refuses by pixel count, even when the header alone cannot say (TIFF)', async () => {
    const tiff = await base().tiff().toBuffer();
    await assert.rejects(checkImage(tiff, tiff, { maxPixels: 30_000 }), (e: unknown) => e instanceof MediaError && /321×123 pixels/.test(e.message));
  });
});

describe('probeVideo', () => {
  let dir: string;
  const limits: VideoLimits = { maxSeconds: 60, maxSide: 4096, maxBytes: 10_000_000 };
  const make = async (name: string, args: string[]): Promise<string> => {
    const file = path.join(dir, name);
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=2', ...args, file]);
    return file;
  };
  before(() => {
    dir = tempDir();
  });

  test('reads an H.264 MP4 and an MPEG-2 file, accepting the first and naming the codec of the second', async () => {
    const mp4 = await make('ok.mp4', ['-pix_fmt', 'yuv420p', '-c:v', 'libx264']);
    const info = await probeVideo(mp4, limits);
    assert.equal(info.contentType, 'video/mp4');
    assert.equal(info.codec, 'h264');
    assert.deepEqual([info.width, info.height, info.fps], [64, 48, 10]);
    assert.ok(Math.abs(info.durationSec - 2) < 0.2);
    const mpeg2 = await make('old.mkv', ['-c:v', 'mpeg2video']);
    await assert.rejects(probeVideo(mpeg2, limits), /uses the mpeg2video codec; send H\.264, HEVC, VP8, VP9, AV1 video/);
  });

  test('refuses past the documented limits: duration, frame size, bytes', async () => {
    const mp4 = await make('limits.mp4', ['-pix_fmt', 'yuv420p']);
    await assert.rejects(probeVideo(mp4, { ...limits, maxSeconds: 1 }), /is 2\.0 s long, over this server's limit of 1 s/);
    await assert.rejects(probeVideo(mp4, { ...limits, maxSide: 32 }), /is 64×48, over this server's limit of 32 pixels/);
    await assert.rejects(probeVideo(mp4, { ...limits, maxBytes: 100 }), /bytes, over this server's limit of 100 bytes/);
  });

  test('refuses what is not a video: an image, text', async () => {
    const png = path.join(dir, 'still.png');
    await base().png().toFile(png);
    await assert.rejects(probeVideo(png, limits), (e: unknown) => e instanceof MediaError && /not an accepted video/.test(e.message));
    const text = path.join(dir, 'notes.mp4');
    fs.writeFileSync(text, 'these are not frames\n');
    await assert.rejects(probeVideo(text, limits), (e: unknown) => e instanceof MediaError && /not a video this server can read/.test(e.message));
  });
});
