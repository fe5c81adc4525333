import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASPECT_RATIOS, RESOLUTIONS, videoSize } from '../../src/engine/sizes.ts';

// The table from the Luma Ray 2 contract, written out independently of the implementation.
const EXPECTED = {
  '16:9': [[960, 540], [1280, 720], [1920, 1080]],
  '9:16': [[540, 960], [720, 1280], [1080, 1920]],
  '4:3': [[720, 540], [960, 720], [1440, 1080]],
  '3:4': [[540, 720], [720, 960], [1080, 1440]],
  '21:9': [[1260, 540], [1680, 720], [2520, 1080]],
  '9:21': [[540, 1260], [720, 1680], [1080, 2520]],
  '1:1': [[540, 540], [720, 720], [1080, 1080]],
} as const;

test('videoSize matches the table for all 21 entries', () => {
  let checked = 0;
  for (const aspect of ASPECT_RATIOS) {
    RESOLUTIONS.forEach((resolution, i) => {
      const [width, height] = EXPECTED[aspect][i]!;
      assert.deepEqual(videoSize(aspect, resolution), { width, height }, `${aspect} ${resolution}`);
      checked++;
    });
  }
  assert.equal(checked, 21);
});

test('every size is even (yuv420p) and has the aspect it names', () => {
  for (const aspect of ASPECT_RATIOS) {
    const [aw, ah] = aspect.split(':').map(Number) as [number, number];
    for (const resolution of RESOLUTIONS) {
      const { width, height } = videoSize(aspect, resolution);
      assert.equal(width % 2, 0);
      assert.equal(height % 2, 0);
      assert.ok(Math.abs(width / height - aw / ah) < 0.01, `${aspect} ${resolution}: ${width}x${height}`);
      assert.equal(Math.min(width, height), Number.parseInt(resolution, 10));
    }
  }
});
