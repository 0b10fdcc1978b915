import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../log.js';
import type { DialerMetrics } from './dialer-metrics.js';
import { readiness, type ReadyCheck } from './readiness.js';

export interface HealthServerOptions {
  metrics: DialerMetrics;
  /** What `/readyz` asks; every one must be ok. @defaultValue none (always ready) */
  checks?: readonly ReadyCheck[];
  /** Metrics tell a lot about the business: loopback unless you mean it. @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger?: Logger;
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server for the tools operators already run: `GET /metrics` (Prometheus text format), `GET /healthz`
 * (the process is up: 200 while it can answer at all) and `GET /readyz` (200 when every check passes, else 503 with
 * the reasons as JSON), for systemd, Kubernetes probes or a load balancer.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const checks = options.checks ?? [];
  const log = (options.logger ?? silentLogger).child({ component: 'health' });
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new RangeError(`port must be a whole number from 0 to 65535, got ${options.port}`);
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'health endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    switch (path) {
      case '/metrics': {
        const { contentType, body } = await options.metrics.render();
        return send(res, 200, contentType, body);
      }
      case '/healthz':
        return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      case '/readyz': {
        const report = await readiness(checks);
        return send(res, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
      }
      default:
        return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz or /readyz\n');
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'metrics and health endpoints listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
