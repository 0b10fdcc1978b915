import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** What the dashboard's HTTP drain left: requests cut at the end of the grace, and how many of them were writes. */
export interface RequestDrainReport {
  /** Requests still running when the grace ended: their connections were closed. */
  cut: number;
  /** Of those, writes (an upload's import, contacts added, a cancel): work that may be left unfinished. */
  writesCut: number;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Counts the dashboard's requests in flight, and drains them on shutdown: no new connection, `Connection: close` on
 * every answer from then on (a keep-alive client goes elsewhere), the requests under way get the grace (an upload
 * being imported finishes), and what still runs after it is cut.
 */
export class RequestDrain {
  private reads = 0;
  private writes = 0;
  private stopping = false;
  private readonly waiters = new Set<() => void>();

  /** Express middleware, first in the chain: every request counts until its response is done or its socket gone. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const write = !READS.has(req.method);
    if (write) this.writes++;
    else this.reads++;
    if (this.stopping) res.setHeader('Connection', 'close');
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      if (write) this.writes--;
      else this.reads--;
      for (const w of [...this.waiters]) w();
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };

  /** Requests in flight now, and how many of them are writes. */
  get inFlight(): { requests: number; writes: number } {
    return { requests: this.reads + this.writes, writes: this.writes };
  }

  /** Stops taking connections, waits up to `graceMs` for the requests under way, then closes every connection. */
  async drain(server: Server, graceMs: number): Promise<RequestDrainReport> {
    this.stopping = true;
    server.close();
    server.closeIdleConnections();
    await this.idle(graceMs);
    const report = { cut: this.reads + this.writes, writesCut: this.writes };
    server.closeAllConnections();
    return report;
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        if (timer !== undefined && this.reads + this.writes > 0) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      if (this.reads + this.writes === 0) return resolve();
      timer = setTimeout(
        () => {
          timer = undefined;
          check();
        },
        Math.max(0, ms),
      );
      this.waiters.add(check);
    });
  }
}
