import { BadArgumentError } from '../../errors.js';

/** A dialplan place a key (or the end of the message) sends the call to. */
export interface DialplanPlace {
  context: string;
  extension: string;
  priority: number;
}

/** What a listed key does: continue at a dialplan place, opt out, hang up, or play the message again. */
export type PressAction = { do: 'continue'; place: DialplanPlace } | { do: 'optout' } | { do: 'hangup' } | { do: 'replay' };

/** What happens when the message ends with no listed key: the campaign's destination, a place, or a hangup. */
export type NoPressAction = { do: 'destination' } | { do: 'continue'; place: DialplanPlace } | { do: 'hangup' };

/** A message played by the dialer in Stasis once the callee answered (docs/after-answer.md). */
export interface MessageOptions {
  /** ARI media URIs, played in order (`sound:`, `recording:`, `digits:`, `number:`). Empty: no human message. */
  media: readonly string[];
  /** How many times the list is played. @defaultValue 1 */
  repeat: number;
  /** Key → action; a key not listed is recorded and ignored. @defaultValue {} */
  press: Readonly<Record<string, PressAction>>;
  /** @defaultValue destination without `press` rules, else hangup */
  noPress: NoPressAction;
  /** Seconds to wait for a key once the message has ended (with `press` rules). @defaultValue 5 */
  pressWaitS: number;
  /** Played after an opt-out, before the hangup. @defaultValue none */
  optoutMessage?: string;
  /** With AMD: played to a machine once its greeting ended (voicemail drop). @defaultValue none */
  machineMessage?: readonly string[];
  /** Longest wait for a machine's greeting to end before its message plays anyway. @defaultValue 20 */
  beepWaitS: number;
  /**
   * Longest one `sound:` or `recording:` item may take from its play to its PlaybackFinished; then it counts as not
   * played. Asterisk never finishes a `recording:` that does not exist (nor an unknown scheme): without a bound the
   * callee would hear silence until hanging up. `digits:` and `number:` get a bound from their length (ITEM_BOUND).
   * Set it above your longest item. @defaultValue 120
   */
  itemMaxS: number;
}

/** ARI's media schemes a message may use (res/res_stasis_playback.c play_on_channel). */
export const MEDIA_SCHEMES = ['sound', 'recording', 'digits', 'number'] as const;

/**
 * The bound of a said item: Asterisk plays one prompt per digit (`digits:`) or per word (`number:`, at most two
 * words a digit), each well under a second; `perCharMs` leaves a wide margin for a slow or loaded system.
 */
export const ITEM_BOUND = { baseMs: 5000, perCharMs: 2000 } as const;

/** How long `media` may take from its play to its PlaybackFinished before it counts as not played. */
export function itemBoundMs(media: string, itemMaxS: number): number {
  const cap = itemMaxS * 1000;
  const colon = media.indexOf(':');
  const scheme = media.slice(0, colon);
  if (scheme !== 'digits' && scheme !== 'number') return cap;
  return Math.min(cap, ITEM_BOUND.baseMs + ITEM_BOUND.perCharMs * (media.length - colon - 1));
}

