import { expect } from 'vitest';
import type { Api } from './harness.ts';

/** A CSV file's text from its lines. */
export const csv = (rows: string[]) => rows.join('\r\n');

/**
 * Drives imports through a test API the way the web app does. `api` is read when a step runs,
 * so a file's `beforeAll` may create it after this is set up.
 */
export function importDriver(api: () => Api) {
  let seq = 0;
  return {
    /** A phone number no other row of the run has. */
    uniquePhone: () => `03${String(Date.now() % 1e6).padStart(6, '0')}${String(seq++ % 100).padStart(2, '0')}`,
    /** Creates an import, sends the file to its upload URL and waits for the dry run; the import's id. */
    async dryRun(body: string | Buffer, kind = 'producers', token = api().adminToken): Promise<string> {
      const created = await api().call('POST', '/imports', { token, body: { kind, fileName: 'list.csv', bytes: Buffer.byteLength(body) } });
      expect(created.status).toBe(201);
      const sent = await api().app.request(created.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
      expect(sent.status).toBe(202);
      await api().idle();
      return created.body.id as string;
    },
    /** Commits with these decisions, waits for it, and answers the import as it ends. */
    async commit(id: string, decisions: { row: number; communeCode: string }[] = [], token = api().adminToken) {
      const res = await api().call('POST', `/imports/${id}/commit`, { token, body: { decisions } });
      expect(res.status).toBe(202);
      await api().idle();
      return (await api().call('GET', `/imports/${id}`, { token })).body;
    },
  };
}
