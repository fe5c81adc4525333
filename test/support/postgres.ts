// A throwaway PostgreSQL for a test file: initdb into a temporary folder, a server on loopback at a
// free port, databases made on demand (one per test, so each starts empty), everything removed at
// the end. It uses the distribution's binaries (/usr/lib/postgresql/*/bin; CI installs them with
// scripts/setup). initdb refuses to run as root, so as root the server runs as `postgres`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process.ts';

const run = promisify(execFile);
const ROOT = '/usr/lib/postgresql';

export interface ThrowawayPostgres {
  /** `postgres://` URL of the server's `postgres` database. */
  url: string;
  /** A new empty database; resolves to its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder, or an error that says how to install one. */
export function postgresBin(): string {
  const versions = fs.existsSync(ROOT)
    ? fs.readdirSync(ROOT).filter((v) => fs.existsSync(path.join(ROOT, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (newest === undefined) {
    throw new Error(
      `PostgreSQL's server binaries were not found (${ROOT}/*/bin/initdb): the PostgreSQL tests need them. ` +
        'Install them with ./scripts/setup, or: sudo apt-get install postgresql',
    );
  }
  return path.join(ROOT, newest, 'bin');
}

/** Runs a PostgreSQL program as the `postgres` user when we are root (initdb refuses root). */
async function asPostgres(bin: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  await run(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, ...args] : args, { timeout: 60_000 });
}

export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelhouse-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // A throwaway server: durability off (fsync, synchronous commit, full pages), which PostgreSQL's
  // own docs recommend only for data one can lose. The socket lives in the temporary folder.
  let port = 0;
  for (let tries = 0; ; tries++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '30', '-o', options, 'start']);
      break;
    } catch (err) {
      // Someone took the port between freePort and the server's bind: try another.
      if (tries >= 2) throw new Error(`PostgreSQL did not start: ${fs.readFileSync(path.join(dir, 'log'), 'utf8')}`, { cause: err });
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let n = 0;
  return {
    url,
    createDatabase: async () => {
      const name = `t${process.pid}_${++n}`;
      await admin.query(`CREATE DATABASE ${name}`); // a name we made: no identifier from outside
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop: async () => {
      await admin.end().catch(() => {});
      await asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
