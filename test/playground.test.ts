// The playground in a real headless Chromium: key, generated form, drag-and-drop upload, a live
// run of image-to-video to a playing <video>, field errors, the API tab's snippet run by the real
// client, and the history. Screenshots of each step land in test-artifacts/playground/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { historyEntry } from '../src/http/history-routes.ts';
import type { RequestRecord } from '../src/store/records.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { makeTestImage } from './support/media.ts';
import { api, startTestServer, tempDir, type TestServer } from './support/server.ts';

const ROOT = path.join(import.meta.dirname, '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'playground');
const I2V = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const REFRAME = 'fal-ai/luma-dream-machine/ray-2/reframe';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let imagePng: Buffer;

const field = (name: string) => `.field[data-field="${name}"]`;

async function chooseEndpoint(id: string): Promise<void> {
  await page.click(`.endpoint-link[data-id="${id}"]`);
  await page.waitForFunction((want) => document.querySelector('.endpoint-id')?.textContent === want, id);
}

/** Drops a file on a drop zone as a person dragging it from their desktop would. */
async function dropFile(selector: string, bytes: Buffer, name: string, type: string): Promise<void> {
  const transfer = await page.evaluateHandle(({ b64, name, type }) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name, { type }));
    return dt;
  }, { b64: bytes.toString('base64'), name, type });
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

