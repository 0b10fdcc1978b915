// One colour per disposition, everywhere (badges, charts, legends): defined once in app.css as --d-<DISPOSITION>.
export const DISPOSITIONS = ['ANSWERED', 'BUSY', 'NO_ANSWER', 'CONGESTION', 'REJECTED', 'FAILED', 'CANCELLED', 'UNKNOWN', 'ERROR', 'INTERRUPTED'];

const cache = new Map();
export function colorOf(name) {
  let c = cache.get(name);
  if (!c) {
    c = getComputedStyle(document.documentElement).getPropertyValue(`--d-${name}`).trim() || '#757575';
    cache.set(name, c);
  }
  return c;
}
