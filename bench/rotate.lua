-- wrk script of the bench: sends the requests of a list file in turn and reports as JSON.
--   wrk ... -s bench/rotate.lua URL -- <list file> <threads>
-- Each line of the list is: METHOD<TAB>PATH<TAB>BODY<TAB>HEADER<TAB>HEADER...
-- Thread k of n sends lines k, k + n, k + 2n ... round and round; `beyond_list` counts the
-- requests sent after a thread had gone through its share once (a list meant to be sent once,
-- such as one log per player and energy, is invalid when it is not zero).

local threads = {}
local made = 0

function setup(thread)
  thread:set("id", made)
  made = made + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  local start = 1
  while true do
    local tab = string.find(line, "\t", start, true)
    if not tab then
      table.insert(fields, string.sub(line, start))
      return fields
    end
    table.insert(fields, string.sub(line, start, tab - 1))
    start = tab + 1
  end
end

function init(args)
  local nthreads = tonumber(args[2])
  reqs = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local f = split(line)
      local headers = {}
      for h = 4, #f do
        local colon = string.find(f[h], ":", 1, true)
        headers[string.sub(f[h], 1, colon - 1)] = string.sub(f[h], colon + 2)
      end
      local body = nil
      if f[3] ~= "" then body = f[3] end
      table.insert(reqs, wrk.format(f[1], f[2], headers, body))
    end
    i = i + 1
  end
  count = #reqs
  index = 0
  sent = 0
  beyond = 0
end

function request()
  index = index + 1
  if index > count then index = 1 end
  sent = sent + 1
  if sent > count then beyond = beyond + 1 end
  return reqs[index]
end

function done(summary, latency, requests)
  local beyond_total = 0
  for _, t in ipairs(threads) do beyond_total = beyond_total + t:get("beyond") end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"beyond_list": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
    math.floor(latency.max), beyond_total))
end
