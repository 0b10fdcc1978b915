import type { OptOutInfo } from '../opt-out.js';
import type { Queue } from 'bullmq';
import type { AriClient } from '../../ari/client.js';
import type { AriEventStream } from '../../ari/event-stream.js';
import { runCall } from '../../dialer/call.js';
import type { CallDeps, CallObserver } from '../../dialer/call-options.js';
import type { Logger } from '../../log.js';
import { recordAttemptResult } from '../attempt-result.js';
import type { CampaignMeta, CampaignStore, InflightCall } from '../../store/campaign-store.js';
import { assertDialJobData, dialJobId } from '../job-data.js';
import { attemptCallParams } from '../attempt-call-params.js';
import { renderEndpoint } from '../../policy/campaign-settings.js';
import { luaScript, runLua } from '../../store/lua-script.js';
import type { WorkerHeartbeat } from './worker-heartbeat.js';

export interface TakeoverOptions {
  name: string;
  /** The config file's name of this worker's Asterisk (`default` for ARI_URL), as the dial job has it. */
  asterisk: string;
  heartbeat: WorkerHeartbeat;
  store: CampaignStore;
  ari: AriClient;
  events: AriEventStream;
  /** Campaigns this worker serves now (only their calls are taken over). */
  campaignIds: () => string[];
  campaign: (id: string) => Promise<CampaignMeta>;
  dialQueue: (campaignId: string) => Queue;
  witnessed?: CallDeps['witnessed'];
  observer?: CallObserver;
  /** Stores an opt-out pressed during a message the follower plays (as the dial job does). */
  optOut?: (info: OptOutInfo) => Promise<boolean>;
  /** How often to look for dead workers' calls. @defaultValue 1000 */
  intervalMs?: number;
  log: Logger;
}

/** Takes a call mark from a dead worker for this one, only if it is still that worker's (one taker wins). */
const CLAIM = luaScript(
  'ariDialerClaimCall',
  1,
  `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local o = cjson.decode(v)
if o.worker ~= ARGV[2] then return 0 end
o.worker = ARGV[3]
o.takenOverFrom = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
return 1
`,
);

/**
 * Follows the calls of a worker that died (heartbeat expired) on the same Asterisk, seconds after its death rather
 * than at BullMQ's stalled check: subscribe our app to each live channel, continue a callee left waiting in Stasis,
 * and record the attempt exactly as the dead worker would have. Its BullMQ job re-runs later, finds the stored
 * result, and does only the idempotent rest (retry or webhook).
 */
export class Takeover {
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;
  private readonly following = new Set<string>();
  private readonly hangupAll = new AbortController();

  constructor(private readonly o: TakeoverOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.scan(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Calls being followed for dead workers. */
  get count(): number {
    return this.following.size;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const dead = new Set(await this.o.heartbeat.deadWorkers());
      if (dead.size === 0) return;
      const left = new Set<string>();
      for (const id of this.o.campaignIds()) {
        for (const mark of await this.o.store.inflight(id)) {
          if (!dead.has(mark.worker)) continue;
          left.add(mark.worker);
          const claimed = await runLua(this.o.store.redis, CLAIM, [this.o.store.keys.inflight(id)], [mark.channelId, mark.worker, this.o.name]);
          if (claimed === 1) void this.follow(id, mark);
        }
      }
      for (const w of dead) if (!left.has(w)) await this.o.heartbeat.forget(w);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'takeover scan failed; will retry');
    } finally {
      this.scanning = false;
    }
  }

  private async follow(campaignId: string, mark: InflightCall): Promise<void> {
    const log = this.o.log.child({ campaignId, channelId: mark.channelId, deadWorker: mark.worker });
    this.following.add(mark.channelId);
    try {
      const job = await this.o.dialQueue(campaignId).getJob(dialJobId(campaignId, mark.number, mark.attempt));
      if (!job) {
        log.warn("no job for a dead worker's call; left to the stalled-job check");
        return;
      }
      const data = assertDialJobData(job.data);
      const s = (await this.o.campaign(campaignId)).settings;
      log.warn({ since: mark.since, state: mark.state }, 'its worker died: following its call');
      const result = await runCall(
        {
          ari: this.o.ari,
          events: this.o.events,
          log,
          observer: this.o.observer,
          witnessed: this.o.witnessed,
          ...(this.o.optOut ? { optOut: () => this.o.optOut!({ campaignId, number: data.number, row: data.row, channelId: mark.channelId }) } : {}),
        },
        {
          ...attemptCallParams(data, s, mark.channelId, renderEndpoint(s.endpoint, data.number, data.vars ?? {}), this.o.asterisk),
          signal: this.hangupAll.signal,
          resume: true,
          resumeState: mark.state === 'answered' ? 'answered' : undefined,
        },
      );
      const rec = await recordAttemptResult({ store: this.o.store, campaign: this.o.campaign }, data, { ...result, source: result.source ?? 'takeover' });
      log.info({ disposition: rec.disposition, final: rec.final }, "dead worker's call settled");
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'takeover of a call failed; left to the stalled-job check');
    } finally {
      this.following.delete(mark.channelId);
    }
  }
}
