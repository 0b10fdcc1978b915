import { randomUUID } from 'node:crypto';
import type { ParsedEndpoint } from './technologies.js';

/** A caller or connected-line party as ARI shows it. */
export interface CallerId {
  name: string;
  number: string;
}

/** Where a channel is in the dialplan, and which application it runs there. */
export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

/** Where `continue` (or an originate to an extension) sends a channel. */
export interface DialplanTarget {
  context: string;
  exten: string;
  priority: number;
}

/** Channel states as ARI spells them (`ast_state2str`). */
export type ChannelState = 'Down' | 'Rsrvd' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy';

/** The ARI `Channel` model, with the fields (and key order) Asterisk 20 sends. */
export interface Channel {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
}

/**
 * Asterisk's timestamp format: milliseconds and a numeric zone without colon (`2026-11-26T00:22:18.803+0000`).
 * The simulated server runs in UTC.
 */
export function asteriskTimestamp(ms: number = Date.now()): string {
  // Dozens of events share a millisecond under load; formatting once per ms is measurably cheaper.
  if (ms !== lastStampMs) {
    lastStampMs = ms;
    lastStamp = new Date(ms).toISOString().replace('Z', '+0000');
  }
  return lastStamp;
}
let lastStampMs = Number.NaN;
let lastStamp = '';

/** The app a dialled channel shows until something else runs on it. */
export const OUTGOING_APP: Readonly<Pick<DialplanCep, 'app_name' | 'app_data'>> = {
  app_name: 'AppDial2',
  app_data: '(Outgoing Line)',
};

/**
 * One simulated channel's mutable state. It is deliberately a plain object: thousands live at once under benchmark
 * load, and a snapshot is built only when an event or a REST answer needs one.
 */
export class SimChannel {
  state: ChannelState;
  readonly dialplan: DialplanCep;
  /** Stasis applications subscribed to this channel's events (by name). */
  readonly subscribers = new Set<string>();
  /** Channel variables set at originate (`variables`), kept for completeness. */
  readonly variables = new Map<string, string>();

  constructor(
    readonly id: string,
    readonly name: string,
    state: ChannelState,
    readonly protocolId: string,
    readonly caller: Readonly<CallerId>,
    dialplan: DialplanCep,
    readonly createdAt: number,
    /** `;2` half of a Local channel: the side that runs the callee's dialplan. */
    readonly isLocalPeer: boolean,
  ) {
    this.state = state;
    this.dialplan = dialplan;
  }

  /** Moves the dialplan pointer (and the running app) in one go, as ChannelDialplan events show it. */
  setDialplan(patch: Partial<DialplanCep>): void {
    Object.assign(this.dialplan, patch);
  }

  toJSON(): Channel {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: this.protocolId,
      caller: { name: this.caller.name, number: this.caller.number },
      connected: { name: this.caller.name, number: this.caller.number },
      accountcode: '',
      dialplan: { ...this.dialplan },
      creationtime: asteriskTimestamp(this.createdAt),
      language: 'en',
    };
  }
}

/**
 * Hands out unique ids (`<epoch seconds>.<global sequence>`, as Asterisk does) and channel-name sequence numbers (a
 * counter per technology, 8 hex digits). A restart starts both again, like a fresh Asterisk process.
 */
export class ChannelIds {
  private seq = 0;
  private readonly nameSeq = new Map<string, number>();

  nextUniqueId(now: number = Date.now()): string {
    return `${Math.floor(now / 1000)}.${this.seq++}`;
  }

  nextNameSuffix(tech: string): string {
    const n = this.nameSeq.get(tech) ?? 0;
    this.nameSeq.set(tech, n + 1);
    return n.toString(16).padStart(8, '0');
  }

  reset(): void {
    this.seq = 0;
    this.nameSeq.clear();
  }
}

/** `callerId` as Asterisk parses it: `"Name" <number>`, `Name <number>` or a bare number. */
export function parseCallerId(callerId: string | undefined): CallerId {
  if (!callerId) return { name: '', number: '' };
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(callerId);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: (m[3] ?? '').trim() };
  // A bare value is a number when it looks like one, otherwise a name (ast_callerid_parse).
  return /^[+\d*#\s()-]+$/.test(callerId) ? { name: '', number: callerId.replace(/[\s()-]/g, '') } : { name: callerId.trim(), number: '' };
}

/** protocol_id for a new channel of this endpoint's technology. */
export function protocolIdFor(endpoint: ParsedEndpoint): string {
  switch (endpoint.tech.protocolId) {
    case 'sip-call-id':
      // A Call-ID only has to be unique per call; Math.random is plenty and far cheaper than crypto per originate.
      return `${hex32()}${hex32()}${hex32()}${hex32()}@127.0.0.1:5060`;
    case 'uuid':
      return randomUUID();
    default:
      return '';
  }
}

function hex32(): string {
  return ((Math.random() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
}
