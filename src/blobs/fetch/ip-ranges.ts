// Which IP addresses a server-side fetch may connect to. Only globally routable unicast
// addresses pass: everything in the IANA special-purpose registries (RFC 6890 and successors) is
// refused, and so are the cloud metadata services that sit on ordinary-looking addresses.
// Addresses are compared as bytes after parsing, so every spelling of one address (an IPv4
// address inside IPv6 as mapped, compatible, NAT64 or 6to4; zero-compressed or not) gets the
// same answer. Hostname spellings (decimal `2130706433`, octal `0177.0.0.1`, hex) are normalised
// by the WHATWG URL parser before they reach here.
import net from 'node:net';

type Range = readonly [prefix: readonly number[], bits: number, why: string];

const V4_BLOCKED: readonly Range[] = [
  [[0], 8, 'an unspecified ("this network") address'],
  [[10], 8, 'a private address'],
  [[100, 64], 10, 'a carrier-grade NAT address'],
  [[127], 8, 'a loopback address'],
  [[169, 254, 169, 254], 32, 'the cloud metadata service'],
  [[169, 254], 16, 'a link-local address'],
  [[168, 63, 129, 16], 32, "Azure's platform (metadata) service"],
  [[172, 16], 12, 'a private address'],
  [[192, 0, 0], 24, 'an IETF protocol address (incl. Oracle Cloud metadata)'],
  [[192, 0, 2], 24, 'a documentation address'],
  [[192, 88, 99], 24, 'a 6to4 relay address'],
  [[192, 168], 16, 'a private address'],
  [[198, 18], 15, 'a benchmarking address'],
  [[198, 51, 100], 24, 'a documentation address'],
  [[203, 0, 113], 24, 'a documentation address'],
  [[224], 4, 'a multicast address'],
  [[240], 4, 'a reserved or broadcast address'],
];

// Bytes of IPv6 prefixes. Anything outside 2000::/3 (global unicast) is refused outright, after
// the forms that carry an IPv4 address have been unwrapped.
const V6_BLOCKED: readonly Range[] = [
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'a documentation address'],
  [[0x20, 0x01, 0x00], 23, 'an IETF protocol address (incl. Teredo)'],
  [[0x3f, 0xff], 20, 'a documentation address'],
];

function inRange(bytes: readonly number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i += 8) {
    const left = bits - i;
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(text: string): number[] | null {
  if (!net.isIPv4(text)) return null;
  return text.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (zone index dropped), or null. */
export function parseV6(input: string): number[] | null {
  let text = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!net.isIPv6(text)) return null;
  // A dotted IPv4 tail is two 16-bit words.
  text = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [left = '', right] = text.split('::');
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const l = words(left);
  const r = right === undefined ? [] : words(right);
  const all = right === undefined ? l : [...l, ...Array<number>(8 - l.length - r.length).fill(0), ...r];
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

const isZero = (bytes: readonly number[]): boolean => bytes.every((b) => b === 0);

/** Why `address` must not be connected to, or null when it is a public unicast address. */
export function blockedReason(address: string): string | null {
  const v4 = parseV4(address);
  if (v4) return V4_BLOCKED.find((r) => inRange(v4, r))?.[2] ?? null;
  const b = parseV6(address);
  if (!b) return 'not an IP address';
  const head = b.slice(0, 12);
  const embedded = b.slice(12).join('.');
  if (isZero(b)) return 'an unspecified address';
  if (isZero(b.slice(0, 15)) && b[15] === 1) return 'a loopback address';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 inside decides.
  if (isZero(b.slice(0, 10)) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) return blockedReason(embedded);
  if (inRange(head, [[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96, ''])) return blockedReason(embedded);
  // 2002:abcd:efgh::/48 (6to4) routes to the IPv4 address abcd:efgh.
  if (b[0] === 0x20 && b[1] === 0x02) return blockedReason(b.slice(2, 6).join('.'));
  if ((b[0]! & 0xe0) !== 0x20) {
    if (b[0] === 0xff) return 'a multicast address';
    if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'a link-local address';
    if ((b[0]! & 0xfe) === 0xfc) return 'a private (unique local) address';
    return 'a reserved IPv6 address';
  }
  return V6_BLOCKED.find((r) => inRange(b, r))?.[2] ?? null;
}
