//! The Lua scripts that keep limit counters in Redis or Valkey.
//!
//! Each limit node a request reaches costs one script call (`EVALSHA`; the script
//! is loaded once per server, and again only if the server lost it), so a check
//! and its count happen atomically however many replicas share the counter.
//!
//! The scripts do the same arithmetic, in the same order, as the in-memory store,
//! so a simulation gives the same report with either store: counts and dollars are
//! IEEE doubles in Lua as in Rust, and they cross the wire as `%.17g` text, which
//! reads back to the same double. Time is the caller's (`ARGV`), never the
//! server's clock.
//!
//! Keys: `KEYS[1]` the counter (a string for fixed windows, a sorted set of events
//! for sliding ones), `KEYS[2]` a sliding counter's running sum, `KEYS[3]` the
//! route's event sequence. A sliding event is the member `SEQ:AMOUNT` (`SEQ` as 16
//! hex digits, so members of equal time sort in the order they were added) with
//! the event's time as its score.

/// Functions every script shares.
const PRELUDE: &str = r#"
local function fmt(x) return string.format('%.17g', x) end

-- Drops the events at or before `cutoff` (inclusive, as the memory store does),
-- subtracting their amounts from the running sum in the order they were added.
local function expire(zkey, skey, cutoff)
  local sum = tonumber(redis.call('GET', skey) or '0')
  local old = redis.call('ZRANGEBYSCORE', zkey, '-inf', cutoff)
  if #old == 0 then return sum end
  for i = 1, #old do
    sum = sum - tonumber(string.sub(old[i], 18))
  end
  redis.call('ZREMRANGEBYSCORE', zkey, '-inf', cutoff)
  if redis.call('EXISTS', zkey) == 0 then
    redis.call('DEL', skey)
    return 0
  end
  redis.call('SET', skey, fmt(sum), 'KEEPTTL')
  return sum
end

local function add_event(zkey, skey, seqkey, now, amount, sum, ttl)
  local seq = redis.call('INCR', seqkey)
  redis.call('ZADD', zkey, now, string.format('%016x', seq) .. ':' .. fmt(amount))
  redis.call('SET', skey, fmt(sum + amount), 'EX', ttl)
  redis.call('EXPIRE', zkey, ttl)
end
"#;

/// A rate limit's admission: returns the count used before this request, and
/// counts the request when that was below the limit.
/// `ARGV`: mode (`fixed`|`sliding`), limit, now, cutoff (`now - window`), ttl.
pub(crate) const ADMIT: &str = r#"
local limit = tonumber(ARGV[2])
if ARGV[1] == 'fixed' then
  local used = tonumber(redis.call('GET', KEYS[1]) or '0')
  if used < limit then
    redis.call('SET', KEYS[1], fmt(used + 1), 'EX', ARGV[5])
  end
  return fmt(used)
end
local used = expire(KEYS[1], KEYS[2], ARGV[4])
if used < limit then
  add_event(KEYS[1], KEYS[2], KEYS[3], ARGV[3], 1, used, ARGV[5])
end
return fmt(used)
"#;

/// What a limit has used in the window that holds `now` (a budget's settled cost).
/// `ARGV`: mode, cutoff.
pub(crate) const USED: &str = r#"
if ARGV[1] == 'fixed' then
  return fmt(tonumber(redis.call('GET', KEYS[1]) or '0'))
end
return fmt(expire(KEYS[1], KEYS[2], ARGV[2]))
"#;

/// Adds `amount` at `now` (a budget's settled cost).
/// `ARGV`: mode, amount, now, ttl.
pub(crate) const ADD: &str = r#"
local amount = tonumber(ARGV[2])
if ARGV[1] == 'fixed' then
  local used = tonumber(redis.call('GET', KEYS[1]) or '0')
  redis.call('SET', KEYS[1], fmt(used + amount), 'EX', ARGV[4])
  return fmt(used + amount)
end
local sum = tonumber(redis.call('GET', KEYS[2]) or '0')
add_event(KEYS[1], KEYS[2], KEYS[3], ARGV[3], amount, sum, ARGV[4])
return fmt(sum + amount)
"#;

/// A script's full text: the shared prelude, then its body.
pub(crate) fn source(body: &str) -> String {
    let mut s = String::with_capacity(PRELUDE.len() + body.len());
    s.push_str(PRELUDE);
    s.push_str(body);
    s
}
