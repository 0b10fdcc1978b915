import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { maskRedisUrl, parseRedisUrl } from '../../src/store/redis-url.js';

describe('parseRedisUrl', () => {
  it('passes redis:// and rediss:// through to ioredis', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.5:6380/2')).toEqual({ kind: 'standalone', url: 'redis://:pw@10.0.0.5:6380/2' });
    expect(parseRedisUrl('rediss://cache.example:6380').kind).toBe('standalone');
  });

  it('reads a Sentinel URL: sentinels (default port 26379), master name, password, db, sentinel credentials', () => {
    const t = parseRedisUrl('redis+sentinel://:p%40ss@s1.example:26380,s2.example,[::1]:26381/mymaster?db=3&sentinelPassword=sp');
    expect(t).toMatchObject({
      kind: 'sentinel',
      masterName: 'mymaster',
      options: {
        name: 'mymaster',
        db: 3,
        password: 'p@ss',
        sentinelPassword: 'sp',
        sentinels: [
          { host: 's1.example', port: 26380 },
          { host: 's2.example', port: 26379 },
          { host: '::1', port: 26381 },
        ],
      },
    });
    expect(parseRedisUrl('redis+sentinel://app:pw@h1/m/5')).toMatchObject({ options: { username: 'app', password: 'pw', db: 5 } });
    expect(parseRedisUrl('redis+sentinel://h1:26379/m').kind === 'sentinel' && parseRedisUrl('redis+sentinel://h1:26379/m')).toMatchObject({ options: { db: 0 } });
  });

  it('says what is wrong', () => {
    expect(() => parseRedisUrl('redis+sentinel://h1:26379')).toThrow('redis+sentinel://[:password@]host1:26379,host2:26379/masterName');
    expect(() => parseRedisUrl('redis+sentinel://h1:99999/m')).toThrow('sentinel "h1:99999" is not host[:port]');
    expect(() => parseRedisUrl('redis+sentinel://h1/m?tls=1')).toThrow('unknown parameter "tls"');
    expect(() => parseRedisUrl('redis+sentinel://h1/m?db=x')).toThrow('db must be a whole number');
    expect(() => parseRedisUrl('http://h1')).toThrow('must start with redis://, rediss:// or redis+sentinel://');
  });

  it('is how loadConfig checks REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://:pw@h1:26379,h2:26379/dialer' }).redisUrl).toBe('redis+sentinel://:pw@h1:26379,h2:26379/dialer');
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://h1:26379' })).toThrow(/REDIS_URL: a Sentinel URL looks like/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL: must start with/);
  });

  it('masks passwords, the sentinels\' too', () => {
    expect(maskRedisUrl('redis+sentinel://:pw@h1,h2/m?db=1&sentinelPassword=sp')).toBe('redis+sentinel://:***@h1,h2/m?db=1&sentinelPassword=***');
  });
});
