import { HUMAN_WORD_MS, MACHINE_LEAD_MS, type SimAmdStatus } from './amd-model.js';
import type { ParsedEndpoint } from './technologies.js';

/**
 * What the callee does once it has answered (docs/simulator.md, "After the answer"). Deterministic, like the outcome
 * rules. Keys, first match wins:
 *  1. a SimRule's `press` (digits; '' presses nothing);
 *  2. a keyword in the endpoint's resource: `press<digits>` (`Local/press1@sim`), `silent`;
 *  3. a Local channel into the lab context `dtmfcallee`: the number's last digit (0: nothing), as the lab dialplan;
 *  4. the next-to-last digit of an answered number, when it is 1 or 9 (`5551230011` presses 1, `...0091` 9);
 *  5. nothing.
 * A Local channel into the lab context `amdcallee` plays a person's "Hello?" (number ending in 1) or a 15 s
 * voicemail greeting (ending in 2) on its `;2` half, as the lab's recordings show.
 */
export interface CalleeScript {
  /** Which lab dialplan the `;2` half runs: `plain` is Wait(talk) then the end of the dialplan. */
  readonly lab: 'plain' | 'dtmfcallee' | 'amdcallee';
  /** Digits pressed (one ChannelDtmfReceived each), '' for none. */
  readonly press: string;
  /** When the first key is pressed: simulated ms after the callee starts listening (the answer, or AMD's verdict). */
  readonly pressAtMs: number;
  /** amdcallee: the greeting is a voicemail's. */
  readonly machine: boolean;
  /** Voice the callee sends, [from, length] in simulated ms after the answer: what TALK_DETECT hears. */
  readonly voice: ReadonlyArray<readonly [number, number]>;
}

/** The lab's dtmfcallee: Wait(1.5) after the answer's 0.5 s, then SendDTMF. */
export const DEFAULT_PRESS_AT_MS = 1500;
/** A voicemail greeting's length when nothing says otherwise (the voice TALK_DETECT hears), simulated ms. */
export const DEFAULT_GREETING_MS = 8000;
/** Answer() waits up to 500 ms for media before returning; a Local `;2` shows its next app that much later. */
export const ANSWER_MEDIA_WAIT_MS = 500;
/** amdcallee: Wait(0.2) before the greeting. */
export const AMDCALLEE_WAIT_MS = 200;
/** amdcallee: how long after Playback() starts the greeting's voice begins, and how long it lasts (the lab trace). */
export const LAB_GREETING_VOICE: readonly [number, number] = [362, 13_299];
/** amdcallee: the person's "Hello?" (voice inside the 5.5 s file). */
export const LAB_HELLO_VOICE: readonly [number, number] = [300, 900];
/** amdcallee: Wait(5) after the greeting, then Hangup(). */
export const AMDCALLEE_AFTER_MS = 5000;
/** dtmfcallee: Wait(8) after the key. */
export const DTMFCALLEE_AFTER_MS = 8000;

export interface CalleeInput {
  endpoint: ParsedEndpoint;
  /** The whole endpoint string, for keywords. */
  endpointText: string;
  amd: SimAmdStatus;
  rulePress?: string;
  rulePressAtMs?: number;
  greetingMs?: number;
}

export function calleeScriptFor(i: CalleeInput): CalleeScript {
  const resource = i.endpointText.slice(i.endpointText.indexOf('/') + 1).toLowerCase();
  const at = resource.indexOf('@');
  const number = (at >= 0 ? resource.slice(0, at) : resource).replace(/\D/g, '');
  const labContext = i.endpoint.tech.local ? i.endpoint.context : '';
  const lab = labContext === 'dtmfcallee' ? 'dtmfcallee' : labContext === 'amdcallee' ? 'amdcallee' : 'plain';
  const machine = lab === 'amdcallee' ? number.endsWith('2') : i.amd === 'MACHINE';
  return {
    lab,
    press: pressFor(i, resource, number, lab),
    pressAtMs: i.rulePressAtMs ?? DEFAULT_PRESS_AT_MS,
    machine,
    voice: voiceFor(lab, machine, i),
  };
}

function pressFor(i: CalleeInput, resource: string, number: string, lab: CalleeScript['lab']): string {
  if (i.rulePress !== undefined) return i.rulePress;
  const kw = /press([0-9*#]+)/.exec(resource);
  if (kw) return kw[1]!;
  if (resource.includes('silent')) return '';
  if (lab === 'dtmfcallee') return number.endsWith('0') || number === '' ? '' : number.slice(-1);
  const nextToLast = number.length >= 2 ? number[number.length - 2]! : '';
  return nextToLast === '1' || nextToLast === '9' ? nextToLast : '';
}

function voiceFor(lab: CalleeScript['lab'], machine: boolean, i: CalleeInput): ReadonlyArray<readonly [number, number]> {
  if (lab === 'amdcallee') {
    const start = ANSWER_MEDIA_WAIT_MS + AMDCALLEE_WAIT_MS;
    const [from, len] = machine ? LAB_GREETING_VOICE : LAB_HELLO_VOICE;
    return [[start + from, len]];
  }
  if (machine) return [[MACHINE_LEAD_MS, i.greetingMs ?? DEFAULT_GREETING_MS]];
  if (i.amd === 'HUMAN') return [[0, HUMAN_WORD_MS]];
  return [];
}
