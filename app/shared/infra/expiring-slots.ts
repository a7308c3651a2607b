// Limited slots that free themselves (a carrier's calls, a user's calls): a sorted set of the
// holders, each scored by when its slot expires on Redis's clock, so every controller agrees.
// Expired slots are pruned before they are counted: a slot whose controller died without
// releasing it frees itself. KEYS[1] is the set.

// ARGV: holder, max, ttl ms. 1 when the holder got (or already had) a slot, 0 when `max` others
// hold one; a holder that has one keeps it with a later expiry rather than taking a second.
export const ACQUIRE_EXPIRING_SLOT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// ARGV: holder, ttl ms. Holds a slot whatever the limit: one the holder already had (adopted
// after a restart, or kept alive).
export const HOLD_EXPIRING_SLOT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
