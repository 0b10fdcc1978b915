// The campaign store's Lua: each script one atomic step of the store (see CampaignStore for when each runs).
import { luaScript } from './lua-script.js';

/**
 * running|importing → paused (with why, or none), noting when (`pausedSince`, epoch ms) for the paused time that
 * SET_STATE adds up; 0 when the campaign was in any other state.
 */
export const PAUSE_IF_LIVE = luaScript(
  'ariDialerPauseIfLive',
  1,
  `
local s = redis.call('HGET', KEYS[1], 'state')
if s ~= 'running' and s ~= 'importing' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'paused', 'pausedSince', ARGV[4])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], 'pausedReason', ARGV[1], 'pausedBy', ARGV[2], 'pausedAt', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'pausedReason', 'pausedBy', 'pausedAt')
end
return 1
`,
);

/**
 * Sets a state other than paused (resume, cancel, a finished campaign given more numbers): forgets why it was
 * paused and adds the pause that ends now to `pausedMs`; a cancel notes when (ARGV[3]).
 */
export const SET_STATE = luaScript(
  'ariDialerSetState',
  1,
  `
local since = redis.call('HGET', KEYS[1], 'pausedSince')
if since then
  redis.call('HINCRBY', KEYS[1], 'pausedMs', math.max(0, tonumber(ARGV[2]) - tonumber(since)))
end
redis.call('HDEL', KEYS[1], 'pausedReason', 'pausedBy', 'pausedAt', 'pausedSince')
redis.call('HSET', KEYS[1], 'state', ARGV[1])
if ARGV[1] == 'cancelled' then redis.call('HSET', KEYS[1], 'cancelledAt', ARGV[3]) end
return 1
`,
);

/** Swaps a stored attempt for its marker, only if the attempt is there. */
export const MARK_SETTLED = luaScript(
  'ariDialerMarkSettled',
  1,
  `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`,
);

/** Marks a call in flight answered, only while it is still in flight (its result may already be stored). */
/** The in-flight mark says ringing, unless the call was answered already. */
export const MARK_RINGING = luaScript(
  'ariDialerMarkRinging',
  1,
  `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local o = cjson.decode(v)
if o.state == 'answered' then return 0 end
o.state = 'ringing'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
return 1
`,
);

export const MARK_ANSWERED = luaScript(
  'ariDialerMarkAnswered',
  1,
  `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local o = cjson.decode(v)
o.state = 'answered'
o.answeredAt = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
return 1
`,
);

/**
 * Stores an attempt once (keyed by channel id), moves it out of "in flight", counts it, and when it is the
 * number's final result, stores that once too and finishes the campaign when the last number is done.
 * Atomic, so a crash between steps cannot count twice or lose a result. A deleted campaign (no hash) stores nothing:
 * a call that outlived a forced delete must not bring its keys back.
 *
 * A campaign whose history lives in PostgreSQL (`history` = `pg`) keeps no attempts list and only a marker per final
 * in Redis: the record goes to the campaign's outbox the archiver drains, with the worker that held the call and
 * whether Redis took it as the number's final. It keeps the small tallies the dashboard shows instead (causes, ACD,
 * starts). ARGV[12], when given, is stored instead of the record: the settled marker of an attempt that leaves
 * nothing for its job to do (a final without a webhook), which spares the job a second step.
 *
 * The call's in-flight mark and any peer's witnessed end of it go in the same step: what Redis holds of calls is
 * bounded by the calls in flight, however many ended before. Counters are kept once: the attempts total is the sum
 * of the `attempt:X` fields, the outbox's length is the list's own.
 */
