import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAnswers } from '../../src/cli/private-redis.js';
import { findChromium } from '../helpers/find-chromium.js';
import { REDIS_URL } from '../helpers/redis-test.js';
import setupTestRedis from './test-redis.global.js';

/** What `npm test` sets up by itself: a private Redis when none is there, and Chromium wherever it usually is. */

describe('test Redis setup (vitest globalSetup)', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('hands its choice to every test file (and so to the workers they spawn) through TEST_REDIS_URL', () => {
    expect(saved.TEST_REDIS_URL).toBeDefined();
    expect(REDIS_URL).toBe(saved.TEST_REDIS_URL);
    if (saved.ARI_DIALER_TEST_REDIS === 'private') expect(REDIS_URL).not.toBe('redis://127.0.0.1:6379');
  });

  it('starts a private redis-server when told to (as when nothing answers at 6379), and stops it at the end', async () => {
    process.env = { ...saved, ARI_DIALER_TEST_REDIS: 'private' };
    delete process.env.TEST_REDIS_URL;
    delete process.env.REDIS_URL;
    const teardown = await setupTestRedis();
    const url = process.env.TEST_REDIS_URL;
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('redis://127.0.0.1:6379');
    expect(await redisAnswers(url!)).toBe(true);
    expect(teardown).toBeTypeOf('function');
    await teardown!();
    expect(await redisAnswers(url!)).toBe(false);
  });

  it('keeps a TEST_REDIS_URL it was given, and refuses a REDIS_URL that does not answer', async () => {
    process.env = { ...saved, TEST_REDIS_URL: 'redis://127.0.0.1:1' };
    expect(await setupTestRedis()).toBeUndefined();
    expect(process.env.TEST_REDIS_URL).toBe('redis://127.0.0.1:1');
    process.env = { ...saved, REDIS_URL: 'redis://:s3cret@127.0.0.1:1' };
    delete process.env.TEST_REDIS_URL;
    delete process.env.ARI_DIALER_TEST_REDIS;
    const err = await setupTestRedis().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/nothing answers at REDIS_URL/);
    expect(err?.message).not.toContain('s3cret');
  });
});

describe('findChromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const exe = (rel: string): string => {
    const file = join(dir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    return file;
  };
  const a = exe('a/chromium-browser');
  const b = exe('b/google-chrome');
  const named = exe('named/my-chrome');
  const usual = exe('usual/chromium');
  writeFileSync(join(dir, 'a/chromium'), 'not executable');

  it('takes CHROMIUM_PATH first, then chromium, chromium-browser, google-chrome on PATH, then the usual places', () => {
    const PATH = `${join(dir, 'b')}:${join(dir, 'a')}`;
    expect(findChromium({ PATH, CHROMIUM_PATH: named }, [usual])).toBe(named);
    expect(findChromium({ PATH }, [usual])).toBe(a);
    expect(findChromium({ PATH: join(dir, 'b') }, [usual])).toBe(b);
    expect(findChromium({ PATH: '' }, [join(dir, 'none'), usual])).toBe(usual);
  });

  it('finds nothing rather than another browser when CHROMIUM_PATH is wrong, or when none is installed', () => {
    expect(findChromium({ PATH: join(dir, 'a'), CHROMIUM_PATH: join(dir, 'missing') }, [usual])).toBeUndefined();
    expect(findChromium({ PATH: '' }, [join(dir, 'none')])).toBeUndefined();
  });
});
