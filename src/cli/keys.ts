// `reelhouse keys create|list|revoke`: API keys live in the store of a data directory.
import { openStore } from '../app.ts';
import { createKey } from '../auth/keys.ts';
import type { Config } from '../config.ts';
import { UsageError } from './usage.ts';

export interface KeysArgs {
  action: string | undefined;
  id: string | undefined;
  user: string | undefined;
  label: string | undefined;
}

export async function keys(config: Config, args: KeysArgs, out: (line: string) => void): Promise<number> {
  const store = await openStore(config);
  try {
    switch (args.action) {
      case 'create': {
        const key = await createKey(store, { userId: args.user, label: args.label }, Date.now());
        out(key.credentials); // alone on stdout, so scripts can capture it
        return 0;
      }
      case 'list': {
        const rows = await store.keys.list();
        out(['key_id', 'user', 'label', 'created', 'revoked'].join('\t'));
        for (const k of rows) {
          const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
          out([k.id, k.userId, k.label ?? '-', iso(k.createdAt), iso(k.revokedAt)].join('\t'));
        }
        return 0;
      }
      case 'revoke': {
        if (!args.id) throw new UsageError('keys revoke needs the key id: reelhouse keys revoke KEY_ID');
        if (!(await store.keys.revoke(args.id, Date.now()))) {
          process.stderr.write(`no active key ${args.id}\n`);
          return 1;
        }
        process.stderr.write(`revoked ${args.id}\n`);
        return 0;
      }
      default:
        throw new UsageError('keys needs an action: create, list or revoke');
    }
  } finally {
    await store.close();
  }
}
