/**
 * What may fill a `{placeholder}` in an endpoint template. A CSV cell lands inside the dial string, so a cell such as
 * `evil@10.0.0.1:5060` would add a host to `PJSIP/{number}@{trunk}`, and `a/b` or `a&PJSIP/x` a second destination.
 * Only characters that cannot change where the call goes are allowed: letters, digits, `_ . + -`.
 */

/** `{name}` in a template: the same pattern renderEndpoint fills. */
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

const SAFE_VALUE = /^[A-Za-z0-9_.+-]+$/;

/** The column names a template fills, `number` left out (it is a checked phone number, not a free column). */
export function placeholderColumns(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) if (m[1] !== 'number') names.add(m[1]!);
  return [...names];
}

/** What is wrong with a value for a placeholder, or undefined when it is safe to put into a dial string. */
export function placeholderValueProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (SAFE_VALUE.test(value)) return undefined;
  const found = [...new Set(value.replace(/[A-Za-z0-9_.+-]/g, ''))].map(describeChar);
  return `${JSON.stringify(value)} may hold only letters, digits and _ . + - (found ${found.join(' ')})`;
}

/** Fills `{name}` placeholders through `valueOf`; exported for renderEndpoint, which owns the lookup rules. */
export function fillPlaceholders(template: string, valueOf: (name: string) => string): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => valueOf(name));
}

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(c) ? JSON.stringify(c) : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
