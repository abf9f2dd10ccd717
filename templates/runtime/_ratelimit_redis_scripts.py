"""The Lua scripts behind `RedisRateLimiter` (`_ratelimit_redis.py`).

Each limiter step is one script, run atomically against the Redis server's own clock (`TIME`),
so the clocks of the client machines do not matter. Times cross the wire as ages ("seconds
before the script's now"), measured by whoever knows them, so no two clocks are compared.

Keys (all in one Redis Cluster hash slot, `{<key_prefix>}`):

* `{prefix}:w:<scope>:<requests>/<per>`: sorted set of every request the window knows of
  (planned slots, starts, responses), one member per request, score on the Redis clock;
* `{prefix}:s:<scope>:<requests>/<per>`: the requests that really started (score: start,
  then response time);
* `{prefix}:f:<scope>:<requests>/<per>`: the requests in flight (started, not yet answered;
  score: start), dropped `MAX_IN_FLIGHT` after their start if nobody reports them;
* `{prefix}:hold:<scope>`: hold-until on the Redis clock;
* `{prefix}:members`: the participants registry: one member per limiter instance, scored with
  its last contact; members silent for longer than the participant TTL are dropped;
* `{prefix}:shares`: per participant, the smallest number of participants it may divide the
  quota by if it loses Redis (0: it never goes on alone), so the others know what to keep free
  for it (`"<divisor>:<answered>:<answers>"`, see `heartbeat`);
* `{prefix}:seq`: counter that makes members unique.

A participant silent for longer than `quiet` seconds may have lost Redis and be going on alone at
its share (`_ratelimit_failover.py`): every window keeps that share free for it, in the plans and
the start checks of all the others, until it answers again or its registration expires.
"""

from ._ratelimit_redis_heartbeat import _HEARTBEAT
from ._ratelimit_window import MAX_IN_FLIGHT

