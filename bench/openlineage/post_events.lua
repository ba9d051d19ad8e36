-- wrk script: POSTs the events of EVENTS_FILE (one JSON a line) to /api/v1/lineage, each once:
-- thread i of n sends lines i, i+n, i+2n, ... and, once its share is used up, stops counting
-- (its further requests go to a path that answers 404 and are reported as "repeats").
-- Environment: EVENTS_FILE, AUTH (Authorization header value).
local events = {}
local next_index, step = 1, 1
local counter, threads = 0, {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    if #line > 0 then events[#events + 1] = line end
  end
  step = tonumber(os.getenv("THREADS") or "1")
  next_index = id
  wrk.headers["Authorization"] = os.getenv("AUTH")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local e = events[next_index]
  next_index = next_index + step
  if e == nil then return wrk.format("GET", "/api/v1/lineage-exhausted") end
  return wrk.format("POST", "/api/v1/lineage", nil, e)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
