-- wrk script for the floor (benchmarks/floor.py), by its argument (wrk ... -s load_floor.lua URL -- MODE):
--   form  POST a 20-field form to /floor (the floor proper: parse it and insert one row);
--   page  GET the plain 15 KB Jinja page /page, gzip as phones ask.
-- Any status but 200 counts as bad.
local fields = {}
for i = 1, 20 do
  fields[#fields + 1] = string.format("field%02d=Svar+nummer+%d+fr%%C3%%A5n+en+boende", i, i)
end
local body = table.concat(fields, "&")
local mode = "form"
bad = 0

init = function(args)
  mode = args[1] or "form"
end

request = function()
  if mode == "page" then
    return wrk.format("GET", "/page", {["Accept-Encoding"] = "gzip"})
  end
  return wrk.format("POST", "/floor", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

response = function(status, headers, response_body)
  if status ~= 200 then bad = bad + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "bad_status": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