# KEYS: seq, members, shares, hold keys (ARGV[2] of them), then per window: planned log, started
# log, in flight. ARGV: mode (reserve | start | complete | cancel), number of hold keys, member
# (for reserve chosen by the client, so that it can cancel one whose reply it never got),
# planned start (start) or seconds since the response (complete), participant id, participant
# TTL, view lookahead (seconds), quiet (seconds), held (1: responses are reported, so a request
# counts until it is answered), divisor (see `heartbeat`: "<n>@<answered>", or "0" for one that
# raises when Redis fails), then per window: requests, span (seconds, margin included).
# reserve / start return {delay, start, member, reason, started, participants, answered, view...}:
# numbers as strings, reason -i for hold key i, +w for window w, 0 for none; started 1 when the
# request may go; answered: the Redis time of this reply. Then one view per window (see `view`).
SCRIPT = (
    """
local mode = ARGV[1]
local holds = tonumber(ARGV[2])
local member = ARGV[3]
local participant = ARGV[5]
local ttl = tonumber(ARGV[6])
local lookahead = tonumber(ARGV[7])
local quiet = tonumber(ARGV[8])
local held, divisor = ARGV[9] == '1', ARGV[10]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local count = (#KEYS - 3 - holds) / 3

local function fmt(x) return string.format('%.17g', x) end
local function wkey(w) return KEYS[holds + 1 + 3 * w] end
local function skey(w) return KEYS[holds + 2 + 3 * w] end
local function fkey(w) return KEYS[holds + 3 + 3 * w] end
local function size(w) return tonumber(ARGV[9 + 2 * w]) end
local function span(w) return tonumber(ARGV[10 + 2 * w]) end
"""
    + _HEARTBEAT
    + """
for w = 1, count do
  local cut = fmt(now - span(w))
  redis.call('ZREMRANGEBYSCORE', wkey(w), '-inf', cut)
  redis.call('ZREMRANGEBYSCORE', skey(w), '-inf', cut)
  redis.call('ZREMRANGEBYSCORE', fkey(w), '-inf', fmt(now - MAX_IN_FLIGHT))
end

-- Per window, the requests the others may start: the quota less the share of every participant
-- silent for longer than `quiet` (it may be going on alone at that share). Reserve and start only.
local participants = 0
local limits = {}
if mode == 'reserve' or mode == 'start' then
  participants = heartbeat(KEYS[2], KEYS[3], participant, ttl, divisor)
  local silent = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. fmt(now - quiet))
  local divisors = {}
  if #silent > 0 then
    for _, v in ipairs(redis.call('HMGET', KEYS[3], unpack(silent))) do
      local d = v and tonumber(string.match(v, '^(%d+):')) or participants
      if d > 0 then divisors[#divisors + 1] = d end  -- 0: it never goes on alone
    end
  end
  for w = 1, count do
    local free = size(w)
    for _, d in ipairs(divisors) do free = free - math.max(1, math.floor(size(w) / d)) end
    limits[w] = math.max(1, free)
  end
end
local function limit(w) return limits[w] end

local function expire(w, t)
  local ms = math.ceil((t - now + span(w)) * 1000) + 1000
  for _, key in ipairs({wkey(w), skey(w)}) do
    if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
  end
end

local function place(t, started)
  for w = 1, count do
    redis.call('ZADD', wkey(w), fmt(t), member)
    if started then redis.call('ZADD', skey(w), fmt(t), member) end
    expire(w, t)
    if started and held then
      redis.call('ZADD', fkey(w), fmt(t), member)
      local ms = math.ceil((MAX_IN_FLIGHT + span(w)) * 1000) + 1000
      if redis.call('PTTL', fkey(w)) < ms then redis.call('PEXPIRE', fkey(w), ms) end
    end
  end
end

local function hold_until(t)
  local best, which = t, 0
  for i = 1, holds do
    local v = tonumber(redis.call('GET', KEYS[3 + i]) or '')
    if v and v > best then best, which = v, i end
  end
  return best, which
end

-- What this process needs of window w to go on alone (see _ratelimit_failover.py): its share,
-- the newest `share` entries up to now and the earliest `share` planned for later (up to now +
-- lookahead), each in up to 8 steps: "past|ahead|planned", past steps "age:count" (the age of
-- the newest entry of the step), planned ones "earliest age:latest age:count", `ahead` the
-- number of all planned slots up to now + lookahead (more than shown when above `share`).
local function view(w, participants)
  local share = math.max(1, math.floor(size(w) / participants))
  local steps = math.min(share, 8)
  local key = wkey(w)
  local c = redis.call('ZCOUNT', key, '-inf', fmt(now))
  local past = {}
  for j = 0, steps - 1 do
    local first = 1 + math.floor(j * share / steps)
    if first > c then break end
    local after = math.min(1 + math.floor((j + 1) * share / steps), c + 1)
    local at = redis.call('ZRANGE', key, c - first, c - first, 'WITHSCORES')
    past[#past + 1] = fmt(now - tonumber(at[2])) .. ':' .. (after - first)
  end
  local ahead = redis.call('ZCOUNT', key, '(' .. fmt(now), fmt(now + lookahead))
  local planned = math.min(ahead, share)
  local later = {}
  for j = 0, math.min(planned, 8) - 1 do
    local lo = math.floor(j * planned / math.min(planned, 8))
    local hi = math.floor((j + 1) * planned / math.min(planned, 8))
    local early = redis.call('ZRANGE', key, c + lo, c + lo, 'WITHSCORES')
    local late = redis.call('ZRANGE', key, c + hi - 1, c + hi - 1, 'WITHSCORES')
    later[#later + 1] = fmt(now - tonumber(early[2])) .. ':' .. fmt(now - tonumber(late[2])) .. ':' .. (hi - lo)
  end
  return table.concat(past, ',') .. '|' .. ahead .. '|' .. table.concat(later, ',')
end

local function reply(delay, t, reason, started)
  local out = {delay, fmt(t), member, reason, started, participants, fmt(now)}
  for w = 1, count do out[#out + 1] = view(w, participants) end
  return out
end

-- earliest time >= t at which one more entry keeps every interval of `sp` at n or fewer
local function earliest(xs, n, sp, t)
  local m = #xs
  if m < n then return t end
  if t >= xs[m] then
    local b = xs[m - n + 1] + sp
    if b > t then return b end
    return t
  end
  local i = 1
  while i <= m - n + 1 do
    local first, last = xs[i], xs[i + n - 1]
    if last - sp >= t then break end
    if last - first < sp and t < first + sp then t = first + sp end
    i = i + 1
  end
  return t
end

-- earliest time >= t at which fewer than n started requests lie within `span` before it
local function nth_free(w, n, t)
  local sp = span(w)
  if redis.call('ZCOUNT', skey(w), '(' .. fmt(t - sp), '+inf') < n then return t end
  local nth = redis.call('ZREVRANGE', skey(w), n - 1, n - 1, 'WITHSCORES')
  local b = tonumber(nth[2]) + sp
  if b > t then return b end
  return t
end

-- the same, where a request in flight since a span or more before t counts as an entry at now
-- (it may reach the server at any moment until it is answered) instead of dropping out
local function start_time(w, t)
  local n, sp = limit(w), span(w)
  if t < now + sp then
    local stale = redis.call('ZCOUNT', fkey(w), '-inf', fmt(t - sp + 1e-9))
    if stale > 0 then
      if stale < n then
        local b = nth_free(w, n - stale, t)
        if b < now + sp then return b end
      end
      t = now + sp  -- then they no longer count here; the start is checked again then
    end
  end
  return nth_free(w, n, t)
end

local function settle(t)
  local reason, changed = 0, true
  while changed do
    changed = false
    local h, which = hold_until(t)
    if which > 0 and h > t + 1e-9 then t, reason, changed = h, -which, true end
    for w = 1, count do
      local later = start_time(w, t)
      if later > t + 1e-9 then t, reason, changed = later, w, true end
    end
  end
  return t, reason
end

if mode == 'reserve' then
  if member == '' then member = fmt(now) .. ':' .. redis.call('INCR', KEYS[1]) end
  local t, reason = hold_until(now)
  if reason > 0 then reason = -reason end
  local logs = {}
  for w = 1, count do
    local raw = redis.call('ZRANGE', wkey(w), 0, -1, 'WITHSCORES')
    local xs = {}
    for j = 2, #raw, 2 do xs[#xs + 1] = tonumber(raw[j]) end
    -- requests in flight for longer than a span (cut from the log) count as entries at now
    local stale = redis.call('ZCOUNT', fkey(w), '-inf', fmt(now - span(w)))
    if stale > 0 then
      for _ = 1, stale do xs[#xs + 1] = now end
      table.sort(xs)
    end
    logs[w] = xs
  end
  local changed = true
  while changed do
    changed = false
    for w = 1, count do
      local later = earliest(logs[w], limit(w), span(w), t)
      if later > t then t, reason, changed = later, w, true end
    end
  end
  if t <= now then
    local settled, why = settle(now)
    if settled <= now then
      place(now, true)
      return reply('0', now, 0, 1)
    end
    t, reason = settled, why
  end
  place(t, false)
  return reply(fmt(t - now), t, reason, 0)
elseif mode == 'start' then
  local at = math.max(now, tonumber(ARGV[4]))
  local t, reason = settle(at)
  if t > at then
    place(t, false)
    return reply(fmt(t - at), t, reason, 0)
  end
  place(at, true)
  return reply('0', at, 0, 1)
elseif mode == 'complete' then
  -- ARGV[4]: how long ago the response arrived (measured by the client, so skew-free)
  local answered = now - math.max(0, tonumber(ARGV[4]))
  for w = 1, count do
    local s = redis.call('ZSCORE', skey(w), member) or redis.call('ZSCORE', fkey(w), member)
    redis.call('ZREM', fkey(w), member)
    if s and answered > tonumber(s) then
      redis.call('ZADD', skey(w), fmt(answered), member)
      redis.call('ZADD', wkey(w), fmt(answered), member)
      expire(w, answered)
    end
  end
  return 1
elseif mode == 'cancel' then
  for w = 1, count do
    redis.call('ZREM', wkey(w), member)
    redis.call('ZREM', skey(w), member)
    redis.call('ZREM', fkey(w), member)
  end
  return 1
end
return redis.error_reply('unknown mode ' .. tostring(mode))
""".replace("MAX_IN_FLIGHT", repr(MAX_IN_FLIGHT))
)

