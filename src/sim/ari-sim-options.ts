import { ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { OUTCOMES, type OutcomeMix, type SimRule } from './rules.js';

/** How to start the simulated Asterisk. */
export interface AriSimOptions {
  /** Address to listen on. @defaultValue '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one (read it back from `AriSim.port`). @defaultValue 0 */
  port?: number;
  /** http.conf `prefix`: 'asterisk' serves ARI under /asterisk/ari. @defaultValue '' */
  prefix?: string;
  /** ari.conf users → passwords. @defaultValue { asterisk: 'asterisk' } */
  users?: Record<string, string>;
  /**
   * Multiplies every simulated duration (ring, talk, timeouts, the dialplan's waits); 0.01 runs 100x faster.
   * Must be > 0. @defaultValue 1
   */
  timeScale?: number;
  /** Seed of the pseudo-random `mix`. @defaultValue 1 */
  seed?: number;
  /** Extra routing rules, checked before the built-in ones (see docs/simulator.md). @defaultValue [] */
  rules?: SimRule[];
  /** Outcome weights for endpoints no rule, keyword or number decides. @defaultValue undefined (answer) */
  mix?: OutcomeMix;
  /**
   * Like http.conf `sessionlimit`: at most this many TCP connections (HTTP and WebSocket) at once; extra ones are
   * closed without an answer. @defaultValue 100
   */
  sessionLimit?: number;
  /** Cause reported when the originate timeout expires while ringing (some versions report 0). @defaultValue 19 */
  noAnswerCause?: 19 | 0;
  /**
   * How long the dialplan a call is continued to runs before it hangs up, in simulated ms (the lab's
   * `Answer(), Wait(1), Hangup()`). The callee may hang up first (the rule's talkMs). @defaultValue 1000
   */
  dialplanMs?: number;
  /**
   * The dialplan context that runs AMD() and sends the call back to Stasis with the verdict (docs/amd-and-messages.md: the
   * `[ari-dialer-amd]` snippet). A `continue` into it runs the simulated AMD (docs/simulator.md). @defaultValue 'ari-dialer-amd'
   */
  amdContext?: string;
  /**
   * Modules this Asterisk has not loaded, e.g. `['app_amd.so']`: `GET /asterisk/modules/app_amd.so` answers 404 and
   * a call continued into the AMD context ends there (no application AMD). @defaultValue []
   */
  missingModules?: string[];
  /**
   * Sounds by name (`sound:<name>`, or `recording:<name>` for a stored recording) → length in simulated ms, `null`
   * for a file that does not exist. Added to the built-in table (src/sim/sounds.ts; any other sound plays 3 s, one
   * whose name holds `no-such` or `missing` does not exist). @defaultValue {}
   */
  sounds?: Record<string, number | null>;
  /** Where the simulator logs (debug per originate, info per app replaced). @defaultValue silentLogger */
  logger?: Logger;
}

export type ResolvedSimOptions = Required<Omit<AriSimOptions, 'mix'>> & Pick<AriSimOptions, 'mix'>;

/** Applies defaults and checks every option, reporting all problems at once. */
export function resolveSimOptions(options: AriSimOptions = {}): ResolvedSimOptions {
  const resolved: ResolvedSimOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    prefix: (options.prefix ?? '').replace(/^\/+|\/+$/g, ''),
    users: options.users ?? { asterisk: 'asterisk' },
    timeScale: options.timeScale ?? 1,
    seed: options.seed ?? 1,
    rules: options.rules ?? [],
    mix: options.mix,
    sessionLimit: options.sessionLimit ?? 100,
    noAnswerCause: options.noAnswerCause ?? 19,
    dialplanMs: options.dialplanMs ?? 1000,
    amdContext: options.amdContext ?? 'ari-dialer-amd',
    missingModules: options.missingModules ?? [],
    sounds: options.sounds ?? {},
    logger: options.logger ?? silentLogger,
  };
  const problems: string[] = [];
  const { port, timeScale, sessionLimit, users, noAnswerCause, seed } = resolved;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('port must be an integer from 0 to 65535');
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) problems.push('timeScale must be a finite number > 0');
  if (!Number.isInteger(sessionLimit) || sessionLimit < 1) problems.push('sessionLimit must be an integer >= 1');
  if (noAnswerCause !== 19 && noAnswerCause !== 0) problems.push('noAnswerCause must be 19 or 0');
  if (!Number.isFinite(seed)) problems.push('seed must be a finite number');
  if (!(resolved.dialplanMs >= 0) || !Number.isFinite(resolved.dialplanMs)) problems.push('dialplanMs must be a finite number >= 0');
  for (const [name, ms] of Object.entries(resolved.sounds)) {
    if (ms !== null && !(typeof ms === 'number' && ms >= 0 && Number.isFinite(ms))) problems.push(`sounds.${name} must be a length in ms >= 0 or null`);
  }
  if (typeof users !== 'object' || users === null || Object.keys(users).length === 0) {
    problems.push('users must name at least one user');
  }
  for (const key of Object.keys(resolved.mix ?? {})) {
    if (!(OUTCOMES as readonly string[]).includes(key)) problems.push(`mix: unknown outcome "${key}"`);
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `AriSim: ${p}`));
  return resolved;
}
