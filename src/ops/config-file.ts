import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';

/** Keys a config file may hold besides the plain settings. */
const LIST_KEYS = ['asterisks', 'trunks', 'dashboardTokens'] as const;

/**
 * Reads a `.json`, `.yaml` or `.yml` config file into an object of known keys. Nothing in it is trusted: the values
 * are checked by `loadConfig`; here an unreadable file, a syntax error or an unknown key is a ConfigError naming it.
 */
export function readConfigFile(path: string, settingNames: readonly string[]): Record<string, unknown> {
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new ConfigError([`${path}: config files must end in .json, .yaml or .yml`]);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError([`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`}`]);
  }
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${path}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([`${path}: must hold an object of settings (key: value)`]);
  const known = [...settingNames, ...LIST_KEYS];
  const problems: string[] = [];
  for (const key of Object.keys(data)) {
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    problems.push(`${path}: unknown key ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return data as Record<string, unknown>;
}

/** The known key closest to a misspelt one: same letters ignoring case, `_` and `-`, or one edit away. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const k = norm(key);
  return known.find((c) => norm(c) === k) ?? known.find((c) => editDistance(norm(c), k) <= 2);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** yaml is required only when a YAML file is read: every command loads this module, few read YAML (and it is sync). */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}
