import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DOCS_DIR, OUTPUT_FILE, REPO_ROOT } from '../../scripts/gen-ari-types.js';

/**
 * `npm run gen:ari-types -- --from URL` against a real HTTP server on port 0 that serves the committed swagger files
 * the way Asterisk does (`/ari/api-docs/<name>.json`, Basic auth): the script, run as a user runs it, must fetch
 * them all and generate exactly the committed types, without ever printing the password.
 */

const USER = 'dialer';
const PASSWORD = 'gen-types-pw-81c2e';
let server: Server;
let base: string;
const requested: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'gen-ari-from-'));

beforeAll(async () => {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  server = createServer((req, res) => {
    requested.push(req.url ?? '');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Authentication required"}');
      return;
    }
    const m = /^\/ari\/api-docs\/([A-Za-z]+\.json)$/.exec(req.url ?? '');
    if (m === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(join(DEFAULT_DOCS_DIR, m[1]!)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/ari`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

function gen(args: string[], password: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', ARI_USER: USER, ARI_PASSWORD: password };
    execFile(process.execPath, ['--import', 'tsx', 'scripts/gen-ari-types.ts', ...args], { cwd: REPO_ROOT, env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('gen-ari-types --from a live ARI', () => {
  it('fetches resources.json and every API file it lists, and generates the committed types', async () => {
    const docs = join(work, 'docs');
    const out = join(work, 'types.generated.ts');
    const r = await gen(['--from', base, '--docs', docs, '--out', out], PASSWORD);
    expect(r.output).not.toContain(PASSWORD);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`fetched 12 swagger files from ${base}`);
    expect(requested[0]).toBe('/ari/api-docs/resources.json');
    const committed = readdirSync(DEFAULT_DOCS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(readdirSync(docs).sort()).toEqual(committed);
    for (const f of committed) expect(readFileSync(join(docs, f), 'utf8')).toBe(readFileSync(join(DEFAULT_DOCS_DIR, f), 'utf8'));
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(OUTPUT_FILE, 'utf8'));
  });

  it('stops on 401 with a hint, writes nothing and never prints the password', async () => {
    const docs = join(work, 'refused');
    const wrong = 'wrong-pw-5d0a7';
    const r = await gen(['--from', base, '--docs', docs, '--out', join(work, 'refused.ts')], wrong);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('401');
    expect(r.output).toContain('ARI_USER and ARI_PASSWORD');
    expect(r.output).not.toContain(wrong);
    expect(() => readdirSync(docs)).toThrow();
  });
});
