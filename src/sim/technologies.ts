/**
 * Channel technologies the simulated Asterisk "has loaded". An originate to any other technology fails the way a real
 * Asterisk fails when no driver is registered: 500 `{"error":"Allocation failed"}`. Drivers a stock Asterisk does not
 * load (chan_dongle's `Dongle`, `Motif` without res_xmpp) are deliberately absent, so that failure can be tried.
 */

/** How a technology behaves in the simulation. */
export interface Technology {
  /** Canonical spelling, as it appears in channel names (`SIP/operator-00000005`). */
  readonly name: string;
  /** Local channels come in two halves (`;1` originated, `;2` running the dialplan). */
  readonly local: boolean;
  /**
   * Time from INVITE to the first provisional answer (100 Trying → 180 Ringing), before the simulation's time scale.
   * The traces show ~100 ms over chan_sip on loopback; a Local channel rings at once.
   */
  readonly setupMs: number;
  /** What `protocol_id` holds: a SIP Call-ID for SIP-ish drivers, empty otherwise. */
  readonly protocolId: 'sip-call-id' | 'uuid' | 'none';
  /** chan_sip sets RTPAUDIOQOS* variables when an answered call hangs up; the app sees them as ChannelVarset. */
  readonly rtpQosVars: boolean;
  /**
   * A media stream rather than a phone (chan_audiosocket, chan_rtp): the driver answers as soon as it is called, so
   * nothing rings and nothing is busy; only your own `rules` can say otherwise.
   */
  readonly answersAtOnce: boolean;
}

const TECHNOLOGIES: readonly Technology[] = [
  { name: 'Local', local: true, setupMs: 0, protocolId: 'none', rtpQosVars: false, answersAtOnce: false },
  { name: 'SIP', local: false, setupMs: 100, protocolId: 'sip-call-id', rtpQosVars: true, answersAtOnce: false },
  { name: 'PJSIP', local: false, setupMs: 100, protocolId: 'uuid', rtpQosVars: false, answersAtOnce: false },
  { name: 'IAX2', local: false, setupMs: 100, protocolId: 'none', rtpQosVars: false, answersAtOnce: false },
  { name: 'DAHDI', local: false, setupMs: 100, protocolId: 'none', rtpQosVars: false, answersAtOnce: false },
  // Loaded by a stock Asterisk 20 (chan_audiosocket, chan_rtp) and dialled by people who stream calls to a bot or
  // page over multicast: AudioSocket/host:port/uuid, MulticastRTP/basic/239.0.0.1:5004, UnicastRTP/10.0.0.5:4000.
  { name: 'AudioSocket', local: false, setupMs: 0, protocolId: 'none', rtpQosVars: false, answersAtOnce: true },
  { name: 'MulticastRTP', local: false, setupMs: 0, protocolId: 'none', rtpQosVars: false, answersAtOnce: true },
  { name: 'UnicastRTP', local: false, setupMs: 0, protocolId: 'none', rtpQosVars: false, answersAtOnce: true },
  // A made-up driver for demos that want neither SIP nor Local semantics in their names.
  { name: 'Sim', local: false, setupMs: 0, protocolId: 'none', rtpQosVars: false, answersAtOnce: false },
];

const BY_LOWER = new Map(TECHNOLOGIES.map((t) => [t.name.toLowerCase(), t]));

/** Technology names are matched without case, as `ast_get_channel_tech()` does. */
export function findTechnology(name: string): Technology | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/** An originate endpoint taken apart. */
export interface ParsedEndpoint {
  readonly tech: Technology;
  /** Everything after the first slash: `answer@sim`, `operator/busy`, `trunk/5551230006`. */
  readonly resource: string;
  /** What the Dial event reports as `dialstring` (the resource, as Asterisk passes it to the driver). */
  readonly dialstring: string;
  /** Channel name without the sequence suffix: `Local/answer@sim`, `SIP/operator`. */
  readonly namePrefix: string;
  /** Dialplan location the originated channel reports (Local: its own exten@context; others: default, ""). */
  readonly context: string;
  readonly exten: string;
}

export type EndpointProblem = 'missing' | 'no-slash' | 'unknown-technology';

/**
 * Splits `Tech/resource` as resource_channels.c does (first slash), then resolves the driver. The order of checks is
 * Asterisk's: missing endpoint, then missing tech or resource, then (later, at allocation) unknown technology.
 */
export function parseEndpoint(endpoint: string | undefined): ParsedEndpoint | EndpointProblem {
  if (endpoint === undefined || endpoint === '') return 'missing';
  const slash = endpoint.indexOf('/');
  if (slash <= 0 || slash === endpoint.length - 1) return 'no-slash';
  const tech = findTechnology(endpoint.slice(0, slash));
  if (!tech) return 'unknown-technology';
  const resource = endpoint.slice(slash + 1);
  if (tech.local) {
    // Local/exten@context[/options]: options such as /n do not show in the name.
    const target = resource.split('/')[0] ?? resource;
    const at = target.indexOf('@');
    const exten = at >= 0 ? target.slice(0, at) : target;
    const context = at >= 0 ? target.slice(at + 1) || 'default' : 'default';
    return {
      tech,
      resource,
      dialstring: resource,
      namePrefix: `${tech.name}/${exten}@${context}`,
      context,
      exten,
    };
  }
  // SIP/peer[/user]: the channel is named after the peer; the user only goes into the request URI.
  const peer = resource.split('/')[0] ?? resource;
  return { tech, resource, dialstring: resource, namePrefix: `${tech.name}/${peer}`, context: 'default', exten: '' };
}
