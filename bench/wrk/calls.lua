-- The benchmarked calls, for wrk. Settings come from the environment (bench/run.sh sets them):
--   BENCH_CALL     get | list | filter | create | patch | append | events | ceiling
--   BENCH_KEY      the API key;  BENCH_IDS  a file of session ids, one a line (get, patch, append, events)
--   BENCH_THREADS  wrk's thread count (each thread takes its own share of the ids);  BENCH_QUERY  extra query text
-- Every request is formatted once, in init(); request() only picks the next one.
local call = os.getenv("BENCH_CALL")
local key = os.getenv("BENCH_KEY") or ""
local idsfile = os.getenv("BENCH_IDS") or ""
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local query = os.getenv("BENCH_QUERY") or ""
local base = "/v1/products/generation/sessions"
local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count - 1)
end

local function ids_of_this_thread()
  local mine, i = {}, 0
  for line in io.lines(idsfile) do
    if line ~= "" then
      if i % nthreads == tid then table.insert(mine, line) end
      i = i + 1
    end
  end
  if #mine == 0 then
    -- fewer ids than threads: every thread shares them
    for line in io.lines(idsfile) do if line ~= "" then table.insert(mine, line) end end
  end
  return mine
end

local json = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
local auth = { ["Authorization"] = "Bearer " .. key }
local create_body = '{"catalogVersion":"1.0","prd":{"title":"AI Customer Support","description":"An AI-powered customer support product"},"schemaVersion":"1.0"}'
local append_body = '{"type":"progress","message":"Generating flow capabilities...","payload":{"step":2,"totalSteps":5},"stage":"generation"}'

local reqs, alt = {}, {}
local n, next_index = 0, 0

function init(args)
  if call == "get" or call == "events" then
    for _, id in ipairs(ids_of_this_thread()) do
      local path = base .. "/" .. id
      if call == "events" then path = path .. "/events" end
      table.insert(reqs, wrk.format("GET", path .. query, auth))
    end
  elseif call == "patch" then
    -- sessions start in planning; each pass over the ids moves them to generating, the next one back (re-plan):
    -- every PATCH changes the status (a version bump and a status_changed event) and the assembly state.
    for _, id in ipairs(ids_of_this_thread()) do
      table.insert(reqs, wrk.format("PATCH", base .. "/" .. id, json, '{"status":"generating","assemblyState":{"step":"generating","progress":40}}'))
      table.insert(alt, wrk.format("PATCH", base .. "/" .. id, json, '{"status":"planning","assemblyState":{"step":"planning","progress":10}}'))
    end
  elseif call == "append" then
    for _, id in ipairs(ids_of_this_thread()) do
      table.insert(reqs, wrk.format("POST", base .. "/" .. id .. "/events", json, append_body))
    end
  elseif call == "create" then
    table.insert(reqs, wrk.format("POST", base, json, create_body))
  elseif call == "list" or call == "filter" then
    table.insert(reqs, wrk.format("GET", base .. query, auth))
  else
    table.insert(reqs, wrk.format("GET", "/", {}))
  end
  n = #reqs
end

function request()
  local i = next_index % n + 1
  local pass = math.floor(next_index / n)
  next_index = next_index + 1
  if call == "patch" and pass % 2 == 1 then return alt[i] end
  return reqs[i]
end
