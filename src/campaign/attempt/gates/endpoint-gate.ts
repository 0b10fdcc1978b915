import { trunkFor, type Trunk } from '../../pacing/trunk.js';
import { renderEndpoint } from '../../../policy/campaign-settings.js';
import { GO, type Gate } from '../gate.js';

/** The endpoint this row dials, from the campaign's template and the row's fields, and the trunk it goes through. */
export const endpointGate =
  (deps: { trunks: readonly Trunk[] }): Gate =>
  (a) => {
    try {
      a.endpoint = renderEndpoint(a.settings.endpoint, a.data.number, a.data.vars ?? {});
    } catch (err) {
      // The row's own data: no retry can change it.
      return { kind: 'end', as: 'failed', message: (err as Error).message };
    }
    a.trunk = trunkFor(a.endpoint, deps.trunks);
    return GO;
  };
