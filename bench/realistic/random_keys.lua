-- wrk script: every request uses a key drawn at random from a file of keys (one a line), so requests
-- spread over the whole catalog instead of a few cached keys.
-- Environment: KEYS_FILE (path), PATH_TEMPLATE (the request path; "{key}" is replaced by the key,
-- URL-encoded), AUTH (Authorization header value).
local keys = {}
local template = os.getenv("PATH_TEMPLATE")
local auth = os.getenv("AUTH")
local counter = 0

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do
    if #line > 0 then keys[#keys + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  wrk.headers["Authorization"] = auth
end

function request()
  local key = keys[math.random(#keys)]
  local path = template:gsub("{key}", function() return urlencode(key) end)
  return wrk.format("GET", path)
end

-- One JSON line for the bench driver: requests, seconds, latency percentiles (ms), errors.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
