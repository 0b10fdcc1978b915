/**
 * What a media URI does when the simulated Asterisk plays it (res/res_stasis_playback.c play_on_channel):
 * - `plays`: PlaybackStarted, then PlaybackFinished `done` after `ms` (simulated);
 * - `fails`: PlaybackStarted then at once PlaybackFinished `failed` (a `sound:` file that does not exist:
 *   ast_control_streamfile returns an error);
 * - `skipped`: PlaybackStarted and nothing else, ever (a scheme Asterisk does not know, a `recording:` that does not
 *   exist, a `number:` that is not a number: the loop `continue`s past playback_final_update, see the trace
 *   playback_missing_sound_and_bad_media.json). The playback is gone once the next one may start.
 */
export type MediaPlan = { kind: 'plays'; ms: number } | { kind: 'fails' } | { kind: 'skipped' };

/** Sounds with a known length, simulated ms (the lab's files, and Asterisk's stock prompts a demo uses). */
export const SOUND_MS: Readonly<Record<string, number>> = {
  'lab/human-hello': 5500,
  'lab/machine-greeting': 15_000,
  'hello-world': 1500,
  'tt-monkeys': 9000,
  beep: 250,
  'vm-goodbye': 1000,
  'demo-congrats': 12_000,
};

/** A `sound:` not in SOUND_MS (nor in the simulator's `sounds` option) plays this long. */
export const DEFAULT_SOUND_MS = 3000;

/** Time per said digit or character (`digits:`, `number:`, `characters:`): ast_say_* plays one file each. */
export const SAY_MS_PER_CHAR = 600;

/** A `sound:` whose name contains one of these does not exist (as a missing file on a real system). */
const MISSING_MARKERS = ['no-such', 'missing'];

/**
 * Decides what playing `uri` does. `sounds` (AriSimOptions.sounds) adds or overrides sounds by name: a number is
 * its length in simulated ms, `null` a file that does not exist. `recordings` names stored recordings (ms each).
 */
export function mediaPlan(uri: string, sounds: Readonly<Record<string, number | null>>, recordings?: (name: string) => number | undefined): MediaPlan {
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon) : '';
  const rest = uri.slice(colon + 1);
  switch (scheme) {
    case 'sound': {
      if (Object.hasOwn(sounds, rest)) {
        const ms = sounds[rest];
        return ms === null || ms === undefined ? { kind: 'fails' } : { kind: 'plays', ms };
      }
      if (MISSING_MARKERS.some((m) => rest.includes(m))) return { kind: 'fails' };
      return { kind: 'plays', ms: SOUND_MS[rest] ?? DEFAULT_SOUND_MS };
    }
    case 'recording': {
      const ms = recordings?.(rest);
      return ms === undefined ? { kind: 'skipped' } : { kind: 'plays', ms };
    }
    case 'number':
      // sscanf("%30d"): a leading number is enough; none at all is skipped.
      return /^\s*[-+]?\d/.test(rest) ? { kind: 'plays', ms: SAY_MS_PER_CHAR * String(Number.parseInt(rest, 10)).length } : { kind: 'skipped' };
    case 'digits':
    case 'characters':
      return { kind: 'plays', ms: SAY_MS_PER_CHAR * rest.length };
    case 'tone':
      return { kind: 'plays', ms: DEFAULT_SOUND_MS };
    default:
      return { kind: 'skipped' };
  }
}
