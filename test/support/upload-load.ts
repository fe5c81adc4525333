// Large uploads without large memory on the sending side, and the receiving process's memory
// as the kernel counts it. Shared by the RSS test and bench/files.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

const CHUNK = randomBytes(1024 * 1024);

/** `size` bytes of incompressible data as a stream, made from one reused 1 MiB chunk. */
export function streamOf(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= size) return c.close();
      const n = Math.min(CHUNK.length, size - sent);
      sent += n;
      c.enqueue(new Uint8Array(CHUNK.subarray(0, n)));
    },
  });
}

/** Resident set size of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the largest seen. */
export function rssPeak(pid: number, everyMs = 10): { stop: () => number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process ended
    }
  }, everyMs);
  return { stop: () => (clearInterval(timer), Math.max(peak, rssOf(pid))) };
}

/** PUTs `size` streamed bytes to `url`. */
export async function putStream(url: string, size: number): Promise<Response> {
  return fetch(url, { method: 'PUT', body: streamOf(size), duplex: 'half', headers: { 'content-length': String(size) } } as RequestInit);
}
