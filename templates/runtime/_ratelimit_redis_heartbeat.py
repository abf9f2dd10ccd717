"""The participants registry in Lua (`_ratelimit_redis_scripts.py` has the keys): the heartbeat
that every reserve, start, rejoin and BEAT call runs, and BEAT, the background heartbeat."""

# Registers `participant` (last contact: now), drops the members silent past the TTL, and records
# the divisor the others are to keep a share free for (`{prefix}:shares`): the smallest this
# participant may go on alone with. `divisor` is "<n>@<answered>": the count it holds (the
# divisor it would use if Redis failed now) and the Redis time of the reply it comes from; it
# only takes replies newer than that one, so those may still change it: the answers it was sent
# since then (with this one) are kept in the record, "<recorded>:<answered>:<count>@<time>,...".
# A call sent before one already seen (its `answered` older; concurrent calls, a paused Redis)
# adds only the count of its own reply: the participant holds a newer one by now. "0": it
# never goes on alone (it raises when Redis fails), so nothing is kept free for it. Returns the
# count. Needs `now`, `fmt`.
_HEARTBEAT = """
local function heartbeat(members, shares, participant, ttl, divisor)
  local cut = fmt(now - ttl)
  local expired = redis.call('ZRANGEBYSCORE', members, '-inf', cut)
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', members, '-inf', cut)
    redis.call('HDEL', shares, unpack(expired))
  end
  redis.call('ZADD', members, fmt(now), participant)
  local count = redis.call('ZCARD', members)
  local held, answered = string.match(divisor, '^(%d+)@(.*)$')
  local record = '0:'
  if held and tonumber(held) > 0 then
    held, answered = tonumber(held), tonumber(answered) or -math.huge
    local old = redis.call('HGET', shares, participant)
    local d, newest, list = nil, -math.huge, ''
    if old then
      local od, on, ol = string.match(old, '^(%d+):([^:]*):(.*)$')
      if od then d, newest, list = tonumber(od), tonumber(on) or -math.huge, ol end
    end
    local since = math.max(answered, newest)
    local latest = {[count] = now}
    for c, t in string.gmatch(list, '(%d+)@([^,]+)') do
      c, t = tonumber(c), tonumber(t)
      if t >= since and c ~= count then latest[c] = math.max(latest[c] or t, t) end
    end
    -- A call sent before one already seen: what it held then is past, only its reply is new.
    local least, parts = (d and answered < newest) and d or held, {}
    for c, t in pairs(latest) do
      least = math.min(least, c)
      parts[#parts + 1] = c .. '@' .. fmt(t)
    end
    record = least .. ':' .. (since > -math.huge and fmt(since) or '') .. ':' .. table.concat(parts, ',')
  end
  redis.call('HSET', shares, participant, record)
  local ms = math.ceil(ttl * 1000) + 1000
  redis.call('PEXPIRE', members, ms)
  redis.call('PEXPIRE', shares, ms)
  return count
end
"""

# A heartbeat, sent in the background while Redis answers, so that a participant silent for
# longer than `quiet` has really lost Redis (or stopped). KEYS: members, shares. ARGV: participant
# id, participant TTL, divisor (as for SCRIPT). Returns {the number of participants, the Redis
# time of the reply}.
BEAT = (
    """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local function fmt(x) return string.format('%.17g', x) end
"""
    + _HEARTBEAT
    + """
return {heartbeat(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), ARGV[3]), fmt(now)}
"""
)
