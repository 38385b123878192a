/**
 * Files to and from the API that a plain link or `request` cannot carry: downloads need the
 * bearer token (an `<a href>` cannot send it), uploads send raw bytes. Loaded only by the
 * screens that use it (the dashboard, the imports).
 */
import { API, ApiError, NetworkError } from './api.ts';
import { freshToken } from './session.ts';
import type { Problem } from './types.ts';

async function problemOf(res: Response): Promise<Problem> {
  const body = (await res.json().catch(() => null)) as Problem | null;
  return body && typeof body === 'object' && 'code' in body ? body : { title: res.statusText || `HTTP ${res.status}`, status: res.status, code: res.status >= 500 ? 'INTERNAL' : 'UNKNOWN' };
}

/** GETs a file from the API (`/exports/…`) with the session's token; throws ApiError or NetworkError. */
export async function fetchFile(path: string): Promise<Blob> {
  const token = await freshToken();
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw new NetworkError(e);
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  return res.blob();
}

/** Saves a blob on the user's device under `name`, through an object URL. */
export function saveFile(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Fetches a file from the API and saves it. */
export async function downloadFile(path: string, name: string): Promise<void> {
  saveFile(await fetchFile(path), name);
}

/**
 * PUTs raw bytes to an upload URL the API gave, with the headers it said the PUT must carry
 * (the browser sets content-length itself from the body). The session's token goes only to this
 * origin: a presigned URL elsewhere (S3) carries its own signature, and must get no other
 * credentials. Answers the JSON the URL answered, or null (S3 answers none). Throws ApiError or
 * NetworkError.
 */
export async function putFile<T>(url: string, body: Blob, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }): Promise<T | null> {
  const sameOrigin = new URL(url, location.href).origin === location.origin;
  const token = sameOrigin ? await freshToken() : null;
  const sent = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'authorization'));
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: { ...sent, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body, ...(sameOrigin ? {} : { credentials: 'omit' as const }) });
  } catch (e) {
    throw new NetworkError(e);
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  return (await res.json().catch(() => null)) as T | null;
}
