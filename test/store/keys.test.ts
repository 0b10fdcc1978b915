import { describe, expect, it } from 'vitest';
import { Keys, sentKey } from '../../src/store/keys.js';

/** The hash tag Redis Cluster hashes a key by: the first {…} with something inside, else the whole key. */
const tagOf = (key: string): string => /\{([^}]+)\}/.exec(key)?.[1] ?? key;

describe('Keys', () => {
  it("puts every key of a campaign, its BullMQ queues included, under the campaign's own hash tag", () => {
    const k = new Keys('ari-dialer');
    const perCampaign = [
      k.campaign('c1'),
      k.counters('c1'),
      k.numbers('c1'),
      k.attemptIds('c1'),
      k.attempts('c1'),
      k.finals('c1'),
      k.inflight('c1'),
      k.witnessed('c1'),
      k.outbox('c1'),
      k.archiverLock('c1'),
      k.feederLock('c1'),
      k.pacer('c1'),
      sentKey(k.pacer('c1')),
      k.holdBacks('c1'),
      k.timeline('c1'),
      k.causes('c1'),
      k.starts('c1'),
      `${k.bullPrefixFor('c1')}:${k.dialQueue('c1')}:wait`,
      `${k.bullPrefixFor('c1')}:${k.webhookQueue('c1')}:meta`,
    ];
    expect(new Set(perCampaign.map(tagOf))).toEqual(new Set(['c1']));
    for (const key of perCampaign) expect(key.startsWith(k.campaignScope('c1')) || key === k.campaign('c1')).toBe(true);
    expect(tagOf(k.counters('c2'))).toBe('c2');
    // Installation-wide keys each on a slot of their own; a worker's heartbeat beside the registry (read by MGET).
    expect(tagOf(k.campaigns)).toBe('campaigns');
    expect(tagOf(k.suppression)).toBe('suppression');
    expect(tagOf(k.alive('w1'))).toBe(tagOf(k.workers));
    expect(tagOf(k.trunkChannels('pstn'))).toBe(tagOf(k.trunkPacer('pstn')));
  });

  it('a prefix with a hash tag of its own keeps the earlier one-slot layout, key for key', () => {
    const k = new Keys('{ari-dialer}');
    expect(k.oneSlot).toBe(true);
    expect([
      k.campaign('c1'),
      k.counters('c1'),
      k.inflight('c1'),
      k.campaigns,
      k.workers,
      k.alive('w'),
      k.suppression,
      k.trunkPacer('t'),
      k.bullPrefixFor('c1'),
    ]).toEqual([
      '{ari-dialer}:c:c1',
      '{ari-dialer}:c:c1:counters',
      '{ari-dialer}:c:c1:inflight',
      '{ari-dialer}:campaigns',
      '{ari-dialer}:workers',
      '{ari-dialer}:alive:w',
      '{ari-dialer}:suppression',
      '{ari-dialer}:trunk:t:pacer',
      '{ari-dialer}:bull',
    ]);
  });

  it('says what is wrong with a prefix', () => {
    expect(() => new Keys('a b')).toThrow('prefix must be non-empty without spaces');
    expect(() => new Keys('ari{dialer')).toThrow('a brace is only allowed as a whole {hash tag}');
    expect(new Keys().prefix).toBe('ari-dialer');
  });
});
