/**
 * Replays a trace recorded against a real Asterisk 20 (test/sim/traces, copied verbatim from the lab's recordings)
 * against the simulator and lists every difference. Nothing expected is written by hand: requests, statuses, bodies
 * and events all come from the trace file.
 *
 * Requests are issued when the client in the trace issued them: right after the entry that precedes them (an event,
 * a response, or another request). Events are compared per stream (the originated channel, whose Dial events belong
 * to it, and the `;2` half of a Local channel) field by field; across streams, order is enforced only where the
 * trace's own Asterisk timestamps differ, because events of the two halves come from different Asterisk threads
 * and a millisecond or two tells nothing about their order (after-answer/dtmf_and_varset_after_continue.json has
 * the `;2` half's Answer 2 ms before the first Dial event, playback_press_in_stasis.json 1 ms after it).
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import WebSocket from 'ws';
import type { AriSim } from '../../src/sim/index.js';
import { type AriEvent, sleep } from './sim-client.js';
import { wsText } from '../../src/ari/ws-text.js';

interface TraceReq {
  method: string;
  url: string;
  auth?: string;
  body?: unknown;
  upgrade?: string;
}
interface TraceRes {
  method: string;
  url: string;
  status: number;
  body?: unknown;
}
type TraceEntry = { t_ms: number; dir: 'req'; data: TraceReq } | { t_ms: number; dir: 'res'; data: TraceRes } | { t_ms: number; dir: 'ws'; data: AriEvent };

type ChannelJson = { id: string; name: string; state: string; protocol_id: string } & Record<string, unknown>;

const TRACE_BASE = /^(?:http|ws):\/\/127\.0\.0\.1:8088\/ari/;

export function loadTrace(path: string): TraceEntry[] {
  return JSON.parse(readFileSync(path, 'utf8')) as TraceEntry[];
}

function channelOf(e: AriEvent): ChannelJson | undefined {
  return (e.channel ?? e.peer) as ChannelJson | undefined;
}

/** `peer` for the `;2` half of a Local channel, `main` for everything else (Dial events are about `;1`). */
function streamOf(e: AriEvent): string {
  return channelOf(e)?.name.endsWith(';2') ? 'peer' : 'main';
}

function nameShape(name: string): string {
  return name.replace(/-[0-9a-f]{8}(;[12])?$/, '-N$1');
}

function projectChannel(ch: ChannelJson | undefined): unknown {
  if (!ch) return undefined;
  return {
    keys: Object.keys(ch).join(','),
    name: nameShape(ch.name),
    state: ch.state,
    protocolIdEmpty: ch.protocol_id === '',
    caller: ch.caller,
    connected: ch.connected,
    accountcode: ch.accountcode,
    dialplan: unnumbered(ch.dialplan),
    language: ch.language,
  };
}

/** The fields compared for each event. RTP statistics values are random per call; their names are compared. */
function projectEvent(e: AriEvent): Record<string, unknown> {
  return {
    type: e.type,
    stream: streamOf(e),
    keys: Object.keys(e).join(','),
    channel: projectChannel(channelOf(e)),
    cause: e.cause,
    cause_txt: e.cause_txt,
    soft: e.soft,
    dialstatus: e.dialstatus,
    dialstring: e.dialstring,
    forward: e.forward,
    dialplan_app: e.dialplan_app,
    // App data may name a channel (NoOp(HUMANDEST ${CHANNEL})): its numeric suffix is Asterisk's counter.
    dialplan_app_data: unnumbered(e.dialplan_app_data),
    variable: e.variable,
    value: e.variable === 'STASISSTATUS' ? e.value : undefined,
    args: e.args,
    caller_presentation: e.caller_presentation,
    caller_presentation_txt: e.caller_presentation_txt,
    application: e.application,
  };
}

/** App data may name a channel (NoOp(HUMANDEST ${CHANNEL})): its numeric suffix is Asterisk's counter. */
function unnumbered(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/-[0-9a-f]{8}(;[12])/g, '-N$1');
  if (typeof v === 'object' && v !== null && 'app_data' in v) return { ...v, app_data: unnumbered(v.app_data) };
  return v;
}

function looksLikeChannel(v: unknown): v is ChannelJson {
  return typeof v === 'object' && v !== null && 'id' in v && 'name' in v && 'dialplan' in v;
}

/** Same keys, recursively (for bodies whose values legitimately differ, such as /asterisk/info). */
function sameShape(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return typeof a === typeof b;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return isDeepStrictEqual(ka, kb) && ka.every((k) => sameShape((a as never)[k], (b as never)[k]));
}

export interface ReplayOptions {
  /** Users the trace authenticates as must exist in the simulator (the lab used dialer/dialerpass). */
  timeoutMs?: number;
}