/** Keys a callee can press. */
const KEY = /^[0-9*#]$/;
/** Context and extension names: what a dialplan accepts without quoting, and nothing that could add an argument. */
const DIALPLAN_NAME = /^[A-Za-z0-9_.+#*-]{1,80}$/;
/** What may follow a scheme: no comma (it separates media), nothing that could reach another URL parameter. */
const MEDIA_REST = /^[A-Za-z0-9_./+#*-]{1,200}$/;

/** One media URI, checked; `flag` names the option in the error. */
export function parseMedia(text: string, flag: string): string {
  const t = text.trim();
  const colon = t.indexOf(':');
  const scheme = colon > 0 ? t.slice(0, colon) : '';
  if (!(MEDIA_SCHEMES as readonly string[]).includes(scheme)) {
    throw new BadArgumentError(flag, `"${t}": a media URI starts with ${MEDIA_SCHEMES.map((s) => `${s}:`).join(', ')}`);
  }
  const rest = t.slice(colon + 1);
  if (!MEDIA_REST.test(rest)) throw new BadArgumentError(flag, `"${t}": the name after "${scheme}:" may hold letters, digits and _ . / + # * - only`);
  if (scheme === 'digits' && !/^[0-9*#]+$/.test(rest)) throw new BadArgumentError(flag, `"${t}": digits: takes 0-9, * and #`);
  // Asterisk reads number: with sscanf("%30d"): anything else plays nothing and never finishes.
  if (scheme === 'number' && !/^[0-9]{1,9}$/.test(rest)) throw new BadArgumentError(flag, `"${t}": number: takes a whole number of at most 9 digits`);
  return `${scheme}:${rest}`;
}

/** `MEDIA[,MEDIA…]`, or a list of them. */
export function parseMediaList(input: unknown, flag: string): string[] {
  const parts = (Array.isArray(input) ? (input as unknown[]) : [input]).flatMap((x): unknown[] => (typeof x === 'string' ? x.split(',') : [x]));
  const out = parts.map((p) => {
    if (typeof p !== 'string' || p.trim() === '') throw new BadArgumentError(flag, 'must name at least one media URI (e.g. sound:my-message)');
    return parseMedia(p, flag);
  });
  if (out.length === 0) throw new BadArgumentError(flag, 'must name at least one media URI (e.g. sound:my-message)');
  if (out.length > 20) throw new BadArgumentError(flag, 'at most 20 media URIs');
  return out;
}

function parsePlace(text: string, flag: string, what: string): DialplanPlace {
  const [context, extension, prio, ...rest] = text.split(',').map((x) => x.trim());
  const priority = Number(prio);
  if (rest.length || !context || !extension || !DIALPLAN_NAME.test(context) || !DIALPLAN_NAME.test(extension) || !Number.isInteger(priority) || priority < 1) {
    throw new BadArgumentError(flag, `"${what}": the action must be CONTEXT,EXTEN,PRIO (e.g. sales,s,1), optout, hangup or replay`);
  }
  return { context, extension, priority };
}

/** `KEY=ACTION` (or `{key, action}`). */
export function parsePressRule(input: unknown): [string, PressAction] {
  const text =
    typeof input === 'string'
      ? input
      : typeof input === 'object' && input !== null
        ? `${String((input as { key?: unknown }).key)}=${String((input as { action?: unknown }).action)}`
        : '';
  const eq = text.indexOf('=');
  if (eq < 0) throw new BadArgumentError('--press', `"${text}": must be KEY=ACTION (e.g. 1=sales,s,1 or 9=optout)`);
  const key = text.slice(0, eq).trim();
  const action = text.slice(eq + 1).trim();
  if (!KEY.test(key)) throw new BadArgumentError('--press', `"${text}": the key must be one of 0-9, * or #`);
  const word = action.toLowerCase();
  if (word === 'optout' || word === 'hangup' || word === 'replay') return [key, { do: word }];
  return [key, { do: 'continue', place: parsePlace(action, '--press', text) }];
}

/** `destination` (alias `continue`), `hangup`, or CONTEXT,EXTEN,PRIO. */
export function parseNoPress(input: unknown): NoPressAction {
  if (typeof input !== 'string' || input.trim() === '') throw new BadArgumentError('--no-press', 'must be destination, hangup or CONTEXT,EXTEN,PRIO');
  const word = input.trim().toLowerCase();
  if (word === 'destination' || word === 'continue') return { do: 'destination' };
  if (word === 'hangup') return { do: 'hangup' };
  if (!input.includes(',')) throw new BadArgumentError('--no-press', `"${input}": must be destination, hangup or CONTEXT,EXTEN,PRIO`);
  return { do: 'continue', place: parsePlace(input, '--no-press', input) };
}

/** The raw form (CLI flags, campaign settings JSON, Redis): every field optional but `media` or `machineMessage`. */
export interface MessageInput {
  media?: unknown;
  repeat?: unknown;
  press?: unknown;
  noPress?: unknown;
  pressWaitS?: unknown;
  optoutMessage?: unknown;
  machineMessage?: unknown;
  beepWaitS?: unknown;
  itemMaxS?: unknown;
}

function number(v: unknown, flag: string, min: number, max: number, dflt: number, whole: boolean): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    throw new BadArgumentError(flag, `must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * Checks a message from the CLI, the HTTP API or Redis (`unknown` until here). Every error names the flag:
 * a media URI without a known scheme, a key outside 0-9*#, a key listed twice, an action that is neither a
 * dialplan place nor a known word, `--press` without `--message`. Returns undefined when nothing is asked for.
 */
export function parseMessageOptions(input: MessageInput | undefined): MessageOptions | undefined {
  if (!input) return undefined;
  const has = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
  if (!has(input.media) && !has(input.machineMessage)) {
    for (const [field, flag] of [
      ['press', '--press'],
      ['noPress', '--no-press'],
      ['repeat', '--message-repeat'],
      ['optoutMessage', '--optout-message'],
      ['pressWaitS', '--press-wait'],
    ] as const) {
      if (has(input[field])) throw new BadArgumentError(flag, 'needs --message');
    }
    if (has(input.beepWaitS)) throw new BadArgumentError('--beep-wait', 'needs --machine-message');
    if (has(input.itemMaxS)) throw new BadArgumentError('--message-item-max', 'needs --message or --machine-message');
    return undefined;
  }
  const media = has(input.media) ? parseMediaList(input.media, '--message') : [];
  const press: Record<string, PressAction> = {};
  const rules =
    input.press === undefined || input.press === null
      ? []
      : Array.isArray(input.press)
        ? input.press
        : typeof input.press === 'object'
          ? Object.entries(input.press).map(([key, action]) => `${key}=${pressText(action)}`)
          : [input.press];
  if (rules.length && !media.length) throw new BadArgumentError('--press', 'needs --message');
  for (const rule of rules) {
    const [key, action] = parsePressRule(rule);
    if (Object.hasOwn(press, key)) throw new BadArgumentError('--press', `key ${key} is listed twice`);
    press[key] = action;
  }
  if (has(input.optoutMessage) && !Object.values(press).some((a) => a.do === 'optout'))
    throw new BadArgumentError('--optout-message', 'needs a --press KEY=optout rule');
  const noPress = has(input.noPress) ? parseNoPress(input.noPress) : rules.length ? { do: 'hangup' as const } : { do: 'destination' as const };
  return {
    media,
    repeat: number(input.repeat, '--message-repeat', 1, 10, 1, true),
    press,
    noPress,
    pressWaitS: number(input.pressWaitS, '--press-wait', 0, 60, 5, false),
    ...(has(input.optoutMessage) ? { optoutMessage: parseMedia(String(input.optoutMessage), '--optout-message') } : {}),
    ...(has(input.machineMessage) ? { machineMessage: parseMediaList(input.machineMessage, '--machine-message') } : {}),
    beepWaitS: number(input.beepWaitS, '--beep-wait', 1, 120, 20, false),
    itemMaxS: number(input.itemMaxS, '--message-item-max', 0.2, 3600, 120, false),
  };
}

/** The CLI form of an action (what `parsePressRule` reads back). */
export function pressText(a: unknown): string {
  if (typeof a === 'string') return a;
  const o = a as PressAction | NoPressAction;
  if (o && typeof o === 'object' && 'do' in o) {
    if (o.do === 'continue') return `${o.place.context},${o.place.extension},${o.place.priority}`;
    return o.do;
  }
  return String(a);
}
