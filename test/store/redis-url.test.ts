import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/ops/config.js';
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
    expect(parseRedisUrl('redis+sentinel://h1:26379/m').kind === 'sentinel' && parseRedisUrl('redis+sentinel://h1:26379/m')).toMatchObject({
      options: { db: 0 },
    });
  });

  it('says what is wrong', () => {
    expect(() => parseRedisUrl('redis+sentinel://h1:26379')).toThrow('redis+sentinel://[:password@]host1:26379,host2:26379/masterName');
    expect(() => parseRedisUrl('redis+sentinel://h1:99999/m')).toThrow('sentinel "h1:99999" is not host[:port]');
    expect(() => parseRedisUrl('redis+sentinel://h1/m?tls=1')).toThrow('unknown parameter "tls"');
    expect(() => parseRedisUrl('redis+sentinel://h1/m?db=x')).toThrow('db must be a whole number');
    expect(() => parseRedisUrl('http://h1')).toThrow('must start with redis://, rediss://, redis+sentinel:// or redis+cluster://');
    expect(() => parseRedisUrl('redis+cluster://h1:70000')).toThrow('cluster node "h1:70000" is not host[:port]');
    expect(() => parseRedisUrl('redis+cluster://h1/2')).toThrow('a Cluster URL looks like redis+cluster://');
    expect(() => parseRedisUrl('redis+cluster://h1?db=2')).toThrow('a Cluster URL takes no parameters');
  });

  it('reads a Cluster URL: the nodes to start from (default port 6379) and their credentials', () => {
    expect(parseRedisUrl('redis+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      options: { username: 'app', password: 'p@ss' },
    });
    expect(parseRedisUrl('redis+cluster://:pw@h1:7000/')).toMatchObject({ kind: 'cluster', options: { password: 'pw' } });
    expect(maskRedisUrl('redis+cluster://:pw@h1:7000,h2:7001')).toBe('redis+cluster://:***@h1:7000,h2:7001');
  });

  it('is how loadConfig checks REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://:pw@h1:26379,h2:26379/dialer' }).redisUrl).toBe('redis+sentinel://:pw@h1:26379,h2:26379/dialer');
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://h1:26379' })).toThrow(/REDIS_URL: a Sentinel URL looks like/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL: must start with/);
  });

  it("masks passwords, the sentinels' too", () => {
    expect(maskRedisUrl('redis+sentinel://:pw@h1,h2/m?db=1&sentinelPassword=sp')).toBe('redis+sentinel://:***@h1,h2/m?db=1&sentinelPassword=***');
  });
});
