// The resampler's two implementations agree, and the colour conversion is the encoder's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { bicubicRow, bilinearRow } from '../../src/engine/remap.ts';
import { PlaneSampler } from '../../src/engine/sampler.ts';
import { SimdRemap } from '../../src/engine/simd-remap.ts';
import { SimdPlaneSampler } from '../../src/engine/simd-sampler.ts';
import { simdModule } from '../../src/engine/simd.ts';
import { rgbToYuv } from '../../src/engine/yuv.ts';
import { psnr } from '../support/media.ts';

function noise(width: number, height: number, seed: number): Uint8Array {
  let s = seed;
  return new Uint8Array(width * height).map(() => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24));
}

test('the WebAssembly SIMD passes give the JS passes\' result to within rounding (±1)', () => {
  assert.ok(simdModule(), 'this Node has WebAssembly SIMD');
  // Output sizes: even, odd, not a multiple of 8; zoom in, near 1:1, slight shrink, off-centre.
  for (const [w, h, srcW, srcH, zoom, dx, dy] of [[96, 54, 110, 62, 1.1, 0.7, 0.3], [135, 77, 140, 80, 1.0001, 0, 0], [270, 136, 280, 140, 0.97, 3.2, 1.9], [64, 64, 64, 64, 1, 0, 0]] as const) {
    const src = { data: noise(srcW, srcH, w), width: srcW, height: srcH };
    const xs = Float64Array.from({ length: w }, (_, i) => (srcW / 2 + (i + 0.5 - w / 2) / zoom) - 0.5 + dx);
    const ys = Float64Array.from({ length: h }, (_, j) => (srcH / 2 + (j + 0.5 - h / 2) / zoom) - 0.5 + dy);
    const js = new Uint8Array(w * h);
    const wasm = new Uint8Array(w * h);
    new PlaneSampler(w, h).sample(src, xs, ys, js);
    SimdPlaneSampler.create(w, h, [src])!.sample(src, xs, ys, wasm);
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(js[i]! - wasm[i]!));
    assert.ok(worst <= 1, `${w}x${h} zoom ${zoom}: differs by ${worst}`);
  }
});

test('the per-pixel SIMD kernel gives bicubicRow\'s and bilinearRow\'s results to within rounding (±1), edges and outside included', () => {
  const [w, h] = [133, 71];
  const plane = { data: noise(w, h, 7), width: w, height: h };
  const remap = SimdRemap.create(300)!;
  assert.ok(remap, 'this Node has WebAssembly SIMD');
  // A second plane first, so the first is copied in after a memory growth and views are re-made.
  remap.positions({ data: noise(400, 300, 3), width: 400, height: 300 });
  let s = 11;
  const random = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let worst = 0;
  let differing = 0;
  for (let row = 0; row < 60; row++) {
    const n = 1 + Math.floor(random() * 300);
    // Anywhere, 3 samples past every edge; every fifth row pinned to an edge or a half-sample in.
    // Positions are single precision, as the kernel takes them, so that both pick the same 64th
    // (on noise a 64th of a sample apart can be several levels).
    const xs = Float64Array.from({ length: n }, () => Math.fround(random() * (w + 6) - 3));
    const ys = Float64Array.from({ length: n }, () => Math.fround(random() * (h + 6) - 3));
    if (row % 5 === 0) xs.fill([0, w - 1, 0.5, w - 1.5, -2][(row / 5) % 5]!);
    const expected = new Uint8Array(n + 2);
    const actual = new Uint8Array(n + 2);
    const bilinear = row % 2 === 1;
    if (bilinear) {
      // bilinearRow takes the exact fraction, the kernel the nearest 64th (as bicubicRow does):
      // positions on 64ths, so that both weigh the same.
      for (const p of [xs, ys]) p.forEach((v, i) => (p[i] = Math.round(v * 64) / 64));
    }
    (bilinear ? bilinearRow : bicubicRow)(plane, xs, ys, n, expected, 1);
    const at = remap.positions(plane);
    at.xs.set(xs);
    at.ys.set(ys);
    remap.row(plane, n, actual, 1, bilinear ? 'bilinear' : 'bicubic');
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(expected[i]! - actual[i]!);
      worst = Math.max(worst, d);
      if (d) differing++;
    }
  }
  assert.ok(worst <= 1, `differs by ${worst}`);
  assert.ok(differing < 0.02 * 60 * 150, `${differing} samples differ`);
});

test('the kernel\'s homography positions are the per-pixel path\'s, to a thousandth of a sample', () => {
  const width = 1921; // not a multiple of four
  const plane = { data: noise(64, 64, 5), width: 64, height: 64 };
  const remap = SimdRemap.create(width)!;
  const [h0, h3, h6, sx, sy] = [0.93, 0.04, 0.00011, 1.04, 1.04];
  const cols = remap.columns(plane);
  for (let i = 0; i < width; i++) cols[i] = 0.98 * (i + 0.5) + 7.25;
  let worst = 0;
  for (const b of [0.5, 300.5, 1079.5]) {
    const [bx, by, bd] = [0.02 * b + 3.5, 0.95 * b - 11, 0.00003 * b + 0.97];
    for (const [ox, oy] of [[0.5, 0.5], [0.25, 0.5]]) {
      remap.homography(width, h0, h3, h6, bx, by, bd, sx, sy, ox!, oy!);
      const { xs, ys } = remap.positions(plane);
      for (let i = 0; i < width; i++) {
        const a = cols[i]!;
        const d = 1 / (h6 * a + bd);
        worst = Math.max(worst, Math.abs(xs[i]! - ((h0 * a + bx) * d * sx - ox!)), Math.abs(ys[i]! - ((h3 * a + by) * d * sy - oy!)));
      }
    }
  }
  assert.ok(worst < 1e-3, `positions differ by ${worst}`);
});

test('rgbToYuv is ffmpeg\'s BT.709 limited-range conversion', async () => {
  const [w, h] = [64, 48];
  const rgb = new Uint8Array(w * h * 3);
  // Gradients and saturated corners: every hue, every level, and smooth enough that the half-pixel
  // difference in chroma siting (below) stays small.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      rgb[i] = Math.min(255, x * 4);
      rgb[i + 1] = Math.min(255, y * 5);
      rgb[i + 2] = 255 - Math.min(255, (x + y) * 2);
    }
  }
  const ref = await ffmpegYuv(rgb, w, h);
  const yuv = rgbToYuv({ data: rgb, width: w, height: h });
  const y = new Uint8Array(ref.buffer, ref.byteOffset, w * h);
  const u = new Uint8Array(ref.buffer, ref.byteOffset + w * h, (w * h) / 4);
  let lumaWorst = 0;
  for (let i = 0; i < w * h; i++) lumaWorst = Math.max(lumaWorst, Math.abs(y[i]! - yuv.y.data[i]!));
  assert.ok(lumaWorst <= 1, `luma differs by up to ${lumaWorst}`);
  // Chroma: same matrix; ffmpeg centres its 4:2:0 samples, we site them left as H.264 assumes.
  assert.ok(psnr(u, yuv.u.data) > 40, `Cb PSNR ${psnr(u, yuv.u.data)}`);
});

/** ffmpeg's own rgb24 → yuv420p with the encoder's old conversion filter. */
async function ffmpegYuv(rgb: Uint8Array, w: number, h: number): Promise<Buffer> {
  const child = spawn('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-i', 'pipe:0',
    '-vf', 'scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=yuv420p', '-f', 'rawvideo', 'pipe:1']);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdin.end(rgb);
  await new Promise((resolve) => child.once('close', resolve));
  return Buffer.concat(chunks);
}