before(async () => {
  server = await startTestServer({ workers: 1 });
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  browser = await launchBrowser(ARTIFACTS);
  page = browser.page;
  const file = path.join(tempDir(), 'scene.png');
  await makeTestImage(file, { width: 640, height: 360, seed: 7 });
  imagePng = fs.readFileSync(file);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('playground', () => {
  test('is served from reelhouse itself, with a CSP that allows no other script', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html, /https?:\/\//, 'the page loads nothing from another host');
    const js = await fetch(`${server.url}/playground/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${server.url}/playground/../package.json`)).status, 404);
    const list = await fetch(`${server.url}/playground/endpoints.json`).then((r) => r.json()) as { endpoints: { id: string; file_fields: string[] }[] };
    assert.deepEqual(list.endpoints.find((e) => e.id === I2V)?.file_fields, ['image_url', 'end_image_url']);
  });

  test('asks for a key once, refuses a wrong one, and keeps a good one in the browser', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('dialog.key-dialog[open]');
    await browser.screenshot('01-key-dialog');
    await page.fill('#key-input', 'nokey:nosecret');
    await page.click('dialog button.primary');
    await page.waitForSelector('dialog .field-error:has-text("does not know that key")');
    await page.fill('#key-input', server.key);
    await page.click('dialog button.primary');
    await page.waitForSelector('.endpoint-form');
    await page.reload();
    await page.waitForSelector('.endpoint-form');
    assert.equal(await page.locator('dialog.key-dialog').count(), 0, 'no dialog once the key is kept');
  });

  test('generates the form from the schema: enums as selects, booleans as switches, files as drop zones', async () => {
    await chooseEndpoint(I2V);
    assert.equal(await page.locator(`${field('aspect_ratio')} select option`).count(), 6);
    assert.equal(await page.locator(`${field('resolution')} select option:checked`).textContent(), '540p');
    assert.equal(await page.locator(`${field('loop')} input[role="switch"]`).count(), 1);
    assert.equal(await page.locator(`${field('image_url')} .dropzone`).count(), 1);
    await chooseEndpoint(REFRAME);
    const x = page.locator(`${field('grid_position_x')} input[type="number"]`);
    assert.equal(await x.getAttribute('min'), '0');
    assert.equal(await x.getAttribute('max'), '100000');
    assert.equal(await x.getAttribute('step'), '1');
    assert.equal(await page.locator(`${field('video_url')} input[type="file"]`).getAttribute('accept'), 'video/*');
    assert.equal(await page.locator(`${field('aspect_ratio')} select option:checked`).textContent(), 'Choose…');
    await browser.screenshot('02-reframe-form');
  });

  test('a bad input shows the server\'s error at its field', async () => {
    await chooseEndpoint('reelhouse/noop');
    await page.fill(`${field('sleep_ms')} input`, '-5');
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector(`${field('sleep_ms')}.invalid .field-error span`);
    assert.match(await page.textContent(`${field('sleep_ms')} .field-error`) ?? '', />=\s*0|too small/i);

    await chooseEndpoint(REFRAME);
    await page.fill(`${field('grid_position_x')} input`, '100001');
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector(`${field('grid_position_x')}.invalid .field-error span`);
    assert.match(await page.textContent(`${field('grid_position_x')} .field-error`) ?? '', /<=\s*100000|too big/i);
    for (const name of ['video_url', 'aspect_ratio']) {
      assert.notEqual(await page.textContent(`${field(name)}.invalid .field-error`) ?? '', '', `${name} is asked for`);
    }
    await browser.screenshot('02-field-error');

    await chooseEndpoint(I2V);
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector(`${field('prompt')}.invalid .field-error span`);
    assert.equal(await page.locator('.run-panel .chip').count(), 0, 'nothing was submitted');

    // An upload that is no image: found out by the server, shown at the field it was dropped on.
    await dropFile(`${field('image_url')} .dropzone`, Buffer.from('not a picture\n'), 'notes.txt', 'text/plain');
    await page.waitForSelector(`${field('image_url')} .dropzone.has-file`);
    await page.fill(`${field('prompt')} textarea`, 'a lake');
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector(`${field('image_url')}.invalid .field-error span`);
    const said = await page.textContent(`${field('image_url')} .field-error`) ?? '';
    assert.ok(said.length > 0);
    await browser.screenshot('02-upload-error');
    await page.click(`${field('image_url')} button[aria-label^="Remove"]`);
  });

  test('uploads an image by drag and drop, runs image-to-video live to 100 %, and the video plays', async () => {
    await chooseEndpoint(I2V);
    await dropFile(`${field('image_url')} .dropzone`, imagePng, 'scene.png', 'image/png');
    await page.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(`${sel} img.preview`);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, field('image_url'));
    const uploaded = await page.inputValue(`${field('image_url')} .url-input`);
    assert.match(uploaded, new RegExp(`^${server.url}/files/`), 'the field holds the uploaded file\'s URL');
    await page.fill(`${field('prompt')} textarea`, 'A slow push in on a colourful scene');
    await page.selectOption(`${field('resolution')} select`, { label: '540p' });
    await browser.screenshot('03-uploaded');

    // Every value the progress bar shows, as the page shows it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { seen: number[] }).seen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('.run-panel [role="progressbar"]');
        const v = Number(bar?.getAttribute('aria-valuenow'));
        if (bar && seen[seen.length - 1] !== v) seen.push(v);
      }).observe(document.querySelector('.run-panel')!, { subtree: true, childList: true, attributes: true });
    });
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector('.run-panel .chip.running, .run-panel .chip.succeeded');
    await page.waitForFunction(() => {
      const v = Number(document.querySelector('.run-panel [role="progressbar"]')?.getAttribute('aria-valuenow'));
      return (v >= 20 && v < 100) || document.querySelector('.run-panel .chip.succeeded') !== null;
    });
    await browser.screenshot('04-running');

    await page.waitForSelector('.run-panel video.player', { timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    assert.equal(seen.at(-1), 100, `progress ends at 100 % (saw ${seen.join(', ')})`);
    assert.ok(seen.some((v) => v > 0 && v < 100), `progress moved live (saw ${seen.join(', ')})`);
    assert.equal(await page.textContent('.run-panel .chip'), 'Completed');

    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video.player')?.readyState ?? 0) >= 2, undefined, { timeout: 30_000 });
    const t0 = await page.evaluate(async () => {
      const v = document.querySelector<HTMLVideoElement>('video.player')!;
      await v.play();
      return v.currentTime;
    });
    await page.waitForFunction((start) => {
      const v = document.querySelector<HTMLVideoElement>('video.player')!;
      return v.currentTime > start + 0.3 || (v.currentTime < start && v.currentTime > 0.1); // it loops
    }, t0, { timeout: 15_000 });
    const video = await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>('video.player')!;
      return { src: v.currentSrc, width: v.videoWidth, height: v.videoHeight, duration: v.duration, readyState: v.readyState };
    });
    assert.ok(video.readyState >= 2);
    assert.equal(video.height, 540);
    assert.ok(Math.abs(video.duration - 5) < 0.3, `a 5 s video (${video.duration} s)`);
    const download = page.locator('.result a[download]');
    assert.equal(await download.getAttribute('href'), video.src);
    await page.waitForSelector('.history-item[data-state="succeeded"]');
    await browser.screenshot('05-result');
  });

  test('the API tab shows the @fal-ai/client snippet of the current inputs, and it runs as shown', async () => {
    await chooseEndpoint('reelhouse/noop');
    await page.fill(`${field('sleep_ms')} input`, '50');
    await page.fill(`${field('steps')} input`, '2');
    await page.click('.tab[data-tab="api"]');
    const js = await page.textContent('.code-block[data-lang="js"] code') ?? '';
    const curl = await page.textContent('.code-block[data-lang="sh"] code') ?? '';
    assert.match(js, /fal\.subscribe\("reelhouse\/noop", \{\n {2}input: \{\n {4}sleep_ms: 50,\n {4}steps: 2,\n {4}fail: false\n {2}\}/);
    assert.match(curl, new RegExp(`curl -s -X POST '${server.url}/queue/reelhouse/noop'`));
    await browser.screenshot('06-api-tab');

    // The snippet, word for word, with the real client: it lives in the project so the import resolves.
    const script = path.join(ROOT, 'test-artifacts', 'snippet.mjs');
    fs.writeFileSync(script, js);
    const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...process.env, FAL_KEY: server.key }, timeout: 60_000 });
    assert.match(stdout, /ok: true/);
    await page.click('.tab[data-tab="input"]');
  });

  test('the history lists the key\'s requests, cancels a running one and reopens a finished one', async () => {
    await chooseEndpoint('reelhouse/noop');
    await page.fill(`${field('sleep_ms')} input`, '60000');
    await page.fill(`${field('steps')} input`, '60');
    await page.click('button.primary:has-text("Run")');
    await page.waitForSelector('.run-panel .chip.running');
    await page.waitForSelector('.history-item[data-state="running"] button[aria-label^="Cancel"]');
    await browser.screenshot('07-history-running');
    await page.click('.history-item[data-state="running"] button[aria-label^="Cancel"]');
    await page.waitForSelector('.run-panel .chip.cancelled');
    await page.waitForSelector('.history-item[data-state="cancelled"]');

    // Another user's key sees none of this user's requests.
    const other = await api({ url: server.url, key: await server.newKey() })('/api/requests').then((r) => r.json()) as { requests: unknown[] };
    assert.equal(other.requests.length, 0);
    const mine = await api(server)('/api/requests?limit=2').then((r) => r.json()) as { requests: { state: string }[] };
    assert.equal(mine.requests.length, 2);
    assert.equal((await api(server)('/api/requests?limit=0')).status, 422);

    await page.click(`.history-item[data-state="succeeded"][data-endpoint="${I2V}"]`);
    await page.waitForSelector('.run-panel video.player');
    assert.equal(await page.textContent('.endpoint-id'), I2V);
    assert.equal(await page.inputValue(`${field('prompt')} textarea`), 'A slow push in on a colourful scene');
    await page.waitForTimeout(400); // the progress bar's width transition, for a screenshot that shows its end
    await browser.screenshot('08-history-reopened');
  });

  test('fits a phone-sized window', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
    await browser.screenshot('09-narrow');
    await page.setViewportSize({ width: 1440, height: 960 });
  });

  test('asks again when the kept key has been revoked', async () => {
    await server.app.store.keys.revoke(server.key.split(':')[0]!, Date.now());
    await page.reload();
    await page.waitForSelector('dialog.key-dialog[open]:has-text("no longer works")');
    await page.fill('#key-input', await server.newKey());
    await page.click('dialog button.primary');
    await page.waitForSelector('.history-list .empty', { state: 'attached' });
  });

  test('logged no script error', () => {
    // Failed loads are the 401s of the wrong and revoked keys and the 499 of the cancelled request: expected.
    const errors = browser.errors.filter((e) => !/^Failed to load resource/.test(e));
    assert.deepEqual(errors, []);
  });
});

