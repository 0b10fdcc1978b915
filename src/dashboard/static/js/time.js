// Times with date and zone everywhere, in one zone the user picks: the browser's, UTC, or the calling window's zone
// of the campaign on screen. Kept in localStorage (per user and browser); forms read and write in the same zone.
import { h, setAttr, setText } from './dom.js';

const KEY = 'ari-dialer.zone';
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
let campaignZone;

export const zoneMode = () => {
  const v = localStorage.getItem(KEY);
  return v === 'utc' || v === 'campaign' ? v : 'browser';
};

export function setZoneMode(mode) {
  localStorage.setItem(KEY, mode);
  refreshTimes();
}

/** The calling window's zone of the campaign on screen (undefined elsewhere). */
export function setCampaignZone(zone) {
  if (zone === campaignZone) return;
  campaignZone = zone;
  if (zoneMode() === 'campaign') refreshTimes();
}

/** The IANA zone times are shown in now. */
export function activeZone() {
  const m = zoneMode();
  if (m === 'utc') return 'UTC';
  if (m === 'campaign' && campaignZone) return campaignZone;
  return BROWSER_ZONE;
}

export const browserZone = () => BROWSER_ZONE;

const formats = new Map();
function parts(ms, zone) {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formats.set(zone, f);
  }
  const o = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

/** "2026-12-01 13:18:54 EST" in the active zone; '' for no time. */
export function fmt(iso, zone = activeZone()) {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso ?? '');
  if (!Number.isFinite(ms)) return '';
  const p = parts(ms, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone === 'UTC' ? 'UTC' : p.timeZoneName}`;
}

/** A <time> element that follows the zone switch. */
export function timeEl(iso) {
  const el = h('time', { class: 't' });
  setTime(el, iso);
  return el;
}

export function setTime(el, iso) {
  setAttr(el, 'datetime', iso || undefined);
  setText(el, fmt(iso));
}

/** Re-renders every time on the page in the active zone, and says which zone that is. */
export function refreshTimes() {
  for (const el of document.querySelectorAll('time.t')) setText(el, fmt(el.getAttribute('datetime')));
  for (const el of document.querySelectorAll('.zone-name')) setText(el, activeZone());
  window.dispatchEvent(new CustomEvent('dialer:zone'));
}

/** ISO time → a datetime-local value in the active zone. */
export function toInput(iso, zone = activeZone()) {
  if (!iso) return '';
  const p = parts(Date.parse(iso), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A datetime-local value read in the active zone → ISO UTC (null for empty). */
export function fromInput(value, zone = activeZone()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || '');
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at that moment: guess, then correct once (enough except inside a DST gap).
  let t = wall - offset(wall, zone);
  t = wall - offset(t, zone);
  return new Date(t).toISOString();
}

function offset(ms, zone) {
  const p = parts(ms, zone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}
