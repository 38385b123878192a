import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export type LocalKeys = { secret: string; signing: { privateJwk: JWK; publicJwk: JWK } };

/**
 * The local server's secrets, kept in the data folder so tokens, cursors and citizen-ID
 * hashes stay valid across restarts: an ES256 key pair for sign-in and a random server secret.
 */
export async function loadOrCreateLocalKeys(dataDir: string): Promise<LocalKeys> {
  const file = join(dataDir, 'local-keys.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalKeys;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const keys: LocalKeys = {
    secret: randomBytes(48).toString('base64url'),
    signing: { privateJwk: { ...(await exportJWK(privateKey)), kid }, publicJwk: { ...(await exportJWK(publicKey)), kid } },
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}
