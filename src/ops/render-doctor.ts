import type { CheckStatus, DoctorReport } from './doctor-check.js';

export const SYMBOL: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '⚠', skip: '–' };

/** One line per check (`✓ title: detail`), the fix indented below a ✗ or ⚠, and a closing count. */
export function renderDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${SYMBOL[c.status]} ${c.title}: ${c.detail}`);
    if (c.fix && (c.status === 'fail' || c.status === 'warn')) lines.push(`    → ${c.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push('');
  if (failed) lines.push(`${plural(failed, 'check')} failed${warned ? `, ${plural(warned, 'warning')}` : ''}.`);
  else lines.push(`All checks passed${warned ? ` (${plural(warned, 'warning')})` : ''}.`);
  return `${lines.join('\n')}\n`;
}
