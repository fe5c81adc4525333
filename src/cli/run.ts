// `reelhouse run ENDPOINT_ID --FIELD VALUE …`: one request against a running server, from the
// command line. Its flags come from the endpoint's input schema, so it parses its own arguments;
// the input is checked here first (no upload, no request for input the server would refuse).
//
//   reelhouse run fal-ai/luma-dream-machine/ray-2/image-to-video --prompt "push in" --image_url ./photo.jpg
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsOptionDescriptor } from 'node:util';
import { loadConfig, type Env } from '../config.ts';
import { defaultEndpoints, type Endpoint } from '../endpoints/registry.ts';
import { parseInput } from '../endpoints/validate.ts';
import { ValidationError } from '../errors.ts';
import { RunClient } from './run-client.ts';
import { execute } from './run-execute.ts';
import { fieldFlags, flagOptions, flagsHelp, inputFromFlags, type FieldFlag } from './run-flags.ts';
import { EXIT, EXIT_HELP, RunOutput } from './run-output.ts';
import { createDisplay, type DisplayStream } from './run-progress.ts';

const OWN_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string', short: 'o' },
  input: { type: 'string' },
  logs: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, ParseArgsOptionDescriptor>;

const RESERVED: ReadonlySet<string> = new Set(Object.keys(OWN_OPTIONS));

const OPTIONS_HELP = `options:
  --url URL       the server (default: REELHOUSE_URL, else this machine's server, REELHOUSE_PUBLIC_URL)
  --key KEY       key_id:key_secret (default: REELHOUSE_KEY, else FAL_KEY)
  -o, --out PATH  where the output file is saved; a directory keeps the made-up name
                  (default: ./ENDPOINT-REQUEST.EXT, e.g. ./image-to-video-1f2e3d4c.mp4)
  --input JSON    input fields as a JSON object, or @FILE holding one; flags win over it
  --logs          print the request's log lines as they come
  --json          print one JSON document on stdout (request id, outcome, output, saved path,
                  metrics), whatever the outcome; progress stays on stderr
  -q, --quiet     no progress on stderr
  -h, --help      this help

A bar shows the stage, percentage and ETA when stderr is a terminal; plain lines otherwise.
Ctrl-C cancels the request on the server and waits for it to stop (Ctrl-C again: stop waiting).`;

export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: DisplayStream;
  cwd: string;
}

function generalHelp(endpoints: readonly Endpoint[]): string {
  return `usage: reelhouse run ENDPOINT_ID [--FIELD VALUE ...] [options]

Runs one request on a reelhouse server: uploads local files, submits through the queue, shows its
progress and saves the output. \`reelhouse run ENDPOINT_ID --help\` lists the endpoint's fields.

endpoints:
${endpoints.map((e, _, all) => `  ${e.id.padEnd(Math.max(...all.map((x) => x.id.length)))}  ${e.title}`).join('\n')}

${OPTIONS_HELP}

${EXIT_HELP}
`;
}

function endpointHelp(endpoint: Endpoint, flags: readonly FieldFlag[]): string {
  return `usage: reelhouse run ${endpoint.id} [--FIELD VALUE ...] [options]

${endpoint.title}

input:
${flagsHelp(flags, RESERVED).join('\n')}

${OPTIONS_HELP}

${EXIT_HELP}
`;
}

function usageError(io: RunIo, message: string, helpHint: string): number {
  io.stderr.write(`reelhouse: ${message}\n(${helpHint})\n`);
  return EXIT.usage;
}

/** `--input`: a JSON object, or `@FILE` holding one. */
function inputOption(text: string, cwd: string): Record<string, unknown> {
  const json = text.startsWith('@') ? fs.readFileSync(path.resolve(cwd, text.slice(1)), 'utf8') : text;
  const value = JSON.parse(json) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('it is not a JSON object');
  return value as Record<string, unknown>;
}

const isRemote = (v: string): boolean => /^(https?:|data:)/i.test(v);

/** Runs `reelhouse run` with `argv` (the words after `run`); resolves to the exit code. */
export async function run(argv: string[], env: Env, io: RunIo): Promise<number> {
  const endpoints = defaultEndpoints();
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) {
    const help = first !== undefined && (argv.includes('--help') || argv.includes('-h'));
    if (first === undefined || help) {
      (help ? io.stdout : io.stderr).write(generalHelp(endpoints.list()));
      return help ? EXIT.done : EXIT.usage;
    }
    return usageError(io, 'the endpoint id comes first: reelhouse run ENDPOINT_ID --FIELD VALUE ...', 'reelhouse run --help');
  }
  const endpoint = endpoints.get(first);
  if (!endpoint) return usageError(io, `no endpoint ${JSON.stringify(first)}`, 'reelhouse run --help lists them');
  const hint = `reelhouse run ${endpoint.id} --help`;
  const flags = fieldFlags(endpoint);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv.slice(1),
      options: { ...flagOptions(flags, RESERVED), ...OWN_OPTIONS },
      allowNegative: true,
      strict: true,
    }).values;
  } catch (err) {
    return usageError(io, (err as Error).message, hint);
  }
  if (values.help) {
    io.stdout.write(endpointHelp(endpoint, flags));
    return EXIT.done;
  }
  const cwd = io.cwd;
  const output = new RunOutput(values.json === true, io.stdout, io.stderr);

  let input: Record<string, unknown> = {};
  if (typeof values.input === 'string') {
    try {
      input = inputOption(values.input, cwd);
    } catch (err) {
      return usageError(io, `--input: ${(err as Error).message}`, hint);
    }
  }
  Object.assign(input, inputFromFlags(flags, values));
  const uploads: { field: string; path: string }[] = [];
  try {
    const checked = parseInput(endpoint.input, input) as Record<string, unknown>;
    endpoint.check?.(checked);
    for (const field of endpoint.fileFields) {
      const v = input[field];
      if (typeof v !== 'string' || isRemote(v)) continue;
      const file = path.resolve(cwd, v);
      if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw ValidationError.field(field, `no such file: ${v}`, 'value_error.file');
      uploads.push({ field, path: file });
    }
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return output.invalid(err.errors, { outcome: 'invalid', request_id: null });
  }

  let out: { path: string; isDir: boolean } | null = null;
  if (typeof values.out === 'string') {
    const p = path.resolve(cwd, values.out);
    const isDir = fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (!isDir && !fs.statSync(path.dirname(p), { throwIfNoEntry: false })?.isDirectory()) {
      return usageError(io, `--out: there is no directory ${path.dirname(p)}`, hint);
    }
    out = { path: p, isDir };
  }

  const config = loadConfig(env);
  const client = new RunClient(typeof values.url === 'string' ? values.url : config.serverUrl, typeof values.key === 'string' ? values.key : config.clientKey);
  return execute({
    client,
    endpointId: endpoint.id,
    input,
    uploads,
    out,
    cwd,
    logs: values.logs === true,
    display: createDisplay(io.stderr, values.quiet === true),
    output,
  });
}
