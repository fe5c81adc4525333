// The blob store contract against the local file system store.
import fs from 'node:fs';
import { FsBlobStore } from '../../src/blobs/fs-blobs.ts';
import { tempDir } from '../support/server.ts';
import { blobStoreContract } from './contract.ts';

blobStoreContract('fs', async () => {
  const dir = tempDir();
  return { blobs: new FsBlobStore(dir), close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}, { presigns: false });
