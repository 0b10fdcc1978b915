import { AMD_APP_VAR, AMD_ARGS_VAR, amdArgs } from './amd/amd-options.js';
import type { CallParams } from './call-options.js';
import type { DialplanPlace } from './message/message-options.js';
import type { ContinueTarget } from './transitions.js';

/** Where a `continue` without a place of its own goes: the AMD context, the machine's place, or the destination. */
export function placeOf(p: CallParams, to: ContinueTarget): DialplanPlace {
  const { amd } = p;
  if (to === 'amd' && amd) return { context: amd.context, extension: 's', priority: 1 };
  if (to === 'machine' && amd?.onMachine.action === 'continue') return amd.onMachine;
  return { context: p.context, extension: p.extension, priority: p.priority };
}

/** With AMD, the AMD context reads its arguments and our app's name from the channel (docs/amd-and-messages.md: the dialplan). */
export function originateVariables(p: CallParams, app: string): Record<string, string> | undefined {
  const { amd, variables } = p;
  if (!amd) return variables;
  return { ...variables, [AMD_ARGS_VAR]: amdArgs(amd.tunables), [AMD_APP_VAR]: app };
}
