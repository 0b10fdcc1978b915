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
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  // A field left out is "required", not "expected string, received undefined".
  const r = schema.safeParse(value, { error: (i) => (i.code === 'invalid_type' && i.input === undefined ? 'required' : undefined) });
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

/** The request body (`$.a.b`), its query (`?a`), or a JSON form field of it by name (`options.a.b`). */
type Where = 'body' | 'query' | { field: string };

function at(path: readonly PropertyKey[], where: Where): string {
  if (where === 'body') return jsonPath(path);
  if (where === 'query') return `?${path.map(String).join('.')}`;
  return `${where.field}${jsonPath(path).slice(1)}`;
}
