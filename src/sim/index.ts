export { AriSim, type AriSimOptions } from './ari-sim.js';
export type { SimStats } from './stats.js';
export type { SimFaults } from './faults.js';
export type { Channel, CallerId, ChannelState, DialplanCep } from './channel-model.js';
export { OUTCOMES, KEYWORDS, LAST_DIGIT, type Outcome, type OutcomeMix, type SimRule } from './rules.js';
export { causeText } from './causes.js';
