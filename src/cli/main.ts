// The `reelhouse` command line.
import { parseArgs } from 'node:util';
import { S3Unavailable } from '../blobs/s3-client.ts';
import { loadConfig } from '../config.ts';
import { FfmpegMissingError } from '../engine/ffmpeg.ts';
import { serve } from './serve.ts';
import { worker } from './worker.ts';
import { keys } from './keys.ts';
import { requests } from './requests.ts';
import { run } from './run.ts';
import { usage } from './usage-command.ts';
import { UsageError } from './usage.ts';

const USAGE = `usage:
  reelhouse serve [--port N] [--host H] [--data-dir DIR] [--public-url URL] [--workers N | --no-workers]
  reelhouse worker [--workers N] [--data-dir DIR] [--public-url URL]    (needs DATABASE_URL)
  reelhouse keys create [--data-dir DIR] [--user NAME] [--label TEXT]
  reelhouse keys list [--data-dir DIR]
  reelhouse keys revoke KEY_ID [--data-dir DIR]
  reelhouse requests list [--data-dir DIR] [--user NAME] [--state STATE] [--limit N]
  reelhouse requests show REQUEST_ID [--data-dir DIR]
  reelhouse requests cancel REQUEST_ID [--data-dir DIR]
  reelhouse usage [--data-dir DIR] [--user NAME] [--since DATE] [--until DATE]
  reelhouse run ENDPOINT_ID [--FIELD VALUE ...] [--url URL] [--key KEY] [--out PATH] [--json] [--logs]
    (reelhouse run --help: endpoints, options, exit codes; reelhouse run ENDPOINT_ID --help: its fields)

Settings also come from the environment (REELHOUSE_PORT, REELHOUSE_DATA_DIR, ...): see README.md.`;

async function main(argv: string[]): Promise<number> {
  // `run` takes flags made from its endpoint's schema, so it parses its own arguments.
  if (argv[0] === 'run') return run(argv.slice(1), process.env, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'public-url': { type: 'string' },
      workers: { type: 'string' },
      'no-workers': { type: 'boolean' },
      user: { type: 'string' },
      label: { type: 'string' },
      state: { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, action, id] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (values['no-workers'] && values.workers !== undefined) throw new UsageError('--workers and --no-workers contradict each other');
  const config = loadConfig(process.env, {
    dataDir: values['data-dir'], host: values.host, port: values.port, publicUrl: values['public-url'],
    workers: values['no-workers'] ? '0' : values.workers,
  });
  switch (command) {
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'worker':
      await worker(config);
      return -1; // keeps running
    case 'keys':
      return keys(config, { action, id, user: values.user, label: values.label }, (l) => process.stdout.write(`${l}\n`));
    case 'requests':
      return requests(config, { action, id, user: values.user, state: values.state, limit: values.limit }, (l) => process.stdout.write(`${l}\n`));
    case 'usage':
      return usage(config, { user: values.user, since: values.since, until: values.until }, (l) => process.stdout.write(`${l}\n`));
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`reelhouse: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (err instanceof FfmpegMissingError || err instanceof S3Unavailable) {
      process.stderr.write(`reelhouse: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`reelhouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
