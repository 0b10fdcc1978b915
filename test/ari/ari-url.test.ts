import { describe, expect, it } from 'vitest';
import { parseAriUrl } from '../../src/ari/ari-url.js';
import { backoffDelay } from '../../src/ari/backoff.js';

describe('parseAriUrl', () => {
  it.each([
    ['http://127.0.0.1:8088', '/ari'],
    ['http://127.0.0.1:8088/ari', '/ari'],
    ['http://127.0.0.1:8088/ari/', '/ari'],
    ['http://127.0.0.1:8088/asterisk/ari', '/asterisk/ari'],
    ['http://127.0.0.1:8088/asterisk', '/asterisk/ari'],
  ])('%s → %s', (raw, basePath) => {
    expect(parseAriUrl(raw).basePath).toBe(basePath);
  });

  it('takes credentials out of the URL and never shows them', () => {
    const u = parseAriUrl('http://dialer:s3cret@10.0.0.5:8088/ari');
    expect(u).toMatchObject({ user: 'dialer', password: 's3cret', origin: 'http://10.0.0.5:8088', wsOrigin: 'ws://10.0.0.5:8088' });
    expect(u.display).not.toContain('s3cret');
  });

  it('names the setting and hides a password in a bad URL', () => {
    expect(() => parseAriUrl('ftp://x')).toThrow(/ARI_URL/);
    expect(() => parseAriUrl('not a url with pass')).toThrow(/ARI_URL: not a URL/);
  });
});

describe('backoffDelay', () => {
  it('grows, stays within the jitter band and never exceeds the ceiling', () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(150);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(800);
    expect(backoffDelay(10, opts, () => 1)).toBe(1000);
  });
});
