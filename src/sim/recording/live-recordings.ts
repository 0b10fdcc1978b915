import { asteriskTimestamp, type SimChannel } from '../channel-model.js';
import type { AriEventBody, EventBus } from '../event-bus.js';
import { ariError, type RestResult } from '../http-io.js';
import type { Params } from '../params.js';
import type { ChannelRegistry } from '../registry.js';
import { audioFormat, type AudioFormat } from './audio-formats.js';
import type { StoredRecordings } from './stored-recordings.js';

/** What live recordings need from the simulator. */
export interface LiveRecordingsEnv {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  readonly store: StoredRecordings;
  /** Simulated ms → real ms (maxDurationSeconds is a simulated time, like every time a client gives). */
  scale(simMs: number): number;
}

type State = 'queued' | 'recording' | 'done' | 'canceled';

interface Live {
  readonly name: string;
  readonly format: AudioFormat;
  readonly channel: SimChannel;
  readonly maxDurationS: number;
  state: State;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

const IF_EXISTS = ['fail', 'overwrite', 'append'];
const TERMINATE_ON = ['none', 'any', '*', '#'];

/**
 * Recordings in progress (res/res_stasis_recording.c). `POST /channels/{id}/record` answers 201 `queued`; the
 * channel's control thread then starts writing (RecordingStarted) and goes on until the channel hangs up, leaves
 * Stasis, reaches maxDurationSeconds or is stopped: RecordingFinished with the whole seconds written
 * (main/app.c: ast_tellstream / 8000), and the file is in the store. A recording runs on the channel itself, so
 * recording a call past `continue` takes a snoop channel (snoops.ts), which stays in Stasis while the call goes on.
 */
export class LiveRecordings {
  private readonly live = new Map<string, Live>();

  constructor(private readonly env: LiveRecordingsEnv) {}

  /** POST /channels/{channelId}/record, in resource_channels.c's order of checks. */
  record(channelId: string, params: Params): RestResult {
    const maxDuration = params.int('maxDurationSeconds') ?? 0;
    if (maxDuration < 0) return ariError(400, 'max_duration_seconds cannot be negative');
    if ((params.int('maxSilenceSeconds') ?? 0) < 0) return ariError(400, 'max_silence_seconds cannot be negative');
    const entry = this.env.registry.get(channelId);
    if (!entry) return ariError(404, 'Channel not found');
    if (!entry.owner.inStasis(entry.channel)) return ariError(409, 'Channel not in Stasis application');
    if (!TERMINATE_ON.includes(params.str('terminateOn') ?? 'none') && !/^[0-9A-D]$/.test(params.str('terminateOn') ?? '')) {
      return ariError(400, 'terminateOn invalid');
    }
    const ifExists = params.str('ifExists') ?? 'fail';
    if (!IF_EXISTS.includes(ifExists)) return ariError(400, 'ifExists invalid');
    const format = audioFormat(params.str('format') ?? '');
    if (!format) return ariError(422, 'specified format is unknown on this system');
    const name = params.str('name');
    // stasis_app_control_record: EINVAL for an empty name, EPERM when the path would leave the recording directory.
    if (!name) return ariError(500, 'Error parsing request');
    if (name.split('/').includes('..')) return ariError(400, 'Recording name invalid');
    const exists = (ifExists === 'fail' && this.env.store.has(name)) || this.live.has(name);
    if (exists) return ariError(409, `Recording '${name}' already exists and can not be overwritten`);
    const rec: Live = { name, format, channel: entry.channel, maxDurationS: maxDuration, state: 'queued', startedAt: 0, timer: undefined };
    this.live.set(name, rec);
    this.env.registry.whenGone(channelId, () => this.finish(rec, 'done'));
    // The control thread picks the command up after the REST answer has gone out.
    setImmediate(() => this.begin(rec));
    return { status: 201, body: this.toJson(rec), headers: { Location: `/recordings/live/${encodeURIComponent(name)}` } };
  }

  /** GET /recordings/live/{name} */
  get(name: string): RestResult {
    const rec = this.live.get(name);
    return rec ? { status: 200, body: this.toJson(rec) } : ariError(404, 'Recording not found');
  }

  /** POST /recordings/live/{name}/stop and DELETE /recordings/live/{name} (cancel: the file is removed). */
  control(name: string, how: 'stop' | 'cancel'): RestResult {
    const rec = this.live.get(name);
    if (!rec) return ariError(404, 'Recording not found');
    if (rec.state !== 'recording') return ariError(409, 'Recording not in session');
    this.finish(rec, how === 'stop' ? 'done' : 'canceled');
    return { status: 204 };
  }

  /** Recordings of a channel that leaves Stasis stop there (the control's command queue ends). */
  stopAllOn(channel: SimChannel): void {
    for (const rec of [...this.live.values()]) if (rec.channel === channel) this.finish(rec, 'done');
  }

  /** Asterisk went away: what was written so far stays on disk; nobody hears of it. */
  vanishAll(): void {
    for (const rec of [...this.live.values()]) this.finish(rec, 'done', false);
  }

  private begin(rec: Live): void {
    if (rec.state !== 'queued') return;
    rec.state = 'recording';
    rec.startedAt = Date.now();
    this.publish(rec, 'RecordingStarted');
    if (rec.maxDurationS > 0) {
      rec.timer = setTimeout(() => this.finish(rec, 'done'), this.env.scale(rec.maxDurationS * 1000));
      rec.timer.unref();
    }
  }

  private finish(rec: Live, state: 'done' | 'canceled', announce = true): void {
    if (this.live.get(rec.name) !== rec) return;
    this.live.delete(rec.name);
    clearTimeout(rec.timer);
    const wasRecording = rec.state === 'recording';
    // Real time: a recording is as long as the call the client saw (its talk_s), whatever the time scale.
    const ms = wasRecording ? Math.min(Date.now() - rec.startedAt, rec.maxDurationS > 0 ? this.env.scale(rec.maxDurationS * 1000) : Infinity) : 0;
    rec.state = state;
    // No file opened (ast_writefile failed): main/app.c reports 0 s, and the recording still ends "done".
    const written = state === 'done' ? this.env.store.write(rec.name, rec.format, ms) : this.env.store.delete(rec.name) && false;
    // A recording that never started writing (the channel went first) still reports how it ended.
    if (announce) this.publish(rec, 'RecordingFinished', written ? Math.floor(ms / 1000) : 0);
  }

  private publish(rec: Live, type: 'RecordingStarted' | 'RecordingFinished', duration?: number): void {
    const body: AriEventBody = { type, timestamp: asteriskTimestamp(), recording: this.toJson(rec, duration) };
    this.env.bus.publish(rec.channel, body);
  }

  private toJson(rec: Live, duration?: number): Record<string, unknown> {
    return {
      name: rec.name,
      format: rec.format.name,
      state: rec.state,
      target_uri: `channel:${rec.channel.id}`,
      ...(duration !== undefined ? { duration } : {}),
    };
  }
}
