import type { RecordingSource, RecordingSources } from '../ari/recording-file.js';
import type { DialerConfig } from './config.js';

/**
 * Where each Asterisk's recordings are fetched from and deleted, by the name a result's `recording.asterisk`
 * carries: the config file's `asterisks` entries by name, and `default` for ARI_URL (what a worker without a
 * named Asterisk, `dial` and the demo write). Credentials as the workers use them; they never leave this process.
 */
export function recordingSourcesFrom(config: Pick<DialerConfig, 'asterisks' | 'ariUrl' | 'ariUser' | 'ariPassword'>): RecordingSources {
  const byName = new Map<string, RecordingSource>();
  for (const a of config.asterisks) byName.set(a.name, { url: a.url, user: a.user ?? config.ariUser, password: a.password ?? config.ariPassword });
  if (config.ariUrl && !byName.has('default')) byName.set('default', { url: config.ariUrl, user: config.ariUser, password: config.ariPassword });
  return (name) => byName.get(name);
}