test('a history entry leaves out long input strings and shows output only for a success', () => {
  const base: RequestRecord = {
    id: 'r1', endpointId: I2V, app: 'fal-ai/luma-dream-machine', owner: 'u', priority: 'normal',
    input: { prompt: 'a lake', image_url: `data:image/png;base64,${'A'.repeat(5000)}` }, webhookUrl: null, maxAttempts: 3,
    createdAt: Date.UTC(2025, 0, 1), deadlineAt: null, idempotencyKey: null, outputLifetimeMs: null, units: 1,
    state: 'succeeded', attempts: 1, leaseOwner: null, leaseExpiresAt: null, cancelRequested: false,
    result: { video: { url: 'http://h/files/t/out.mp4' } }, failure: null, startedAt: Date.UTC(2025, 0, 1, 0, 0, 1),
    finishedAt: Date.UTC(2025, 0, 1, 0, 0, 3), progress: null, previewToken: null, webhookState: null, webhookAttempts: 0, purgedAt: null,
  };
  const e = historyEntry('http://h', base);
  assert.deepEqual(e.input, { prompt: 'a lake' });
  assert.deepEqual(e.elided, ['image_url']);
  assert.deepEqual(e.result, { video: { url: 'http://h/files/t/out.mp4' } });
  assert.equal(e.status, 'COMPLETED');
  assert.equal(e.status_url, 'http://h/queue/fal-ai/luma-dream-machine/requests/r1/status');
  const failed = historyEntry('http://h', { ...base, state: 'failed', result: null, failure: { status: 500, detail: 'boom', errorType: 'runner_server_error' } });
  assert.equal(failed.result, null);
  assert.equal(failed.error, 'boom');
  const purged = historyEntry('http://h', { ...base, purgedAt: Date.UTC(2025, 1, 1) });
  assert.equal(purged.input, null);
  assert.equal(purged.result, null);
});
