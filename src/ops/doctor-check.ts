/**
 * `pass` ✓, `fail` ✗ (the exit code says so), `warn` ⚠ (works, but know what you risk), `skip` – (could not be
 * checked because something it needs failed, or not asked for).
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** Stable ids: scripts reading `doctor --json` branch on these, never on the wording. */
export const CHECK_IDS = [
  'ari.configured',
  'ari.reachable',
  'ari.auth',
  'ari.version',
  'ari.app',
  'ari.websocket',
  'ari.probe',
  'ari.amd',
  'ari.clock',
  'redis.reachable',
  'redis.version',
  'redis.persistence',
  'redis.maxmemory',
  'redis.cluster',
  'postgres.reachable',
  'postgres.schema',
  'postgres.write',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** One line of the doctor's report. */
export interface DoctorCheck {
  id: CheckId;
  /** The `asterisks` entry checked, when the config lists several. */
  server?: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about a ✗ or ⚠. */
  fix?: string;
}

export interface DoctorReport {
  /** True when no check failed (warnings and skips do not fail). */
  ok: boolean;
  checks: DoctorCheck[];
}

export const check = (id: CheckId, title: string, status: CheckStatus, detail: string, fix?: string): DoctorCheck => ({
  id,
  title,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

export const skipped = (id: CheckId, title: string, because: string): DoctorCheck => check(id, title, 'skip', `not checked: ${because}`);
