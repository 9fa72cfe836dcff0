/**
 * Concurrency slots as a sorted set: member = lease id, score = expiry (ms, Redis clock).
 * Lapsed leases are dropped before counting, which is what frees slots of crashed holders.
 */

/** KEYS[1] slots; ARGV: max, ttlMs, leaseId. Returns {acquired, active, expiresAt}. */
export const ACQUIRE_SLOT_LUA = `
local slots = KEYS[1]
local max, ttl, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
local active = redis.call('ZCARD', slots)
if active >= max then return {0, active, 0} end
redis.call('ZADD', slots, now + ttl, id)
if redis.call('PTTL', slots) < ttl then redis.call('PEXPIRE', slots, ttl) end
return {1, active + 1, now + ttl}
`;

/** KEYS[1] slots; ARGV: leaseId, ttlMs. Returns the new expiry, or 0 if the lease had lapsed. */
export const EXTEND_SLOT_LUA = `
local slots = KEYS[1]
local id, ttl = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', slots, id)
if not score or tonumber(score) <= now then return 0 end
redis.call('ZADD', slots, 'XX', now + ttl, id)
if redis.call('PTTL', slots) < ttl then redis.call('PEXPIRE', slots, ttl) end
return now + ttl
`;
