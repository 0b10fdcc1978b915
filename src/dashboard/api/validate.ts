import type { z } from 'zod';
import { HttpError } from '../http-error.js';

/** One thing wrong with a request, where it is: `$.settings.cps` in the body, `?skipInvalid` in the query. */
export interface Problem {
  path: string;
  message: string;
}

/** A zod path as JSONPath from the body's root: `["variables", "x"]` → `$.variables.x`, `[3, "number"]` → `$[3].number`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/**
 * Checks a request part against its schema (the same schema the OpenAPI document shows): the parsed value, or a
 * 400 BAD_ARGUMENT listing every problem by its path (`{ error: { code, message, problems: [{ path, message }] } }`).
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems: Problem[] = r.error.issues.flatMap((i) => {
    // An unknown field is a problem of its own path, as a typo in it would be.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: at([...i.path, k], where), message: 'unknown field' }));
    return [{ path: at(i.path, where), message: i.message }];
  });
  throw badRequest(problems);
}

/** 400 BAD_ARGUMENT with the problems listed, and named in the message too (for a client that prints only it). */
export function badRequest(problems: readonly Problem[]): HttpError {
  const message = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new HttpError('BAD_ARGUMENT', message, { problems });
}

function at(path: readonly PropertyKey[], where: 'body' | 'query'): string {
  if (where === 'body') return jsonPath(path);
  return `?${path.map(String).join('.')}`;
}
