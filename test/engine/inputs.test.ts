// Awkward inputs must decode to the same upright 8-bit sRGB picture the video starts on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { coverFit, renderImageToVideo } from '../../src/engine/render.ts';
import { extractLuma, ffprobe, psnr, rgbToLuma709, testImageSvg } from '../support/media.ts';

const W = 960;
const H = 540;
let dir = '';
let upright = ''; // reference: the picture as it should appear

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-inputs-'));
  upright = join(dir, 'upright.png');
  await sharp(Buffer.from(testImageSvg(1200, 900, 7))).flatten().png().toFile(upright);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const luma = async (path: string): Promise<Uint8Array> => rgbToLuma709(await coverFit(path, W, H), W, H);

/** Renders a short clip from `path` and checks its first frame against the upright reference. */
async function rendersLikeUpright(path: string, minPsnr: number): Promise<void> {
  const outPath = `${path}.mp4`;
  await renderImageToVideo({ startImage: path, width: W, height: H, frames: 6, fps: 24, loop: false, outPath });
  const probe = await ffprobe(outPath);
  assert.equal(probe.frames, 6);
  const first = psnr(await extractLuma(outPath, 0, W, H), await luma(upright));
  console.log(`${path.split('/').pop()}: first frame vs upright ${first.toFixed(1)} dB`);
  assert.ok(first >= minPsnr, `first frame ${first} dB`);
}

test('coverFit returns exactly width*height*3 bytes', async () => {
  assert.equal((await coverFit(upright, W, H)).length, W * H * 3);
  assert.equal((await coverFit(upright, 540, 1260)).length, 540 * 1260 * 3);
});

test('EXIF orientation is honoured', async () => {
  // Store the picture rotated 90° counter-clockwise with orientation 6 ("rotate 90° CW to view").
  const rotated = join(dir, 'exif6.jpg');
  await sharp(upright).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(rotated);
  const meta = await sharp(rotated).metadata();
  assert.equal(meta.orientation, 6);
  assert.equal(meta.width, 900, 'stored sideways');
  const sideways = psnr(await luma(rotated), rgbToLuma709(await sharp(upright).rotate(-90).resize(W, H, { fit: 'cover' }).raw().toBuffer(), W, H));
  assert.ok(sideways < 20, 'ignoring EXIF would give a sideways picture');
  await rendersLikeUpright(rotated, 30);
});

test('an RGBA PNG is flattened onto black', async () => {
  const rgba = join(dir, 'rgba.png');
  // Opaque picture with a fully transparent left quarter; the colour under it is kept (white) so
  // only flattening, not the stored RGB, can make it black.
  const { data, info } = await sharp(upright).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < 300; x++) {
      const i = (y * info.width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255;
      data[i + 3] = 0;
    }
  }
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toFile(rgba);
  assert.equal((await sharp(rgba).metadata()).channels, 4);
  const rgb = await coverFit(rgba, W, H);
  // The transparent strip (source x < 300 of 1200, after the 16:9 crop keeps full width) is black.
  for (const x of [5, 100, 200]) {
    const i = (H / 2 * W + x) * 3;
    assert.deepEqual([rgb[i], rgb[i + 1], rgb[i + 2]], [0, 0, 0], `x=${x}`);
  }
  const outPath = `${rgba}.mp4`;
  await renderImageToVideo({ startImage: rgba, width: W, height: H, frames: 6, fps: 24, loop: false, outPath });
  assert.ok(psnr(await extractLuma(outPath, 0, W, H), rgbToLuma709(rgb, W, H)) >= 38);
});

test('a 16-bit PNG decodes to the same 8-bit picture', async () => {
  const deep = join(dir, 'rgb16.png');
  await sharp(upright).toColourspace('rgb16').png().toFile(deep);
  assert.equal((await sharp(deep).metadata()).depth, 'ushort');
  assert.ok(psnr(await luma(deep), await luma(upright)) >= 45);
  await rendersLikeUpright(deep, 38);
});

test('a CMYK JPEG decodes to sRGB', async () => {
  const cmyk = join(dir, 'cmyk.jpg');
  await sharp(upright).toColourspace('cmyk').jpeg({ quality: 95 }).toFile(cmyk);
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  await rendersLikeUpright(cmyk, 25); // a CMYK round trip through a profile is not lossless
});

test('RGB is converted with the BT.709 matrix into limited range', async () => {
  // Pure green: BT.709 gives Y' = 16 + 219 * 0.7152 = 172.6; BT.601 would give 144.6.
  const green = join(dir, 'green.png');
  await sharp({ create: { width: 320, height: 180, channels: 3, background: '#00ff00' } }).png().toFile(green);
  const outPath = `${green}.mp4`;
  await renderImageToVideo({ startImage: green, width: W, height: H, frames: 4, fps: 24, loop: false, outPath });
  const y = await extractLuma(outPath, 0, W, H);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  assert.ok(Math.abs(mean - 172.6) < 1, `mean luma ${mean}`);
});
