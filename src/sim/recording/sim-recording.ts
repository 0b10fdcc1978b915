import type { ChannelIds } from '../channel-model.js';
import type { EventBus } from '../event-bus.js';
import { ariError, NO_CONTENT, ok, type RestResult } from '../http-io.js';
import type { Params } from '../params.js';
import type { ChannelRegistry } from '../registry.js';
import { LiveRecordings } from './live-recordings.js';
import { Snoops } from './snoops.js';
import { StoredRecordings, toJson } from './stored-recordings.js';

/** Faults of the recording side a test can switch on (see AriSim.recordingFaults). */
export interface SimRecordingFaults {
  /** The disk is full: recordings start and finish (duration 0), but Asterisk writes no file. */
  diskFull: boolean;
  /** Snoop channels cannot be created: 500 "Snoop channel could not be created". */
  snoopRefused: boolean;
}

export interface SimRecordingEnv {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  readonly ids: ChannelIds;
  /** The simulator's time scale (simulated ms × scale = real ms). */
  readonly timeScale: number;
}

type Handler = (params: Params, vars: Readonly<Record<string, string>>) => RestResult;

/**
 * Snoop channels, live recordings and the recording directory of the simulated Asterisk, and their REST
 * resources (res/ari/resource_channels.c snoop and record, res/ari/resource_recordings.c).
 */
export class SimRecording {
  readonly store = new StoredRecordings();
  readonly live: LiveRecordings;
  readonly snoops: Snoops;
  readonly faults: SimRecordingFaults;

  constructor(env: SimRecordingEnv) {
    const store = this.store;
    const faults = { snoopRefused: false };
    this.faults = {
      get diskFull() {
        return store.diskFull;
      },
      set diskFull(on: boolean) {
        store.diskFull = on;
      },
      get snoopRefused() {
        return faults.snoopRefused;
      },
      set snoopRefused(on: boolean) {
        faults.snoopRefused = on;
      },
    };
    this.live = new LiveRecordings({
      bus: env.bus,
      registry: env.registry,
      store,
      scale: (ms) => ms * env.timeScale,
    });
    this.snoops = new Snoops({ bus: env.bus, registry: env.registry, ids: env.ids, recordings: this.live, refused: () => faults.snoopRefused });
  }

  /** Asterisk went away: recordings keep what they wrote, snoops vanish, nobody is told. */
  vanishAll(): void {
    this.live.vanishAll();
    this.snoops.vanishAll();
  }

  /** The REST handlers, by `METHOD template` (merged into the simulator's routes). */
  handlers(): Array<[string, Handler]> {
    const { store, live, snoops } = this;
    const notFound = (): RestResult => ariError(404, 'Recording not found');
    return [
      ['POST channels/{channelId}/snoop', (p, v) => snoops.snoop(v.channelId!, p)],
      ['POST channels/{channelId}/snoop/{snoopId}', (p, v) => snoops.snoop(v.channelId!, p, v.snoopId)],
      ['POST channels/{channelId}/record', (p, v) => live.record(v.channelId!, p)],
      ['GET recordings/live/{recordingName}', (_p, v) => live.get(v.recordingName!)],
      ['POST recordings/live/{recordingName}/stop', (_p, v) => live.control(v.recordingName!, 'stop')],
      ['DELETE recordings/live/{recordingName}', (_p, v) => live.control(v.recordingName!, 'cancel')],
      ['GET recordings/stored', () => ok(store.list())],
      [
        'GET recordings/stored/{recordingName}',
        (_p, v) => {
          const e = store.get(v.recordingName!);
          return e ? ok(toJson(e)) : notFound();
        },
      ],
      ['DELETE recordings/stored/{recordingName}', (_p, v) => (store.delete(v.recordingName!) ? NO_CONTENT : notFound())],
      // Served from an fd by ast_http_send: 200 and the whole file, whatever Range says (no 206 in main/http.c).
      [
        'GET recordings/stored/{recordingName}/file',
        (_p, v) => {
          const file = store.file(v.recordingName!);
          return file ? { status: 200, file } : notFound();
        },
      ],
    ];
  }
}
