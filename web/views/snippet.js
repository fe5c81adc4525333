// The "API" tab: the current inputs as code, ready to paste. The client snippet is the seed page's
// `fal.subscribe` call with one `fal.config` that sends it here; curl shows the raw queue protocol.
import { copyFrom, h, replace } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

/** A JavaScript literal, keys unquoted where they may be. @param {unknown} v @param {string} indent @returns {string} */
export function jsLiteral(v, indent = '') {
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + jsLiteral(x, inner)).join(',\n')}\n${indent}]` : '[]';
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    if (!entries.length) return '{}';
    const key = (/** @type {string} */ k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${jsLiteral(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** @param {string} endpointId @param {Record<string, unknown>} input @param {string} baseUrl */
export function clientSnippet(endpointId, input, baseUrl) {
  return `import { fal } from "@fal-ai/client";

// FAL_KEY: a key of this server (key_id:key_secret)
fal.config({
  credentials: process.env.FAL_KEY,
  proxyUrl: { url: ${JSON.stringify(`${baseUrl}/api/fal/proxy`)}, when: "always" },
});

const result = await fal.subscribe(${JSON.stringify(endpointId)}, {
  input: ${jsLiteral(input, '  ')},
  logs: true,
  onQueueUpdate: (update) => {
    if (update.status === "IN_PROGRESS") {
      update.logs.map((log) => log.message).forEach(console.log);
    }
  },
});
console.log(result.data);
console.log(result.requestId);
`;
}

/** A string in single quotes for a POSIX shell. @param {string} s */
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** @param {string} endpointId @param {Record<string, unknown>} input @param {string} baseUrl */
export function curlSnippet(endpointId, input, baseUrl) {
  const app = endpointId.split('/').slice(0, 2).join('/');
  return `# Submit: the answer carries request_id, status_url and response_url
curl -s -X POST ${shellQuote(`${baseUrl}/queue/${endpointId}`)} \\
  -H "Authorization: Key $FAL_KEY" \\
  -H "Content-Type: application/json" \\
  -d ${shellQuote(JSON.stringify(input, null, 2))}

# Follow it (server-sent events, closed when COMPLETED), then fetch the result
curl -sN -H "Authorization: Key $FAL_KEY" "${baseUrl}/queue/${app}/requests/$REQUEST_ID/status/stream?logs=1"
curl -s -H "Authorization: Key $FAL_KEY" "${baseUrl}/queue/${app}/requests/$REQUEST_ID"
`;
}

export class SnippetView {
  /** @param {string} baseUrl */
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.element = h('section.snippets');
  }

  /** @param {string} endpointId @param {Record<string, unknown>} input */
  show(endpointId, input) {
    /** @param {string} title @param {string} lang @param {string} code */
    const block = (title, lang, code) => {
      const copy = h('button.secondary.small', { type: 'button', onclick: () => void copyFrom(copy, code) }, 'Copy');
      return h('div.code-block', { dataset: { lang } }, h('div.code-head', h('span', title), copy), h('pre.code', h('code', code)));
    };
    replace(this.element,
      h('p.muted', icon('book', 14), ' The exact calls for the inputs in the form. ',
        h('a', { href: `/docs?endpoint_id=${encodeURIComponent(endpointId)}`, target: '_blank' }, 'Reference'), ' · ',
        h('a', { href: `/openapi.json?endpoint_id=${encodeURIComponent(endpointId)}`, target: '_blank' }, 'OpenAPI')),
      block('JavaScript · @fal-ai/client', 'js', clientSnippet(endpointId, input, this.baseUrl)),
      block('curl', 'sh', curlSnippet(endpointId, input, this.baseUrl)),
    );
  }
}
