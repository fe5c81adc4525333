// Checks a video the server produced, as a user would: fetch its URL plainly (no key), then
// ffprobe it and compare its first/last frames with the cover-fitted input images.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { coverFit } from '../../src/engine/render.ts';
import { extractLuma, ffprobe, psnr, rgbToLuma709 } from './media.ts';
import { tempDir } from './server.ts';

export interface VideoExpectation {
  width: number;
  height: number;
  frames?: number;
  /** Image the first frame must show (luma PSNR ≥ 30 dB against its cover fit). */
  start?: string;
  /** Image the last frame must show. */
  end?: string;
}

export async function fetchToFile(url: string, dir = tempDir()): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url} → ${res.status}`);
  const file = path.join(dir, path.basename(new URL(url).pathname) || 'download');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

export async function lumaPsnrAgainst(video: string, frame: number | 'last', image: string, w: number, h: number): Promise<number> {
  const [got, want] = await Promise.all([extractLuma(video, frame, w, h), coverFit(image, w, h)]);
  return psnr(got, rgbToLuma709(want, w, h));
}

/** Asserts the MP4 at `url` is what the endpoint promises; returns the local copy. */
export async function assertVideo(url: string, want: VideoExpectation): Promise<string> {
  const file = await fetchToFile(url);
  const p = await ffprobe(file);
  const label = `${want.width}x${want.height}`;
  assert.equal(p.codec, 'h264', label);
  assert.equal(p.profile, 'High', label);
  assert.equal(p.pixFmt, 'yuv420p', label);
  assert.equal(p.width, want.width, label);
  assert.equal(p.height, want.height, label);
  assert.equal(p.fps, 24, label);
  assert.equal(p.frames, want.frames ?? 120, label);
  if (want.start) {
    const db = await lumaPsnrAgainst(file, 0, want.start, want.width, want.height);
    assert.ok(db >= 30, `${label}: first frame PSNR ${db.toFixed(1)} dB < 30`);
  }
  if (want.end) {
    const db = await lumaPsnrAgainst(file, 'last', want.end, want.width, want.height);
    assert.ok(db >= 30, `${label}: last frame PSNR ${db.toFixed(1)} dB < 30`);
  }
  return file;
}
