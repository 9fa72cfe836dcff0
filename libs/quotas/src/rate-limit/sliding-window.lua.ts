/**
 * Sliding-window log, run atomically inside Redis so one EVALSHA is one decision.
 *
 * Why a sliding log rather than GCRA: the limit we sell is "N per window", and a log enforces
 * exactly that over every rolling window (GCRA lets up to 2N-1 through in a window after an
 * idle period, a fixed window lets 2N through across a boundary). The price is memory: one
 * sorted-set member per admitted request, so at most `max` members per key, which is small
 * for per-tenant API limits (hundreds to a few thousand per window).
 *
 * KEYS[1] sorted set: member "<seq>:<cost>", score = admission time (ms, Redis clock)
 * KEYS[2] hash: used (sum of costs in the window), seq (member counter)
 * ARGV: max, windowMs, cost
 * Returns {allowed (0|1), remaining, resetAt, retryAfterMs}.
 *
 * The clock is Redis's TIME, so every API instance judges against the same clock.
 */
export const SLIDING_WINDOW_LUA = `
local log, state = KEYS[1], KEYS[2]
local max, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local horizon = now - window

local used = tonumber(redis.call('HGET', state, 'used') or '0')
local expired = redis.call('ZRANGEBYSCORE', log, '-inf', horizon)
if #expired > 0 then
  for i = 1, #expired do
    used = used - tonumber(string.match(expired[i], ':(%d+)$'))
  end
  redis.call('ZREMRANGEBYSCORE', log, '-inf', horizon)
  if used < 0 then used = 0 end
end

if used + cost <= max then
  local seq = redis.call('HINCRBY', state, 'seq', 1)
  redis.call('ZADD', log, now, seq .. ':' .. cost)
  used = used + cost
  redis.call('HSET', state, 'used', used)
  redis.call('PEXPIRE', log, window)
  redis.call('PEXPIRE', state, window)
  return {1, max - used, now + window, 0}
end

if #expired > 0 then redis.call('HSET', state, 'used', used) end
-- Denied: walk from the oldest entry until enough units would have left the window.
local need = used + cost - max
local freed, retryAt, offset = 0, now, 0
while freed < need do
  local batch = redis.call('ZRANGE', log, offset, offset + 63, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    freed = freed + tonumber(string.match(batch[i], ':(%d+)$'))
    retryAt = tonumber(batch[i + 1]) + window
    if freed >= need then break end
  end
  offset = offset + 64
end
local newest = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
local resetAt = now
if #newest > 0 then resetAt = tonumber(newest[2]) + window end
local retryAfter = retryAt - now
if retryAfter < 1 then retryAfter = 1 end
return {0, max - used, resetAt, retryAfter}
`;
