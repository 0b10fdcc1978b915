/** How a config file's list of named entries (`asterisks`, `trunks`) is described in problems. */
export interface NamedListSpec {
  /** The config file, for problem messages. */
  file: string;
  /** The list's key in the file: `asterisks`, `trunks`. */
  list: string;
  /** Keys an entry may have; any other is a problem naming it. */
  fields: readonly string[];
  /** What an entry holds, for the "must be a list of …" and "must be an object with …" messages. */
  shape: string;
}

/**
 * Walks a config file's list of named entries (untrusted input): the list itself, each entry an object with known
 * keys only and a unique name of letters, digits, `.`, `_` and `-`. `entry` checks the rest and returns the entry,
 * or undefined when it added problems. One problem per bad field, each naming the entry and the field.
 */
export function checkNamedList<T>(
  raw: unknown,
  spec: NamedListSpec,
  problems: string[],
  entry: (e: Record<string, unknown>, name: string, at: string) => T | undefined,
): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${spec.file}: ${spec.list}: must be a list of { ${spec.shape} }`);
    return [];
  }
  const out: T[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const at = `${spec.file}: ${spec.list}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${at}: must be an object with ${spec.shape}`);
      return;
    }
    const e = item as Record<string, unknown>;
    const before = problems.length;
    for (const key of Object.keys(e))
      if (!spec.fields.includes(key)) problems.push(`${at}: unknown key ${JSON.stringify(key)} (known: ${spec.fields.join(', ')})`);
    const name = e.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
      problems.push(`${at}.name: must be a name of letters, digits, ".", "_" or "-", got ${JSON.stringify(name)}`);
    } else if (seen.has(name)) {
      problems.push(`${at}.name: ${JSON.stringify(name)} is listed twice`);
    } else {
      seen.add(name);
    }
    const checked = entry(e, typeof name === 'string' ? name : '', at);
    if (checked !== undefined && problems.length === before) out.push(checked);
  });
  return out;
}
