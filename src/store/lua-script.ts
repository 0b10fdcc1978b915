import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Redis connection of the dialer: one server (or a Sentinel-found master), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** One of our Lua scripts: its keys come first, then its arguments. */
export interface LuaScript {
  /** The command name it is defined under on a connection (unique among our scripts). */
  readonly name: string;
  readonly keys: number;
  readonly lua: string;
}

/** Every script declared in this process by its SHA1 (what EVALSHA names it by): the bench's breakdown reads it. */
export const LUA_SCRIPTS_BY_SHA = new Map<string, string>();

/** Declares a script (see {@link runLua}); the name is checked once, here. */
export function luaScript(name: string, keys: number, lua: string): LuaScript {
  if (!/^ariDialer[A-Z]\w+$/.test(name)) throw new RangeError(`script name must look like ariDialerSomething, got ${JSON.stringify(name)}`);
  LUA_SCRIPTS_BY_SHA.set(createHash('sha1').update(lua).digest('hex'), name);
  return Object.freeze({ name, keys, lua });
}

const defined = new WeakMap<RedisClient, Set<string>>();

/**
 * Runs a script through ioredis' defineCommand: sent as EVALSHA, its source sent (EVAL) only the first time on each
 * socket and again after NOSCRIPT (a restarted or flushed Redis), so Redis never parses the source per call. Works
 * in a pipeline or MULTI (`on`) as on the connection itself.
 */
export function runLua(redis: RedisClient, script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number> = []): Promise<unknown> {
  if (keys.length !== script.keys) throw new RangeError(`${script.name} takes ${script.keys} keys, got ${keys.length}`);
  define(redis, script);
  return (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[script.name]!(...keys, ...args);
}

/** Queues a script in a pipeline or MULTI of `redis` (defined on `redis` first). */
export function queueLua<P extends object>(
  redis: RedisClient,
  pipeline: P,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number> = [],
): P {
  define(redis, script);
  (pipeline as unknown as Record<string, (...a: Array<string | number>) => unknown>)[script.name]!(...keys, ...args);
  return pipeline;
}

function define(redis: RedisClient, script: LuaScript): void {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Set()));
  if (names.has(script.name)) return;
  redis.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
  names.add(script.name);
}
