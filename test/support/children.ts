// Which child processes a test process has, read from /proc (Linux), so tests can assert that
// nothing was left running after an abort without the code under test exposing its children.
import { readdir, readFile } from 'node:fs/promises';

/** PIDs of live (non-zombie) direct children of `parent` whose command name is `name`. */
export async function childProcesses(name: string, parent = process.pid): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we were looking
    }
    // Format: pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (comm === name && Number(ppid) === parent && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}
