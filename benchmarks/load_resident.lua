-- wrk script: each connection is a resident answering the three-page `load-test` survey
-- (tests/servers.py), again and again: start page, consent, three pages (GET, then POST with
-- the page's CSRF token), thanks.
-- Run with as many threads as connections (-t N -c N), so each thread drives one resident at a
-- time and its responses arrive in the order of its requests.
--
-- Each resident has its own forwarded address (the server trusts one proxy, LYSSNA_PROXY_COUNT=1),
-- so the per-client rate limit is in the path but never reached.
--
-- The argument picks what is measured (wrk ... -s load_resident.lua URL -- MODE):
--   walk  whole residents, as above (the default);
--   page  one kind of request only: a resident opens page one again and again (GET);
--   save  the other kind only: a resident sends page one again and again (POST with the CSRF
--         token, validation, the UPDATE and its commit, and the redirect to page two).
-- In page and save modes a resident stays for REPEATS requests, each from a new address so that
-- the per-client limit (20 a second) is never reached; its start and consent are then a small
-- part of the requests.

local SURVEY = "/s/load-test"
local ANSWERS = {
  one = "sorted=1&marker=Tr%C3%A4dg%C3%A5rden+12&nav=next",
  two = "happy=4&times=3&nav=next",
  three = "comment=Bra+med+fler+k%C3%A4rl+%F0%9F%99%82+%D8%B9%D8%B1%D8%A8%D9%8A&bins=paper&bins=metal&nav=next",
}

local REPEATS = 200
local mode = "walk"
local step, path, csrf, cookies, address, repeats
completed, bad, unexpected = 0, 0, ""

local function new_address()
  address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

local function new_resident()
  step, path, csrf, cookies, repeats = "start", SURVEY, nil, {}, 0
  new_address()
end

init = function(args)
  mode = args[1] or "walk"
  -- Each thread its own seed (setup gives it a number), so residents get different addresses.
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  new_resident()
end

local function headers(form)
  local jar = {}
  for name, value in pairs(cookies) do jar[#jar + 1] = name .. "=" .. value end
  -- Phones ask for compressed pages, and Lyssna compresses them. The start page is asked for
  -- uncompressed only because wrk cannot unzip it to read the CSRF token, which serves the whole
  -- session (every page carries a token of the same session; the pages are not parsed).
  local h = {
    ["Accept-Language"] = "sv",
    ["Accept-Encoding"] = (step == "start") and "identity" or "gzip, br",
    ["X-Forwarded-For"] = address,
    ["Cookie"] = table.concat(jar, "; "),
  }
  if form then h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end

request = function()
  if step == "start" or step == "page" or step == "thanks" then
    return wrk.format("GET", path, headers(false))
  end
  local body = "csrf_token=" .. csrf
  if step ~= "begin" then body = body .. "&" .. ANSWERS[string.match(path, "/p/(%w+)$")] end
  return wrk.format("POST", path, headers(true), body)
end

local function remember_cookie(set_cookie)
  if not set_cookie then return end
  local name, value = string.match(set_cookie, "^([^=]+)=([^;]*)")
  if string.find(string.lower(set_cookie), "max-age=0", 1, true) or string.find(set_cookie, "1970", 1, true) then
    cookies[name] = nil
  else
    cookies[name] = value
  end
end

local function fail(status)
  bad = bad + 1
  if #unexpected < 400 then unexpected = unexpected .. step .. ":" .. status .. " " end
  new_resident()
end

-- page and save modes: after consent, and after each request, stay on page one (a save's redirect
-- to page two is not followed), from a new address; a new resident after REPEATS requests.
local function repeat_one()
  repeats = repeats + 1
  if repeats > REPEATS then return new_resident() end
  new_address()
  path = SURVEY .. "/p/one"
  step = (mode == "page") and "page" or "save"
end

response = function(status, hdrs, body)
  remember_cookie(hdrs["Set-Cookie"])
  if step == "start" then
    if status ~= 200 then return fail(status) end
    csrf = string.match(body, 'name="csrf_token" value="([^"]+)"')
    if not csrf then return fail("no-token") end
    step = "begin"
  elseif step == "page" then
    if status ~= 200 then return fail(status) end
    if mode == "page" then return repeat_one() end
    step = "save"
  elseif step == "begin" or step == "save" then
    if status ~= 302 then return fail(status) end
    path = string.match(hdrs["Location"], "^https?://[^/]+(/.*)$") or hdrs["Location"]
    if mode ~= "walk" then return repeat_one() end
    if string.find(path, "/thanks$") then
      completed = completed + 1
      step = "thanks"
    else
      step = "page"
    end
  elseif step == "thanks" then
    if status ~= 200 then return fail(status) end
    new_resident()
  end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

done = function(summary, latency, requests)
  local done_count, failed, notes = 0, 0, ""
  for _, thread in ipairs(threads) do
    done_count = done_count + thread:get("completed")
    failed = failed + thread:get("bad")
    notes = notes .. thread:get("unexpected")
  end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "bad_status": %d, ' ..
    '"socket_errors": %d, "completed": %d, "unexpected": "%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    done_count, notes))
end