export const RECORD_ATTEMPT = luaScript(
  'ariDialerRecordAttempt',
  11,
  `
local meta = redis.call('HMGET', KEYS[6], 'state', 'history')
if not meta[1] then return 0 end
local hist = meta[2] == 'pg'
local stored = ARGV[2]
if hist and ARGV[12] ~= '' then stored = ARGV[12] end
if redis.call('HSETNX', KEYS[1], ARGV[1], stored) == 0 then
  -- Stored already (a takeover and a re-run job can both follow one call): a mark or a witness either left is stale.
  redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[11], ARGV[1])
  return 0
end
local worker = ''
if hist then
  local inf = redis.call('HGET', KEYS[4], ARGV[1])
  if inf then
    local ok, o = pcall(cjson.decode, inf)
    if ok and type(o) == 'table' and type(o.worker) == 'string' then worker = o.worker end
  end
else
  redis.call('RPUSH', KEYS[2], ARGV[2])
end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[11], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'attempt:' .. ARGV[3], 1)
redis.call('HINCRBY', KEYS[7], ARGV[7] .. ':a', 1)
if ARGV[6] == '1' then redis.call('HINCRBY', KEYS[7], ARGV[7] .. ':ans', 1) end
local finalStored = false
if ARGV[4] == '1' and redis.call('HSETNX', KEYS[5], ARGV[5], hist and '1' or ARGV[2]) == 1 then
  finalStored = true
  local done = redis.call('HINCRBY', KEYS[3], 'done', 1)
  redis.call('HINCRBY', KEYS[3], 'final:' .. ARGV[3], 1)
  if ARGV[13] ~= '' then redis.call('HINCRBY', KEYS[3], 'finalAmd:' .. ARGV[13], 1) end
  if meta[1] == 'running' and done >= tonumber(redis.call('HGET', KEYS[3], 'total') or '0') then
    redis.call('HSET', KEYS[6], 'state', 'finished', 'finishedAt', ARGV[8])
  end
end
if hist then
  redis.call('HINCRBY', KEYS[9], ARGV[9], 1)
  if ARGV[6] == '1' then
    redis.call('HINCRBY', KEYS[3], 'answeredCalls', 1)
    redis.call('HINCRBY', KEYS[3], 'answeredTalkMs', ARGV[10])
  end
  if ARGV[11] ~= '' then redis.call('HINCRBY', KEYS[10], ARGV[11], 1) end
  local fs = ''
  if finalStored then fs = ',"fs":1' end
  redis.call('RPUSH', KEYS[8], '{"k":"a","w":' .. cjson.encode(worker) .. fs .. ',"r":' .. ARGV[2] .. '}')
end
return 1
`,
);

/** Marks a running campaign finished once every number has its final result (after an import or a resume). */
export const CHECK_FINISHED = luaScript(
  'ariDialerCheckFinished',
  2,
  `
local state = redis.call('HGET', KEYS[2], 'state')
if state == ARGV[2] then redis.call('HSET', KEYS[2], 'state', 'running'); state = 'running' end
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
if done >= total and state == 'running' then
  redis.call('HSET', KEYS[2], 'state', 'finished', 'finishedAt', ARGV[1])
  return 'finished'
end
return state
`,
);

/** Final result for a number that was never (or never again) dialed, e.g. on cancel. */
export const RECORD_FINAL_ONLY = luaScript(
  'ariDialerRecordFinalOnly',
  4,
  `
local meta = redis.call('HMGET', KEYS[3], 'state', 'history')
if not meta[1] then return 0 end
local hist = meta[2] == 'pg'
if redis.call('HSETNX', KEYS[1], ARGV[1], hist and '1' or ARGV[2]) == 0 then return 0 end
if hist then redis.call('RPUSH', KEYS[4], '{"k":"f","fs":1,"r":' .. ARGV[2] .. '}') end
local done = redis.call('HINCRBY', KEYS[2], 'done', 1)
redis.call('HINCRBY', KEYS[2], 'final:' .. ARGV[3], 1)
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[2], 'notDialed:' .. ARGV[5], 1) end
if meta[1] == 'running' and done >= tonumber(redis.call('HGET', KEYS[2], 'total') or '0') then
  redis.call('HSET', KEYS[3], 'state', 'finished', 'finishedAt', ARGV[4])
end
return 1
`,
);
