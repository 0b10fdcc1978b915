/**
 * Downloads a live Asterisk's ARI swagger files: `<ari>/api-docs/resources.json`, then every API file it lists
 * (`/api-docs/channels.{format}` → `<ari>/api-docs/channels.json`). Used by `gen-ari-types.ts --from URL`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FetchApiDocsOptions {
  /** ARI base URL with http.conf's prefix if any, e.g. `http://127.0.0.1:8088/ari`. */
  ariUrl: string;
  /** Folder the files are written to (created if missing; files of the same name are replaced). */
  dir: string;
  /** ari.conf user; never printed. */
  user?: string;
  /** ari.conf password; never printed. */
  password?: string;
}

/** Fetches and writes the files; returns their names (resources.json first). */
export async function fetchApiDocs(options: FetchApiDocsOptions): Promise<string[]> {
  const base = options.ariUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (options.user !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
  }
  const get = async (path: string): Promise<string> => {
    const url = `${base}${path}`;
    const res = await fetch(url, { headers });
    // The URL holds no credentials (they travel in the header), so it is safe in a message.
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}${res.status === 401 ? ' (set ARI_USER and ARI_PASSWORD)' : ''}`);
    const text = await res.text();
    JSON.parse(text); // a proxy's HTML error page must not end up in the folder
    return text;
  };

  const resources = await get('/api-docs/resources.json');
  const apis = (JSON.parse(resources) as { apis?: { path?: unknown }[] }).apis ?? [];
  const files = new Map<string, string>([['resources.json', resources]]);
  for (const api of apis) {
    if (typeof api.path !== 'string') continue;
    const path = api.path.replace('{format}', 'json');
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!/^[A-Za-z0-9_-]+\.json$/.test(name)) throw new Error(`resources.json lists an odd API path: ${api.path}`);
    files.set(name, await get(path));
  }
  // Only once everything arrived, so a failure halfway leaves the folder as it was.
  mkdirSync(options.dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(options.dir, name), text);
  return [...files.keys()];
}
