"""The Lua scripts behind `RedisRateLimiter` (`_ratelimit_redis.py`).

Each limiter step is one script, run atomically against the Redis server's own clock (`TIME`),
so the clocks of the client machines do not matter. Times cross the wire as ages ("seconds
before the script's now"), measured by whoever knows them, so no two clocks are compared.

Keys (all in one Redis Cluster hash slot, `{<key_prefix>}`):

* `{prefix}:w:<scope>:<requests>/<per>`: sorted set of every request the window knows of
  (planned slots, starts, responses), one member per request, score on the Redis clock;
* `{prefix}:s:<scope>:<requests>/<per>`: the requests that really started (score: start,
  then response time);
* `{prefix}:hold:<scope>`: hold-until on the Redis clock;
* `{prefix}:members`: the participants registry: one member per limiter instance, scored with
  its last contact; members silent for longer than the participant TTL are dropped;
* `{prefix}:seq`: counter that makes members unique.
"""

# KEYS: seq, members, hold keys (ARGV[2] of them), then per window: planned log, started log.
# ARGV: mode (reserve | start | complete | cancel), number of hold keys, member, planned start
# (start) or seconds since the response (complete), participant id, participant TTL, view
# lookahead (seconds), then per window: requests, span (seconds, margin included).
# reserve / start return {delay, start, member, reason, started, participants, view...}:
# numbers as strings, reason -i for hold key i, +w for window w, 0 for none; started 1 when the
# request may go. Then one view per window (see `view` below).
SCRIPT = """
local mode = ARGV[1]
local holds = tonumber(ARGV[2])
local member = ARGV[3]
local participant = ARGV[5]
local ttl = tonumber(ARGV[6])
local lookahead = tonumber(ARGV[7])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local count = (#KEYS - 2 - holds) / 2

local function fmt(x) return string.format('%.17g', x) end
local function wkey(w) return KEYS[holds + 1 + 2 * w] end
local function skey(w) return KEYS[holds + 2 + 2 * w] end
local function size(w) return tonumber(ARGV[6 + 2 * w]) end
local function span(w) return tonumber(ARGV[7 + 2 * w]) end

for w = 1, count do
  local cut = fmt(now - span(w))
  redis.call('ZREMRANGEBYSCORE', wkey(w), '-inf', cut)
  redis.call('ZREMRANGEBYSCORE', skey(w), '-inf', cut)
end

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
  end
end

local function hold_until(t)
  local best, which = t, 0
  for i = 1, holds do
    local v = tonumber(redis.call('GET', KEYS[2 + i]) or '')
    if v and v > best then best, which = v, i end
  end
  return best, which
end

local function heartbeat()
  redis.call('ZADD', KEYS[2], fmt(now), participant)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now - ttl))
  redis.call('PEXPIRE', KEYS[2], math.ceil(ttl * 1000) + 1000)
  return redis.call('ZCARD', KEYS[2])
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
  local participants = heartbeat()
  local out = {delay, fmt(t), member, reason, started, participants}
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
local function start_time(w, t)
  local n, sp = size(w), span(w)
  if redis.call('ZCOUNT', skey(w), '(' .. fmt(t - sp), '+inf') < n then return t end
  local nth = redis.call('ZREVRANGE', skey(w), n - 1, n - 1, 'WITHSCORES')
  local b = tonumber(nth[2]) + sp
  if b > t then return b end
  return t
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
  member = fmt(now) .. ':' .. redis.call('INCR', KEYS[1])
  local t, reason = hold_until(now)
  if reason > 0 then reason = -reason end
  local logs = {}
  for w = 1, count do
    local raw = redis.call('ZRANGE', wkey(w), 0, -1, 'WITHSCORES')
    local xs = {}
    for j = 2, #raw, 2 do xs[#xs + 1] = tonumber(raw[j]) end
    logs[w] = xs
  end
  local changed = true
  while changed do
    changed = false
    for w = 1, count do
      local later = earliest(logs[w], size(w), span(w), t)
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
    local s = redis.call('ZSCORE', skey(w), member)
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
  end
  return 1
end
return redis.error_reply('unknown mode ' .. tostring(mode))
"""

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

# Joining again after an outage. KEYS: seq, members, then per window (every limit): planned
# log, started log. ARGV: participant id, participant TTL, then per window: span, and the ages
# (comma-separated seconds) of the requests this process made on its own meanwhile, which are
# written into both logs. Registers the participant; returns the number of participants.
REJOIN = """
local participant = ARGV[1]
local ttl = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local function fmt(x) return string.format('%.17g', x) end
for w = 1, (#KEYS - 2) / 2 do
  local planned, started = KEYS[1 + 2 * w], KEYS[2 + 2 * w]
  local sp = tonumber(ARGV[1 + 2 * w])
  local latest = nil
  for age in string.gmatch(ARGV[2 + 2 * w], '[^,]+') do
    local t = now - tonumber(age)
    if t > now - sp then
      local member = 'r:' .. participant .. ':' .. redis.call('INCR', KEYS[1])
      redis.call('ZADD', planned, fmt(t), member)
      redis.call('ZADD', started, fmt(t), member)
      if latest == nil or t > latest then latest = t end
    end
  end
  if latest ~= nil then
    local ms = math.ceil((latest - now + sp) * 1000) + 1000
    for _, key in ipairs({planned, started}) do
      if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
    end
  end
end
redis.call('ZADD', KEYS[2], fmt(now), participant)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now - ttl))
redis.call('PEXPIRE', KEYS[2], math.ceil(ttl * 1000) + 1000)
return redis.call('ZCARD', KEYS[2])
"""
