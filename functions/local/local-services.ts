import { newId } from '#functions/core/ids.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { composeServices, createRepositories } from '#functions/api/compose.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import { createLocalIdentity } from '#functions/services/auth-service.ts';
import { loadOrCreateLocalKeys } from './local-keys.ts';
import { join } from 'node:path';
import { createLocalBlobStore } from '#functions/core/blob-store.ts';
import { createInProcessRunner } from '#functions/imports/import-service.ts';
import { createLocalPhotoStore, localPhotoDir } from '#functions/photos/local-photo-store.ts';

/** Everything the API needs on a laptop: DynamoDB Local, local sign-in, keys from the data folder. */
export async function createLocalServices(opts: { dataDir: string; tableName: string; endpoint: string; provinceCode?: string }) {
  const keys = await loadOrCreateLocalKeys(opts.dataDir);
  const table = createTable(createDocumentClient({ region: 'local', endpoint: opts.endpoint }), opts.tableName, opts.provinceCode ?? '38');
  const repositories = createRepositories(table);
  const local = await createLocalIdentity(repositories.users, keys.signing, newId);
  const runner = createInProcessRunner();
  const blobs = createLocalBlobStore(join(opts.dataDir, 'files'));
  const keyring = createKeyring(keys.secret);
  const photoFiles = createLocalPhotoStore({ dir: localPhotoDir(opts.dataDir), keyring, apiBase: '/api/v1' });
  const services = composeServices({ table, repositories, keyring, identity: local.provider, verify: local.verify, blobs, runner, photoStore: photoFiles });
  runner.setHandler(services.imports.handleJob);
  return { table, repositories, services, runner, photoFiles };
}
export type LocalServices = Awaited<ReturnType<typeof createLocalServices>>;
