// A real reelhouse on loopback for a test: its own data directory, a free port, a fresh key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReelhouse, type Reelhouse } from '../../src/app.ts';
import { createKey } from '../../src/auth/keys.ts';
import { loadConfig, type Config } from '../../src/config.ts';

export interface TestServer {
  app: Reelhouse;
  url: string;
  /** `key_id:key_secret` of a fresh key. */
  key: string;
  dataDir: string;
  /** Another user's key, for isolation checks. */
  newKey(userId?: string): Promise<string>;
  close(): Promise<void>;
}

const made: string[] = [];
// Each test file runs in a process of its own: what it made goes when that process ends.
process.once('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'reelhouse-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const config: Config = {
    ...loadConfig({}, { dataDir, port: '0', host: '127.0.0.1' }),
    logLevel: 'warn',
    leaseMs: 5000,
    heartbeatMs: 500,
    ...overrides,
  };
  const app = await startReelhouse(config);
  const newKey = async (userId?: string) => (await createKey(app.store, { userId }, Date.now())).credentials;
  const key = await newKey();
  return {
    app, url: app.url, key, dataDir, newKey,
    close: async () => {
      await app.close();
      if (!overrides.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch against the test server with its key. */
export function api(server: Pick<TestServer, 'url' | 'key'>) {
  return (p: string, init: RequestInit & { json?: unknown; key?: string | null } = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? server.key : init.key;
    if (key !== null) headers.set('authorization', `Key ${key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${server.url}${p}`, { ...init, headers, body });
  };
}
