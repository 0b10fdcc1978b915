import { channelIdFor } from '../../dialer/channel-id.js';
import { luaScript, runLua, type RedisClient } from '../../store/lua-script.js';
import type { Keys } from '../../store/keys.js';
import type { ContactTable } from './contact-table.js';

/**
 * Drops the Redis marks of numbers whose final result is in PostgreSQL and no job of which is left. KEYS[1] the
 * finals hash, KEYS[2] attempt-ids; ARGV[1] the job key prefix, then per number: the number, its channel id without
 * the attempt digits, the attempt that ended it. Returns how many numbers were dropped.
 */
// The job keys it reads share the campaign's slot (BullMQ's prefix carries the campaign's hash tag, see Keys).
const SWEEP_SETTLED = luaScript(
  'ariDialerSweepSettled',
  2,
  `
local finals, ids = {}, {}
for i = 2, #ARGV, 3 do
  local n, ch, last = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local jobs = {}
  for a = 1, math.max(last, 1) do jobs[#jobs + 1] = ARGV[1] .. n .. '|a' .. a end
  if redis.call('EXISTS', unpack(jobs)) == 0 then
    finals[#finals + 1] = n
    for a = 1, last do ids[#ids + 1] = ch .. a end
  end
end
if #finals > 0 then redis.call('HDEL', KEYS[1], unpack(finals)) end
if #ids > 0 then redis.call('HDEL', KEYS[2], unpack(ids)) end
return #finals
`,
);

/**
 * A campaign whose history and list are in PostgreSQL keeps, per number dialed, a mark of its final in `finals` and
 * one of each attempt in `attempt-ids` (what stops a job that runs again from dialing again). Once the final is in
 * PostgreSQL and no job of that number is left in Redis, nothing can run for it again: the marks go, and Redis holds
 * only the numbers on their way (the hopper, calls in flight, results not yet archived), however long the list.
 * Readers of a result fall back to PostgreSQL (callStatus, reports). Returns how many numbers were dropped.
 */
export async function sweepSettled(o: { redis: RedisClient; keys: Keys; contacts: ContactTable }, campaignId: string, page = 1000): Promise<number> {
  const finalsKey = o.keys.finals(campaignId);
  const jobPrefix = `${o.keys.bullPrefixFor(campaignId)}:${o.keys.dialQueue(campaignId)}:${campaignId}|`;
  let swept = 0;
  let cursor = '0';
  do {
    const [next, kv] = await o.redis.hscan(finalsKey, cursor, 'COUNT', page);
    cursor = next;
    const numbers = kv.filter((_, i) => i % 2 === 0);
    const done = await o.contacts.finalAttempts(campaignId, numbers);
    if (!done.size) continue;
    const args = [...done].flatMap(([n, attempt]) => [n, channelIdFor({ campaignId, contactKey: n, attempt: 1 }).slice(0, -1), String(attempt)]);
    swept += Number(await runLua(o.redis, SWEEP_SETTLED, [finalsKey, o.keys.attemptIds(campaignId)], [jobPrefix, ...args]));
  } while (cursor !== '0');
  return swept;
}
