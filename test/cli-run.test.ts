// `reelhouse run` as a user runs it: the real command in a child process against a real server,
// in a pseudo-terminal (util-linux `script`) where the progress bar is drawn, and in pipes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { barLine, formatEta } from '../src/cli/run-progress.ts';
import { ffprobe, makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'reelhouse.js');
const RAY2 = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let server: TestServer;
let dir: string;

before(async () => {
  server = await startTestServer();
  dir = tempDir('reelhouse-cli-run-');
  await makeTestImage(path.join(dir, 'x.png'), { width: 640, height: 360 });
});

after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Inside a pseudo-terminal: stdout and stderr arrive together in `stdout`. */
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Called with everything printed so far, each time more arrives; may type into the terminal. */
  watch?: (soFar: string, type: (text: string) => void) => void;
}

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

function startRun(args: string[], opts: RunOptions = {}): { child: ChildProcess; result: Promise<Ran> } {
  const argv = [BIN, 'run', ...args];
  const env = { ...process.env, REELHOUSE_URL: server.url, FAL_KEY: server.key, REELHOUSE_KEY: '', ...opts.env };
  const child = opts.tty
    ? // `exec`: the command is the terminal's only foreground process, as when a user types it. Without
      // it a shell that does not exec its last command (dash, when SHELL is unset) also gets the
      // Ctrl-C and dies of it, and `script` reports that (130) instead of the command's exit code.
      spawn('script', ['-qefc', ['exec', ...[process.execPath, ...argv].map(quote)].join(' '), '/dev/null'], { cwd: dir, env })
    : spawn(process.execPath, argv, { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  const type = (text: string): void => void child.stdin.write(text);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.watch?.(stdout, type);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A hang guard, not a speed limit: a command that never ends must not keep the test run alive.
  const guard = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const result = new Promise<Ran>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result };
}

const reelhouseRun = (args: string[], opts: RunOptions = {}): Promise<Ran> => startRun(args, opts).result;

test('run --help lists the fields with their enums and defaults, and the exit codes', async () => {
  const { code, stdout } = await reelhouseRun([RAY2, '--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--aspect_ratio 16:9\|9:16\|4:3\|3:4\|21:9\|9:21\n\s+The aspect ratio of the generated video \(default 16:9\)/);
  assert.match(stdout, /--loop, --no-loop\n/);
  assert.match(stdout, /--image_url FILE\|URL\n.*a local file is uploaded first/);
  assert.match(stdout, /--prompt TEXT\n\s+\(required\)/);
  assert.match(stdout, /exit status:\n\s+0 +done[\s\S]*2 +bad usage or bad input[\s\S]*3 +the request failed\n\s+4 +cancelled/);
  const noop = await reelhouseRun(['reelhouse/noop', '--help']);
  assert.match(noop.stdout, /--sleep_ms INTEGER 0\.\.600000\n\s+How long to take, in milliseconds \(default 0\)/);
  const reframe = await reelhouseRun(['fal-ai/luma-dream-machine/ray-2/reframe', '--help']);
  assert.match(reframe.stdout, /--x_start INTEGER 0\.\.100000\n/, 'a nullable number is still a number');
  assert.match(reframe.stdout, /--video_url FILE\|URL\n.*required/);
  const general = await reelhouseRun(['--help']);
  assert.match(general.stdout, new RegExp(`^  ${RAY2} +Luma Ray 2`, 'm'));
});

test('the bar line: stage, bar, percentage and ETA in the width given', () => {
  const line = barLine('render', 0.42, 75, '', 80);
  assert.match(line, /^render +\[#+-+\] {2}42% {2}ETA 1:15$/);
  assert.ok(line.length < 80);
  assert.equal(barLine('render', 1, 0, '', 80).includes('ETA'), false, 'no ETA once done');
  assert.equal(formatEta(3725), '1:02:05');
  assert.match(barLine('queued', null, null, 'position 3', 80), /^queued +position 3$/);
});

test('a video from a local image, with a progress bar drawn in a terminal', async () => {
  const out = path.join(dir, 'push-in.mp4');
  const { code, stdout } = await reelhouseRun([RAY2, '--prompt', 'push in', '--image_url', './x.png', '--out', out], { tty: true });
  assert.equal(code, 0, stdout);
  // Redrawn in place: each update starts with a carriage return and clears the rest of the line.
  const clearLine = '\u001b[K';
  const redraws = stdout.split('\r').filter((l) => /^(upload|decode|render|finalize|download) +\[[#-]+\] +\d+%/.test(l) && l.includes(clearLine));
  assert.ok(redraws.length >= 4, `the bar is redrawn: ${JSON.stringify(stdout)}`);
  assert.match(stdout, /\r(decode|render|finalize) +\[/, 'the server-side stage is shown');
  assert.match(stdout, /\r(render|finalize|done) +\[#{10,}\] 100%/, 'the bar reaches 100%');
  assert.ok(stdout.includes(`${out}\r\n`), 'the saved path is printed');
  const video = await ffprobe(out);
  assert.equal(video.codec, 'h264');
  assert.equal(video.width, 960);
  assert.equal(video.height, 540);
  assert.equal(video.frames, 120);
});

test('--json prints one document on stdout; progress goes to stderr as plain lines', async () => {
  const outDir = tempDir('reelhouse-cli-out-');
  const { code, stdout, stderr } = await reelhouseRun([RAY2, '--prompt', 'orbit left', '--image_url', 'x.png', '--aspect_ratio', '9:16', '--out', outDir, '--json']);
  assert.equal(code, 0, stderr);
  const doc = JSON.parse(stdout) as {
    outcome: string; request_id: string; path: string; exit_code: number;
    output: { video: { url: string } }; metrics: { units: number; inference_time: number };
  };
  assert.equal(doc.outcome, 'succeeded');
  assert.equal(doc.exit_code, 0);
  assert.match(doc.request_id, UUID);
  assert.equal(doc.path, path.join(outDir, `image-to-video-${doc.request_id.slice(0, 8)}.mp4`), 'a directory keeps the made-up name');
  assert.equal(doc.metrics.units, 1);
  assert.ok(doc.output.video.url.startsWith(server.url));
  const video = await ffprobe(doc.path);
  assert.deepEqual([video.width, video.height], [540, 960]);
  assert.ok(!stderr.includes('\r'), 'no bar outside a terminal');
  assert.match(stderr, /^render +\d+%/m);
  fs.rmSync(outDir, { recursive: true, force: true });
});

test('bad input exits 2 naming the field, checked here or by the server', async () => {
  const before = (await server.app.store.requests.list({ limit: 1000 })).length;
  const badEnum = await reelhouseRun([RAY2, '--prompt', 'x', '--image_url', 'x.png', '--aspect_ratio', '5:4']);
  assert.equal(badEnum.code, 2);
  assert.match(badEnum.stderr, /aspect_ratio: value is not a valid enumeration member; permitted: '16:9'/);
  const missing = await reelhouseRun([RAY2, '--prompt', 'x', '--image_url', 'nope.png', '--json']);
  assert.equal(missing.code, 2);
  const doc = JSON.parse(missing.stdout) as { outcome: string; detail: { loc: string[] }[] };
  assert.equal(doc.outcome, 'invalid');
  assert.deepEqual(doc.detail[0]!.loc, ['body', 'image_url']);
  const unknown = await reelhouseRun(['reelhouse/noop', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'/);
  assert.equal((await server.app.store.requests.list({ limit: 1000 })).length, before, 'nothing was submitted');

  // Bytes that are no image pass the flags but not the server: its 422 is bad input too.
  fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image at all');
  const refused = await reelhouseRun([RAY2, '--prompt', 'x', '--image_url', 'broken.png']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /invalid input\n\s+image_url: /);
});

test('a failed request exits 3 with its error', async () => {
  // Fields through --input, and a kebab-case flag.
  const { code, stdout, stderr } = await reelhouseRun(['reelhouse/noop', '--input', '{"fail": true}', '--sleep-ms', '5', '--logs', '--json']);
  assert.equal(code, 3);
  const doc = JSON.parse(stdout) as { outcome: string; error_type: string; request_id: string };
  assert.equal(doc.outcome, 'failed');
  assert.equal(doc.error_type, 'runner_server_error');
  assert.match(stderr, /request failed \(runner_server_error\): .*fail: true/);
  assert.match(stderr, /^step 1 of 1$/m, '--logs prints the log lines');
  const r = await server.app.store.requests.get(doc.request_id);
  assert.equal(r?.state, 'failed');
  assert.deepEqual(r?.input, { fail: true, sleep_ms: 5, steps: 1 });
});

test('Ctrl-C cancels the request on the server and exits 4', async () => {
  let typed = false;
  const { code, stdout } = await reelhouseRun(['reelhouse/noop', '--sleep_ms', '60000', '--steps', '600'], {
    tty: true,
    watch: (soFar, type) => {
      // Once it is visibly running, a Ctrl-C through the terminal: SIGINT from the line discipline.
      if (!typed && /\rsleep +\[/.test(soFar)) {
        typed = true;
        type('\x03');
      }
    },
  });
  assert.equal(code, 4, stdout);
  const id = UUID.exec(stdout)?.[0];
  assert.ok(id, stdout);
  assert.match(stdout, /cancel: CANCELLATION_REQUESTED/);
  assert.match(stdout, new RegExp(`request ${id} cancelled`));
  const r = await server.app.store.requests.get(id);
  assert.equal(r?.state, 'cancelled');
  assert.equal(r?.failure?.errorType, 'client_cancelled');
});

test('SIGINT while queued cancels too; --json says so', async () => {
  const idle = await startTestServer({ workers: 0 }); // no worker: the request stays queued
  try {
    const { child, result } = startRun(['reelhouse/noop', '--json'], { env: { REELHOUSE_URL: idle.url, FAL_KEY: idle.key } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/^queued/m.test(stderr) && child.signalCode === null && !child.killed) child.kill('SIGINT');
    });
    const ran = await result;
    assert.equal(ran.code, 4, ran.stderr);
    const doc = JSON.parse(ran.stdout) as { outcome: string; request_id: string; exit_code: number };
    assert.equal(doc.outcome, 'cancelled');
    assert.equal(doc.exit_code, 4);
    assert.equal((await idle.app.store.requests.get(doc.request_id))?.state, 'cancelled');
  } finally {
    await idle.close();
  }
});

test('a server that is not there exits 1', async () => {
  const { code, stderr } = await reelhouseRun(['reelhouse/noop'], { env: { REELHOUSE_URL: 'http://127.0.0.1:9' } });
  assert.equal(code, 1);
  assert.match(stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
});
