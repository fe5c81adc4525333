// `reelhouse run`'s input flags, made from the endpoint's input schema: one flag per field, named
// as the field (`--image_url`; `--image-url` is accepted too), typed, with the schema's enums,
// bounds, defaults and descriptions in `--help`. The schema is read through its JSON Schema (the
// same one the OpenAPI documents publish), so flags cannot drift from what the server accepts.
import type { ParseArgsOptionDescriptor } from 'node:util';
import { z } from 'zod';
import type { Endpoint } from '../endpoints/registry.ts';

/** One input field as a command-line flag. */
export interface FieldFlag {
  name: string;
  /** `json`: objects and arrays, given as JSON text. */
  kind: 'string' | 'enum' | 'boolean' | 'integer' | 'number' | 'json';
  values: readonly string[];
  default: unknown;
  description: string;
  required: boolean;
  /** A file field: a local path is uploaded first; URLs and data URIs go as they are. */
  file: boolean;
  min: number | undefined;
  max: number | undefined;
}

interface JsonSchemaProp {
  anyOf?: JsonSchemaProp[];
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

// Bounds beyond these are zod's "any safe integer", not a limit worth printing.
const PRINTABLE_BOUND = 1e12;

/** `anyOf: [X, {type: null}]` (zod's nullish numbers and enums) as X with the outer description and default. */
function unwrapNullable(p: JsonSchemaProp): JsonSchemaProp {
  const members = (p.anyOf ?? []).filter((m) => m.type !== 'null');
  const [only] = members;
  if (members.length !== 1 || !only) return p;
  const { anyOf: _anyOf, ...outer } = p;
  return { ...unwrapNullable(only), ...outer };
}

function kindOf(p: JsonSchemaProp): FieldFlag['kind'] {
  if (p.enum) return 'enum';
  const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => t !== 'null');
  const t = types.length === 1 ? types[0] : undefined;
  return t === 'string' || t === 'boolean' || t === 'integer' || t === 'number' ? t : 'json';
}

/** The flags of an endpoint's input fields, in the schema's order. */
export function fieldFlags(endpoint: Endpoint): FieldFlag[] {
  const schema = z.toJSONSchema(endpoint.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProp>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const p = unwrapNullable(prop);
    return {
      name,
      kind: kindOf(p),
      values: (p.enum ?? []).map(String),
      default: p.default,
      description: p.description ?? '',
      required: (schema.required ?? []).includes(name),
      file: endpoint.fileFields.includes(name),
      min: p.minimum !== undefined && Math.abs(p.minimum) < PRINTABLE_BOUND ? p.minimum : undefined,
      max: p.maximum !== undefined && Math.abs(p.maximum) < PRINTABLE_BOUND ? p.maximum : undefined,
    };
  });
}

const kebab = (name: string): string => name.replaceAll('_', '-');

/** parseArgs options for the flags; a field named like one of `reserved` is left to `--input`. */
export function flagOptions(flags: readonly FieldFlag[], reserved: ReadonlySet<string>): Record<string, ParseArgsOptionDescriptor> {
  const options: Record<string, ParseArgsOptionDescriptor> = {};
  for (const f of flags) {
    for (const name of new Set([f.name, kebab(f.name)])) {
      if (!reserved.has(name)) options[name] = { type: f.kind === 'boolean' ? 'boolean' : 'string' };
    }
  }
  return options;
}

function convert(flag: FieldFlag, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  if (flag.kind === 'integer' || flag.kind === 'number') {
    // Not a number: passed on as text, so validation names the field and says what it expected.
    const n = raw.trim() === '' ? NaN : Number(raw);
    return Number.isNaN(n) ? raw : n;
  }
  if (flag.kind === 'json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The input fields given as flags (the last of repeated flags wins, as parseArgs keeps it). */
export function inputFromFlags(flags: readonly FieldFlag[], values: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of flags) {
    const raw = values[f.name] ?? values[kebab(f.name)];
    if (typeof raw === 'string' || typeof raw === 'boolean') input[f.name] = convert(f, raw);
  }
  return input;
}

function placeholder(f: FieldFlag): string {
  switch (f.kind) {
    case 'boolean':
      return '';
    case 'enum':
      return ` ${f.values.join('|')}`;
    case 'integer':
    case 'number': {
      const range = f.min !== undefined || f.max !== undefined ? ` ${f.min ?? ''}..${f.max ?? ''}` : '';
      return ` ${f.kind.toUpperCase()}${range}`;
    }
    case 'json':
      return ' JSON';
    default:
      return f.file ? ' FILE|URL' : ' TEXT';
  }
}

/** The "input" section of `reelhouse run ENDPOINT --help`. */
export function flagsHelp(flags: readonly FieldFlag[], reserved: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  for (const f of flags) {
    const name = f.kind === 'boolean' ? `--${f.name}, --no-${f.name}` : `--${f.name}${placeholder(f)}`;
    const notes = [
      f.required ? 'required' : undefined,
      f.default !== undefined ? `default ${typeof f.default === 'string' ? f.default : JSON.stringify(f.default)}` : undefined,
      f.file ? 'a local file is uploaded first' : undefined,
      reserved.has(f.name) ? `no flag: its name is one of run's options, give it with --input` : undefined,
    ].filter(Boolean);
    lines.push(`  ${name}`);
    const text = [f.description, notes.length ? `(${notes.join('; ')})` : ''].filter(Boolean).join(' ');
    if (text) lines.push(`      ${text}`);
  }
  return lines;
}