/** Replays `entries` against `sim`; returns the list of differences (empty when faithful). */
export async function replayTrace(entries: TraceEntry[], sim: AriSim, options: ReplayOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 8000);
  const simEvents: AriEvent[] = [];
  const sockets: WebSocket[] = [];
  const idMap = new Map<string, string>();
  const sent = new Set<number>();
  const answers = new Map<number, { status: number; body: unknown }>();
  let wake: () => void = () => {};
  let changed = new Promise<void>((r) => (wake = r));
  const notify = (): void => {
    wake();
    changed = new Promise<void>((r) => (wake = r));
  };
  const waitFor = async (pred: () => boolean, what: string): Promise<void> => {
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`replay timed out waiting for ${what}`);
      await Promise.race([changed, sleep(20)]);
    }
  };

  const traceEvents = entries.flatMap((e) => (e.dir === 'ws' ? [e.data] : []));
  const traceStreams = traceEvents.map(streamOf);
  const simStreamCount = (s: string): number => simEvents.filter((e) => streamOf(e) === s).length;

  // Pair each response with its request (same method and URL, first unanswered one).
  const resOf = new Map<number, number>();
  const reqOfRes = new Map<number, number>();
  entries.forEach((entry, i) => {
    if (entry.dir !== 'res') return;
    for (let j = 0; j < i; j++) {
      const r = entries[j]!;
      if (r.dir === 'req' && !resOf.has(j) && r.data.method === entry.data.method && r.data.url === entry.data.url) {
        resOf.set(j, i);
        reqOfRes.set(i, j);
        return;
      }
    }
    problems.push(`trace: response at ${i} has no request`);
  });

  const mapId = (traceId: string, simId: string, where: string): void => {
    const known = idMap.get(traceId);
    if (known === undefined) idMap.set(traceId, simId);
    else if (known !== simId) problems.push(`${where}: trace id ${traceId} maps to both ${known} and ${simId}`);
  };
  const onSimEvent = (e: AriEvent): void => {
    const s = streamOf(e);
    const k = simStreamCount(s);
    simEvents.push(e);
    const traceIndex = traceStreams.findIndex((ts, i) => ts === s && traceStreams.slice(0, i).filter((x) => x === s).length === k);
    const traced = traceIndex >= 0 ? channelOf(traceEvents[traceIndex]!) : undefined;
    const simCh = channelOf(e);
    if (traced && simCh) mapId(traced.id, simCh.id, `event ${e.type}`);
    notify();
  };

  const rewrite = (url: string): string => {
    const u = new URL(url.replace(TRACE_BASE, sim.url.replace(/^http/, url.startsWith('ws') ? 'ws' : 'http')));
    u.pathname = u.pathname
      .split('/')
      .map((seg) => {
        const decoded = decodeURIComponent(seg);
        return idMap.has(decoded) ? encodeURIComponent(idMap.get(decoded)!) : seg;
      })
      .join('/');
    return u.toString();
  };

  const issue = async (i: number, req: TraceReq): Promise<void> => {
    const url = rewrite(req.url);
    sent.add(i);
    notify();
    if (req.upgrade === 'websocket') {
      const answer = await new Promise<{ status: number; body: unknown }>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('message', (d) => onSimEvent(JSON.parse(wsText(d)) as AriEvent));
        ws.once('open', () => {
          sockets.push(ws);
          resolve({ status: 101, body: undefined });
        });
        ws.once('unexpected-response', (_q, res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        });
        ws.once('error', () => resolve({ status: 0, body: undefined }));
      });
      answers.set(i, answer);
      return notify();
    }
    const headers: Record<string, string> = {};
    const auth = /^basic (.*)$/.exec(req.auth ?? '');
    if (auth) headers.authorization = `Basic ${Buffer.from(auth[1]!).toString('base64')}`;
    let body: string | undefined;
    if (req.body !== null && req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const res = await fetch(url, { method: req.method, headers, body });
    const text = await res.text();
    answers.set(i, { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined });
    const traceRes = resOf.has(i) ? (entries[resOf.get(i)!]!.data as TraceRes) : undefined;
    const simBody = answers.get(i)!.body;
    if (traceRes && looksLikeChannel(traceRes.body) && looksLikeChannel(simBody)) {
      mapId(traceRes.body.id, simBody.id, `${req.method} ${req.url}`);
    }
    notify();
  };

  // A request also waits for every event the trace shows before it: the lab's client sent it after seeing them.
  // Counted once per request here, not on every poll of its cue.
  const eventsBefore = new Map<number, ReadonlyMap<string, number>>();
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.dir === 'req') eventsBefore.set(i, new Map(seen));
    else if (e.dir === 'ws') seen.set(streamOf(e.data), (seen.get(streamOf(e.data)) ?? 0) + 1);
  });
  // An event just before the request needs nothing more: eventsBefore covers its stream.
  const ready = (i: number): boolean => {
    for (const [s, n] of eventsBefore.get(i)!) if (simStreamCount(s) < n) return false;
    const prev = entries[i - 1];
    if (prev?.dir === 'req') return sent.has(i - 1);
    if (prev?.dir === 'res') return answers.has(reqOfRes.get(i - 1) ?? -1);
    return true;
  };

  const tasks = entries.flatMap((entry, i) =>
    entry.dir === 'req' ? [waitFor(() => ready(i), `the cue of request ${i}`).then(() => issue(i, entry.data))] : [],
  );
  try {
    await Promise.all(tasks);
    const streams = [...new Set(traceStreams)];
    await waitFor(() => streams.every((s) => simStreamCount(s) >= traceStreams.filter((x) => x === s).length), 'all events').catch((err: unknown) =>
      problems.push(String(err)),
    );
    await waitFor(() => sim.liveChannels().length === 0, 'all channels to be gone').catch((err: unknown) => problems.push(String(err)));
    await sleep(30); // anything extra the simulator would send
  } finally {
    for (const ws of sockets) ws.terminate();
  }

  compareAnswers(entries, resOf, answers, problems);
  compareEvents(traceEvents, simEvents, problems);
  return problems;
}

