// /docs: the OpenAPI documents rendered as one self-contained HTML page (inline CSS, no script,
// nothing fetched from elsewhere), so it works offline and behind any firewall. It reads only the
// documents, so what it shows is what /openapi.json says.
type Json = Record<string, unknown>;

const esc = (v: unknown): string =>
  String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Follows a local `#/components/schemas/X` reference. */
function resolve(doc: Json, schema: unknown): Json {
  const s = obj(schema);
  const r = s.$ref;
  if (typeof r !== 'string' || !r.startsWith('#/components/schemas/')) return s;
  return obj(obj(obj(doc.components).schemas)[r.slice('#/components/schemas/'.length)]);
}

function typeText(doc: Json, schema: Json): string {
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? 'object';
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((s) => typeText(doc, obj(s))).join(' | ');
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.type === 'array') return `${typeText(doc, obj(schema.items))}[]`;
  return typeof schema.type === 'string' ? schema.type : 'any';
}

function constraints(schema: Json): string[] {
  const out: string[] = [];
  if (Array.isArray(schema.enum)) out.push(`one of ${schema.enum.map((v) => `<code>${esc(v)}</code>`).join(', ')}`);
  if ('default' in schema) out.push(`default <code>${esc(JSON.stringify(schema.default))}</code>`);
  if (typeof schema.minimum === 'number' && schema.minimum > Number.MIN_SAFE_INTEGER) out.push(`≥ ${esc(schema.minimum)}`);
  if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER) out.push(`≤ ${esc(schema.maximum)}`);
  return out;
}

/** A table of an object schema's fields; nested objects get their own rows, indented. */
function fieldRows(doc: Json, schema: Json, prefix = ''): string {
  const s = resolve(doc, schema);
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  return Object.entries(obj(s.properties))
    .map(([name, raw]) => {
      const p = resolve(doc, raw);
      const nested = p.type === 'object' && p.properties ? fieldRows(doc, p, `${prefix}${name}.`) : '';
      return `<tr><td><code>${esc(prefix + name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td>`
        + `<td><code>${esc(typeText(doc, obj(raw)))}</code></td><td>${[p.description ? esc(p.description) : '', ...constraints(p)].filter(Boolean).join('<br>')}</td></tr>${nested}`;
    })
    .join('');
}

function fieldTable(doc: Json, schema: unknown): string {
  const rows = fieldRows(doc, obj(schema));
  return rows ? `<table><tr><th>field</th><th>type</th><th>about</th></tr>${rows}</table>` : '<p>No fields.</p>';
}

function operation(doc: Json, path: string, method: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const paramRows = params
    .map((p) => `<tr><td><code>${esc(p.name)}</code> <small>${esc(p.in)}</small></td><td><code>${esc(typeText(doc, obj(p.schema)))}</code></td><td>${esc(p.description ?? '')}</td></tr>`)
    .join('');
  const responses = Object.entries(obj(op.responses))
    .map(([code, r]) => `<li><code>${esc(code)}</code> ${esc(obj(r).description ?? '')}</li>`)
    .join('');
  return `<div class="op"><h4><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h4>`
    + `<p>${esc(op.summary ?? '')}</p>`
    + (paramRows ? `<table><tr><th>parameter</th><th>type</th><th>about</th></tr>${paramRows}</table>` : '')
    + `<ul class="responses">${responses}</ul></div>`;
}

function example(title: string, value: unknown): string {
  return `<h4>${esc(title)}</h4><pre>${esc(JSON.stringify(value, null, 2))}</pre>`;
}

function endpointSection(doc: Json): string {
  const info = obj(doc.info);
  const id = String(info['x-endpoint-id'] ?? info.title);
  const schemas = obj(obj(doc.components).schemas);
  const [inputName, outputName] = Object.keys(schemas);
  const input = obj(schemas[inputName ?? '']);
  const output = obj(schemas[outputName ?? '']);
  const serverUrl = obj((doc.servers as unknown[] | undefined)?.[0]).url;
  const server = typeof serverUrl === 'string' ? serverUrl : '';
  const sample: unknown = Array.isArray(input.examples) ? input.examples[0] : {};
  const snippet = `import { fal } from '@fal-ai/client';
import { reelhouseConfig } from 'reelhouse/client';

fal.config(reelhouseConfig({ url: ${JSON.stringify(server)}, credentials: process.env.FAL_KEY }));
const result = await fal.subscribe(${JSON.stringify(id)}, {
  input: ${JSON.stringify(sample, null, 2).replace(/\n/g, '\n  ')},
  logs: true,
});
console.log(result.data);`;
  const ops = Object.entries(obj(doc.paths))
    .flatMap(([path, item]) => Object.entries(obj(item)).map(([method, op]) => operation(doc, path, method, obj(op))))
    .join('');
  const anchor = id.replace(/[^a-zA-Z0-9]+/g, '-');
  return `<section id="${esc(anchor)}"><h2>${esc(info.title)}</h2><p><code>${esc(id)}</code> · <a href="/openapi.json?endpoint_id=${encodeURIComponent(id)}">openapi.json</a></p>`
    + `<p>${esc(info.description ?? '')}</p>`
    + `<h3>Input</h3>${fieldTable(doc, input)}`
    + (Array.isArray(input.examples) ? input.examples.map((e) => example('Example input', e)).join('') : '')
    + `<h3>Output</h3>${fieldTable(doc, output)}`
    + (Array.isArray(output.examples) ? output.examples.map((e) => example('Example output', e)).join('') : '')
    + `<h3>With the official client</h3><pre>${esc(snippet)}</pre>`
    + `<h3>Paths</h3><p>Every path needs <code>Authorization: Key &lt;key_id&gt;:&lt;key_secret&gt;</code>.</p>${ops}</section>`;
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1d1d1f}
code,pre{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}pre{background:#f5f5f7;padding:.75rem;overflow:auto;border-radius:6px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#fafafa}.req{color:#b00;font-size:12px}.op{border:1px solid #e3e3e3;border-radius:6px;padding:0 .75rem;margin:.75rem 0}
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:1px 4px}
.get{background:#0a7}.post{background:#06c}.put{background:#c70}section{border-top:2px solid #eee;margin-top:2rem}nav li{margin:.2rem 0}`;

/** The whole page: a list of endpoints, then each document. */
export function docsPage(docs: readonly Json[]): string {
  const nav = docs
    .map((d) => {
      const info = obj(d.info);
      const id = String(info['x-endpoint-id'] ?? info.title);
      return `<li><a href="#${esc(id.replace(/[^a-zA-Z0-9]+/g, '-'))}">${esc(info.title)}</a> <code>${esc(id)}</code></li>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<title>reelhouse API docs</title><style>${CSS}</style></head><body><h1>reelhouse API</h1>`
    + `<p>Each endpoint's OpenAPI 3.1 document is at <a href="/openapi.json">/openapi.json</a><code>?endpoint_id=…</code>.</p>`
    + `<nav><ul>${nav}</ul></nav>${docs.map(endpointSection).join('')}</body></html>`;
}