# KEYS: hold key. ARGV: seconds. Extends the hold (never shortens it); returns hold-until.
HOLD = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local seconds = tonumber(ARGV[1])
local target = now + seconds
local current = tonumber(redis.call('GET', KEYS[1]) or '')
if current == nil or target > current then
  redis.call('SET', KEYS[1], string.format('%.17g', target), 'PX', math.ceil(seconds * 1000) + 1000)
  return string.format('%.17g', target)
end
return string.format('%.17g', current)
"""

# Joining again after an outage. KEYS: seq, members, shares, then per window (every limit):
# planned log, started log, in flight. ARGV: participant id, participant TTL, divisor (as for
# SCRIPT), the members
# of this process's calls that failed (comma-separated: Redis may have run them after their
# caller gave up, a paused Redis does so when it resumes; they are removed), then per window: span, and the requests this process started on its own meanwhile (comma-separated
# ages in seconds, `age@key` for one still in flight), written into both logs; one in flight
# also into the in-flight set, as member `r:<participant>:<key>`, which its response completes.
# Registers the participant (so the others stop keeping its share free); returns {the number of
# participants, the Redis time of the reply}.
REJOIN = (
    """
local participant = ARGV[1]
local ttl = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local function fmt(x) return string.format('%.17g', x) end
"""
    + _HEARTBEAT
    + """
