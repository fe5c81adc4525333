// What a request costs, in fal's billing units. fal prices Ray 2 per video: 540p and 5 s are one
// unit; 720p costs 2×, 1080p 4×, and 9 s 2× (the seed page's field descriptions say the same).
// Units are recorded at submit, from the validated input, so a usage summary is a SQL sum and
// survives the input being purged after the retention period.
import type { Endpoint } from './registry.ts';

/** Ray 2 Flash's base: $0.20 per 5 s video at 540p against Ray 2's $0.50 (fal's model pages). */
export const FLASH_BASE = 0.4;

const RESOLUTION_FACTOR: Record<string, number> = { '540p': 1, '720p': 2, '1080p': 4 };
const DURATION_FACTOR: Record<string, number> = { '5s': 1, '9s': 2 };

/**
 * fal's Ray 2 rule: `base` × resolution factor × duration factor. Fields an endpoint does not
 * have count as the base (1×), so every Ray 2 variant can share it; a flash variant passes its
 * own `base`.
 *
 * @example ray2Units({ resolution: '1080p', duration: '9s' }) // 8
 */
export function ray2Units(input: Record<string, unknown>, base = 1): number {
  const resolution = typeof input.resolution === 'string' ? (RESOLUTION_FACTOR[input.resolution] ?? 1) : 1;
  const duration = typeof input.duration === 'string' ? (DURATION_FACTOR[input.duration] ?? 1) : 1;
  return base * resolution * duration;
}

/** The units a request for `endpoint` with this (validated) input costs. */
export function unitsOf(endpoint: Pick<Endpoint, 'units'>, input: Record<string, unknown>): number {
  return endpoint.units ? endpoint.units(input) : ray2Units(input);
}
