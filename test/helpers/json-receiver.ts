import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on 127.0.0.1 (port 0) that keeps every JSON body POSTed to it, in order, and answers 204. */
export interface JsonReceiver<T> {
  readonly posted: T[];
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startJsonReceiver<T = Record<string, unknown>>(): Promise<JsonReceiver<T>> {
  const posted: T[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push(JSON.parse(body) as T);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    posted,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Everything an async iterable yields (Array.fromAsync is Node 22). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