function compareAnswers(entries: TraceEntry[], resOf: Map<number, number>, answers: Map<number, { status: number; body: unknown }>, problems: string[]): void {
  for (const [reqIndex, resIndex] of resOf) {
    const req = entries[reqIndex]!.data as TraceReq;
    const expected = entries[resIndex]!.data as TraceRes;
    const got = answers.get(reqIndex);
    const label = `${req.method} ${req.url.replace(TRACE_BASE, '')}`;
    if (!got) {
      problems.push(`${label}: no answer`);
      continue;
    }
    if (got.status !== expected.status) problems.push(`${label}: status ${got.status}, trace ${expected.status}`);
    const want = expected.body ?? undefined;
    if (want === undefined) {
      if (got.body !== undefined) problems.push(`${label}: body ${JSON.stringify(got.body)}, trace has none`);
    } else if (looksLikeChannel(want)) {
      const a = projectChannel(got.body as ChannelJson);
      const b = projectChannel(want);
      if (!isDeepStrictEqual(a, b)) problems.push(`${label}: channel ${JSON.stringify(a)} != trace ${JSON.stringify(b)}`);
    } else if (expected.status >= 400) {
      if (!isDeepStrictEqual(got.body, want)) problems.push(`${label}: body ${JSON.stringify(got.body)} != trace ${JSON.stringify(want)}`);
    } else if (!sameShape(got.body, want)) {
      problems.push(`${label}: body shape ${JSON.stringify(got.body)} differs from trace ${JSON.stringify(want)}`);
    }
  }
}

function compareEvents(traceEvents: AriEvent[], simEvents: AriEvent[], problems: string[]): void {
  const streams = [...new Set([...traceEvents, ...simEvents].map(streamOf))];
  const position = new Map<AriEvent, number>(); // trace event → index of its sim counterpart
  for (const s of streams) {
    const t = traceEvents.filter((e) => streamOf(e) === s);
    const m = simEvents.filter((e) => streamOf(e) === s);
    if (t.length !== m.length) {
      problems.push(`${s}: ${m.length} events, trace ${t.length}\n  sim:   ${m.map((e) => e.type).join(',')}\n  trace: ${t.map((e) => e.type).join(',')}`);
    }
    for (let k = 0; k < Math.min(t.length, m.length); k++) {
      const a = projectEvent(m[k]!);
      const b = projectEvent(t[k]!);
      if (!isDeepStrictEqual(a, b)) {
        const diff = Object.keys(b).filter((key) => !isDeepStrictEqual(a[key], b[key]));
        problems.push(`${s} #${k} ${b.type as string}: ${diff.map((d) => `${d}=${JSON.stringify(a[d])} (trace ${JSON.stringify(b[d])})`).join('; ')}`);
      }
      position.set(t[k]!, simEvents.indexOf(m[k]!));
    }
  }
  for (let i = 0; i < traceEvents.length; i++) {
    for (let j = i + 1; j < traceEvents.length; j++) {
      const a = traceEvents[i]!;
      const b = traceEvents[j]!;
      if (streamOf(a) === streamOf(b) || closeInTime(a, b)) continue;
      const pa = position.get(a);
      const pb = position.get(b);
      if (pa !== undefined && pb !== undefined && pa > pb) {
        problems.push(`order: ${a.type}(${streamOf(a)}) must come before ${b.type}(${streamOf(b)})`);
      }
    }
  }
}

/** Events of the two halves stamped within 2 ms of each other: different Asterisk threads, no order to enforce. */
function closeInTime(a: AriEvent, b: AriEvent): boolean {
  const ta = Date.parse(String(a.timestamp).replace(/\+0000$/, 'Z'));
  const tb = Date.parse(String(b.timestamp).replace(/\+0000$/, 'Z'));
  return a.timestamp === b.timestamp || (Number.isFinite(ta) && Number.isFinite(tb) && Math.abs(ta - tb) <= 2);
}