for w = 1, (#KEYS - 3) / 3 do
  local planned, started, flying = KEYS[1 + 3 * w], KEYS[2 + 3 * w], KEYS[3 + 3 * w]
  for member in string.gmatch(ARGV[4], '[^,]+') do
    redis.call('ZREM', planned, member)
    redis.call('ZREM', started, member)
    redis.call('ZREM', flying, member)
  end
  local sp = tonumber(ARGV[3 + 2 * w])
  local latest = nil
  for item in string.gmatch(ARGV[4 + 2 * w], '[^,]+') do
    local age, key = string.match(item, '^([^@]+)@?(.*)$')
    local t = now - tonumber(age)
    if t > now - sp or key ~= '' then
      local member
      if key ~= '' then
        member = 'r:' .. participant .. ':' .. key
        redis.call('ZADD', flying, fmt(t), member)
        local ms = math.ceil((MAX_IN_FLIGHT + sp) * 1000) + 1000
        if redis.call('PTTL', flying) < ms then redis.call('PEXPIRE', flying, ms) end
      else
        member = 'r:' .. participant .. ':' .. redis.call('INCR', KEYS[1])
      end
      redis.call('ZADD', planned, fmt(t), member)
      redis.call('ZADD', started, fmt(t), member)
      if t > now - sp and (latest == nil or t > latest) then latest = t end
    end
  end
  if latest ~= nil then
    local ms = math.ceil((latest - now + sp) * 1000) + 1000
    for _, key in ipairs({planned, started}) do
      if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
    end
  end
end
return {heartbeat(KEYS[2], KEYS[3], participant, ttl, ARGV[3]), fmt(now)}
""".replace("MAX_IN_FLIGHT", repr(MAX_IN_FLIGHT))
)
