/**
 * Request parameters as ARI reads them: the query string, then the JSON body on top (res_ari_*.c parse the body
 * after the query, so a body field wins). `variables` only comes from the body.
 */
export class Params {
  private readonly values = new Map<string, string>();
  private readonly vars: Array<[string, string]> = [];

  constructor(query: URLSearchParams, body: unknown) {
    for (const [k, v] of query) if (!this.values.has(k)) this.values.set(k, v);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (k === 'variables') {
        this.readVariables(v);
      } else if (typeof v === 'string') {
        this.values.set(k, v);
      } else if (typeof v === 'number' || typeof v === 'boolean') {
        this.values.set(k, String(v));
      } else if (Array.isArray(v)) {
        // allowMultiple parameters (eventSource) may come as JSON arrays.
        this.values.set(k, v.map(String).join(','));
      }
    }
  }

  /** A parameter's value; undefined when absent (an empty value counts as absent, as ast_strlen_zero does). */
  str(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  /** An integer parameter, as atoi would read it; undefined when absent or not a number. */
  int(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) ? undefined : n;
  }

  /** A comma-separated (allowMultiple) parameter. */
  list(name: string): string[] {
    return (this.str(name) ?? '').split(',').filter((s) => s !== '');
  }

  /** Channel variables from the body: `{"K": "V"}` or `{"K": {"value": "V"}}`. */
  variables(): ReadonlyArray<readonly [string, string]> {
    return this.vars;
  }

  private readVariables(v: unknown): void {
    if (v === null || typeof v !== 'object') return;
    const inner = (v as Record<string, unknown>).variables;
    const source = inner !== null && typeof inner === 'object' ? inner : v;
    for (const [k, val] of Object.entries(source as Record<string, unknown>)) {
      if (typeof val === 'string') this.vars.push([k, val]);
      else if (val !== null && typeof val === 'object' && typeof (val as { value?: unknown }).value === 'string') {
        this.vars.push([k, (val as { value: string }).value]);
      }
    }
  }
}
