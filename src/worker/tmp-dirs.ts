// Scratch space per worker process. A process killed mid-render leaves its folder behind; the
// next worker on the same host removes the folders of processes that no longer exist.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export function workerDirName(workerId: string): string {
  return workerId.replace(/[^\w.-]/g, '_');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes scratch folders left by dead processes of this host, except `keep`; returns how many. */
export async function sweepDeadWorkerDirs(root: string, keep: string): Promise<number> {
  await fsp.mkdir(root, { recursive: true });
  const host = workerDirName(os.hostname());
  let removed = 0;
  for (const name of await fsp.readdir(root)) {
    const m = new RegExp(`^${host.replace(/[.]/g, '\\.')}-(\\d+)-`).exec(name);
    if (!m || name === keep) continue;
    const pid = Number(m[1]);
    // A live pid of another name is another process (or a reused pid): leave it alone.
    if (pid !== process.pid && processAlive(pid)) continue;
    await fsp.rm(path.join(root, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
