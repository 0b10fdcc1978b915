import type { RedisClient } from '../store/lua-script.js';
import type { AriEventStream } from '../ari/event-stream.js';

/** One thing `/readyz` asks about. */
export interface ReadyCheck {
  name: string;
  check(): Promise<ReadyState>;
}

export interface ReadyState {
  ok: boolean;
  detail: string;
}

export interface ReadyReport {
  ready: boolean;
  checks: Record<string, ReadyState>;
}

/** Runs every check at once; ready only when all are ok. A check that throws counts as not ready. */
export async function readiness(checks: readonly ReadyCheck[]): Promise<ReadyReport> {
  const states = await Promise.all(checks.map((c) => c.check().catch((err: unknown): ReadyState => ({ ok: false, detail: (err as Error).message }))));
  const out: Record<string, ReadyState> = {};
  checks.forEach((c, i) => (out[c.name] = states[i]!));
  return { ready: states.every((s) => s.ok), checks: out };
}

/**
 * Ready while the ARI event socket is open and still ours. After ApplicationReplaced it never is again: another
 * process took the app name, and Asterisk may keep our socket open with nothing on it.
 */
export function ariSocketCheck(stream: AriEventStream, now: () => number = Date.now): ReadyCheck {
  let replaced = false;
  let downSince: number | undefined = stream.connected ? undefined : now();
  stream.on('replaced', () => (replaced = true));
  stream.on('connected', () => (downSince = undefined));
  stream.on('disconnected', () => (downSince ??= now()));
  const state = (): ReadyState => {
    if (replaced) return { ok: false, detail: `app ${stream.app} was taken over by another connection (ApplicationReplaced)` };
    if (stream.connected) return { ok: true, detail: `event socket of app ${stream.app} connected` };
    const since = downSince === undefined ? '' : ` for ${Math.round((now() - downSince) / 100) / 10} s`;
    return { ok: false, detail: `event socket of app ${stream.app} not connected${since}` };
  };
  return { name: 'ari', check: () => Promise.resolve(state()) };
}

/** Ready when Redis answers PING within `timeoutMs` (a connection that queues commands while down must not hang). */
export function redisCheck(redis: RedisClient, timeoutMs = 1000): ReadyCheck {
  return {
    name: 'redis',
    check: async () => {
      if (redis.status !== 'ready') return { ok: false, detail: `redis connection ${redis.status}` };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const started = Date.now();
      try {
        const answer = await Promise.race([redis.ping(), timeout]);
        if (answer !== 'PONG') return { ok: false, detail: answer === 'timeout' ? `no PONG within ${timeoutMs} ms` : `PING answered ${answer}` };
        return { ok: true, detail: `PONG in ${Date.now() - started} ms` };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Not ready from the first SIGTERM on, saying what the drain waits for: a load balancer or Kubernetes stops counting
 * on a process that takes no new calls, and an operator tells a drain from a hang.
 */
export function stoppingCheck(read: () => { stopping: boolean; calls?: number; webhooks?: number; requests?: number }): ReadyCheck {
  return {
    name: 'stopping',
    check: () => {
      const s = read();
      if (!s.stopping) return Promise.resolve({ ok: true, detail: 'running' });
      const parts = [
        s.calls !== undefined ? `${s.calls} calls in flight` : undefined,
        s.webhooks !== undefined ? `${s.webhooks} webhook deliveries` : undefined,
        s.requests !== undefined ? `${s.requests} requests in flight` : undefined,
      ].filter(Boolean);
      return Promise.resolve({ ok: false, detail: parts.length ? `stopping: draining ${parts.join(', ')}` : 'stopping' });
    },
  };
}
