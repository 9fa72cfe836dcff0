/**
 * A request's admission in ONE Redis round trip: the caller's and the tenant's sliding-window
 * logs (the same algorithm as sliding-window.lua.ts, cost 1) and, for predictions, a
 * concurrency slot (concurrency.lua.ts). Nothing is counted unless all of them admit. Every key
 * carries the tenant's hash tag, so the script also runs on Redis Cluster (ElastiCache Serverless).
 *
 * KEYS: who log, who state, tenant log, tenant state, slots
 * ARGV: whoMax, tenantMax, windowMs, slotMax (0: no slot), slotTtlMs, leaseId
 * Returns {verdict (0 admitted, 1 who refused, 2 tenant refused, 3 no slot), limit, remaining, resetAt, retryAfterMs}
 * where limit/remaining/resetAt describe the tighter window (or the refusing one).
 */
export const ADMISSION_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local horizon = now - window

local function used_of(log, state)
  local used = tonumber(redis.call('HGET', state, 'used') or '0')
  local expired = redis.call('ZRANGEBYSCORE', log, '-inf', horizon)
  if #expired > 0 then
    for i = 1, #expired do used = used - tonumber(string.match(expired[i], ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', horizon)
    if used < 0 then used = 0 end
    redis.call('HSET', state, 'used', used)
  end
  return used
end

local function refusal(log, used, max, verdict)
  -- cost 1: a retry succeeds when the (used - max + 1)-th oldest entry has left the window
  local entry = redis.call('ZRANGE', log, used - max, used - max, 'WITHSCORES')
  local retryAt = now + 1
  if #entry > 0 then retryAt = tonumber(entry[2]) + window end
  local newest = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  local resetAt = now
  if #newest > 0 then resetAt = tonumber(newest[2]) + window end
  local retry = retryAt - now
  if retry < 1 then retry = 1 end
  return {verdict, max, max - used, resetAt, retry}
end

local whoMax, tenantMax = tonumber(ARGV[1]), tonumber(ARGV[2])
local whoUsed = used_of(KEYS[1], KEYS[2])
if whoUsed + 1 > whoMax then return refusal(KEYS[1], whoUsed, whoMax, 1) end
local tenantUsed = used_of(KEYS[3], KEYS[4])
if tenantUsed + 1 > tenantMax then return refusal(KEYS[3], tenantUsed, tenantMax, 2) end

local slotMax = tonumber(ARGV[4])
if slotMax > 0 then
  local ttl = tonumber(ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  if redis.call('ZCARD', KEYS[5]) >= slotMax then return {3, slotMax, 0, now + 1000, 1000} end
  redis.call('ZADD', KEYS[5], now + ttl, ARGV[6])
  if redis.call('PTTL', KEYS[5]) < ttl then redis.call('PEXPIRE', KEYS[5], ttl) end
end

local function admit(log, state)
  local seq = redis.call('HINCRBY', state, 'seq', 1)
  redis.call('ZADD', log, now, seq .. ':1')
  local used = redis.call('HINCRBY', state, 'used', 1)
  redis.call('PEXPIRE', log, window)
  redis.call('PEXPIRE', state, window)
  return used
end
whoUsed = admit(KEYS[1], KEYS[2])
tenantUsed = admit(KEYS[3], KEYS[4])
if tenantMax - tenantUsed < whoMax - whoUsed then return {0, tenantMax, tenantMax - tenantUsed, now + window, 0} end
return {0, whoMax, whoMax - whoUsed, now + window, 0}
`;
