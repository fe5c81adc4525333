// A throwaway S3-compatible server for a test file: OpenStack Swift (Debian's swift-* packages,
// installed by scripts/setup) with its s3api middleware and tempauth, so requests are checked
// with real SigV4 signatures and a wrong secret is refused, as AWS does. Everything runs on
// loopback at free ports with its data in a temporary folder; `stop` (or the test process's
// exit) kills memcached and the four servers, process group and all, and removes the folder.
//
// Run it by hand for development: `npx node test/support/swift.ts` prints the S3_* settings and
// keeps Swift running until Ctrl-C.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './process.ts';

const run = promisify(execFile);

export interface ThrowawaySwift {
  /** `http://127.0.0.1:port`, path-style. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The S3_* settings for a reelhouse using bucket `bucket`. */
  env(bucket: string): Record<string, string>;
  /** Creates a new empty bucket (a fresh name unless one is given); resolves to its name. */
  createBucket(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'test:tester';
const SECRET = 'testing';
const REGION = 'us-east-1';

/** The Swift programs the helper needs, or an error that says how to install them. */
function checkInstalled(): void {
  const missing = ['swift-proxy-server', 'swift-account-server', 'swift-container-server', 'swift-object-server', 'swift-ring-builder', 'memcached']
    .filter((p) => !['/usr/bin', '/usr/local/bin', '/usr/sbin'].some((d) => fs.existsSync(path.join(d, p))));
  if (missing.length > 0) {
    throw new Error(
      `The S3 tests need OpenStack Swift and memcached (${missing.join(', ')} not found). ` +
        'Install them with ./scripts/setup, or: sudo apt-get install swift-proxy swift-account swift-container swift-object memcached',
    );
  }
}

function serverConf(kind: string, port: number, dirs: { etc: string; srv: string }, user: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${user}
swift_dir = ${dirs.etc}
devices = ${dirs.srv}
mount_check = false
log_level = WARNING
[pipeline:main]
pipeline = ${kind}-server
[app:${kind}-server]
use = egg:swift#${kind}
`;
}

// tempauth's `test:tester` / `testing` is the access key and secret of the S3 API; s3api keeps
// S3's 5 MiB minimum part size, so the tests meet the rule real S3 enforces.
function proxyConf(port: number, memcachedPort: number, etc: string, user: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${user}
swift_dir = ${etc}
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = ${REGION}
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${SECRET} .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachedPort}
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
`;
}

async function buildRing(etc: string, kind: string, port: number): Promise<void> {
  const builder = path.join(etc, `${kind}.builder`);
  // Exit code 1 of swift-ring-builder is a warning; the ring file is what matters.
  const step = (args: string[]) => run('swift-ring-builder', [builder, ...args], { cwd: etc }).catch((err: { code?: number }) => {
    if (err.code !== 1) throw err;
  });
  await step(['create', '8', '1', '1']);
  await step(['add', `r1z1-127.0.0.1:${port}/d1`, '1']);
  await step(['rebalance']);
  if (!fs.existsSync(path.join(etc, `${kind}.ring.gz`))) throw new Error(`swift-ring-builder made no ${kind} ring`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Kills a child started with `detached` (its own process group) and everything it forked. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function startSwift(): Promise<ThrowawaySwift> {
  checkInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelhouse-swift-'));
  const etc = path.join(dir, 'etc');
  const srv = path.join(dir, 'srv');
  const logs = path.join(dir, 'log');
  for (const d of [etc, path.join(srv, 'd1'), logs]) fs.mkdirSync(d, { recursive: true });
  const user = os.userInfo().username;
  const root = process.getuid?.() === 0;
  const [proxy, account, container, object, memcached] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()] as const;
  fs.writeFileSync(path.join(etc, 'swift.conf'), '[swift-hash]\nswift_hash_path_suffix = throwaway\nswift_hash_path_prefix = throwaway\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n');
  const dirs = { etc, srv };
  fs.writeFileSync(path.join(etc, 'account-server.conf'), serverConf('account', account, dirs, user));
  fs.writeFileSync(path.join(etc, 'container-server.conf'), serverConf('container', container, dirs, user));
  fs.writeFileSync(path.join(etc, 'object-server.conf'), serverConf('object', object, dirs, user));
  fs.writeFileSync(path.join(etc, 'proxy-server.conf'), proxyConf(proxy, memcached, etc, user));

  const children: ChildProcess[] = [];
  const killAll = (): void => children.forEach(killGroup);
  process.once('exit', killAll);
  const start = (name: string, cmd: string, args: string[]): void => {
    const out = fs.openSync(path.join(logs, `${name}.log`), 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.unref();
    children.push(child);
  };
  const stop = async (): Promise<void> => {
    killAll();
    process.removeListener('exit', killAll);
    // Referenced again while waiting, so the wait itself keeps the event loop (and the reaping) going.
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(running.map((c) => new Promise((r) => {
      c.ref();
      c.once('exit', r);
    })));
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.all([buildRing(etc, 'account', account), buildRing(etc, 'container', container), buildRing(etc, 'object', object)]);
    // memcached refuses to run as root unless told which user to be.
    start('memcached', 'memcached', [...(root ? ['-u', 'root'] : []), '-l', '127.0.0.1', '-p', String(memcached), '-m', '32', '-U', '0']);
    for (const kind of ['account', 'container', 'object', 'proxy']) start(kind, `swift-${kind}-server`, [path.join(etc, `${kind}-server.conf`)]);
    // A test process killed outright (SIGKILL, a runner's timeout) runs no exit handler: a
    // watchdog then kills the servers and removes the folder within a second of its going.
    const groups = children.map((c) => `-${c.pid}`).join(' ');
    const watchdog = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${groups} 2>/dev/null; sleep 1; rm -rf '${dir}'`;
    children.push(spawn('sh', ['-c', watchdog], { detached: true, stdio: 'ignore' }));
    children.at(-1)?.unref();
    const endpoint = `http://127.0.0.1:${proxy}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const exited = children.find((c) => c.exitCode !== null);
      if (exited) throw new Error(`${exited.spawnargs[0]} exited with ${exited.exitCode}`);
      const up = await Promise.all([account, container, object, memcached].map(listening));
      const healthy = up.every(Boolean) && (await fetch(`${endpoint}/healthcheck`).then((r) => r.ok, () => false));
      if (healthy) break;
      if (Date.now() > deadline) throw new Error('Swift did not start within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET } });
    // Ready means an S3 request answers: the first ones after start (the account's creation, the
    // backends' first connections) can take seconds or fail while Swift warms up.
    for (;;) {
      try {
        await client.send(new ListBucketsCommand({}));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    let n = 0;
    const swift: ThrowawaySwift = {
      endpoint, region: REGION, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET,
      env: (bucket) => ({
        S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_REGION: REGION, S3_ACCESS_KEY_ID: ACCESS_KEY,
        S3_SECRET_ACCESS_KEY: SECRET, S3_FORCE_PATH_STYLE: 'true',
      }),
      createBucket: async (name = `t${process.pid}-${++n}`) => {
        // A container server busy with its first writes can still refuse one: retry briefly.
        for (let tries = 0; ; tries++) {
          try {
            await client.send(new CreateBucketCommand({ Bucket: name }));
            return name;
          } catch (err) {
            if (tries >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      },
      stop: async () => {
        client.destroy();
        await stop();
      },
    };
    return swift;
  } catch (err) {
    const output = fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => `${f}: ${fs.readFileSync(path.join(logs, f), 'utf8').slice(-2000)}`).join('\n') : '';
    await stop();
    throw new Error(`Swift did not start: ${(err as Error).message}\n${output}`, { cause: err });
  }
}

if (import.meta.main) {
  const swift = await startSwift();
  const bucket = await swift.createBucket('reelhouse');
  console.log(Object.entries(swift.env(bucket)).map(([k, v]) => `${k}=${v}`).join('\n'));
  console.log('# Swift is running; Ctrl-C stops it and removes its data.');
  const quit = () => void swift.stop().then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, quit);
}
