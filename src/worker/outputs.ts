// A runner's output holds OutputFile objects where fal's File objects belong; they are stored
// and replaced by `{url, content_type, file_name, file_size}`.
import type { FileService } from '../blobs/files.ts';
import { OutputFile } from '../runners/runner.ts';
import type { FileRecord } from '../store/records.ts';

export async function storeOutputs(
  output: unknown,
  files: FileService,
  owner: string,
  requestId: string,
  lifetimeMs: number | null,
): Promise<{ result: unknown; records: FileRecord[] }> {
  const records: FileRecord[] = [];
  const walk = async (v: unknown): Promise<unknown> => {
    if (v instanceof OutputFile) {
      const rec = await files.storeOutput(owner, requestId, v.path, v.contentType, v.fileName, lifetimeMs);
      records.push(rec);
      return { url: files.url(rec), content_type: rec.contentType, file_name: rec.fileName, file_size: rec.size };
    }
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await walk(x);
      return out;
    }
    return v;
  };
  return { result: await walk(output), records };
}
