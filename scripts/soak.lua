-- wrk script for scripts/soak.sh: a mixed load on one nova-host, every answer counted by status.
--
-- Each connection cycles through reads (device list, registers, a range, the PTIMER, the kernel log,
-- modules, violations), register writes, and objects made and dropped again: a timer armed and
-- cancelled, a work item queued and cancelled, a file opened and closed. Every call in the mix is one
-- that succeeds on a healthy host, so any status >= 400 is an error of the service.
--
-- Set by soak.sh through the environment: SOAK_DEVICES, the bound devices' addresses, space-separated.

local devices = {}
for address in string.gmatch(os.getenv("SOAK_DEVICES") or "0000:01:00.0", "%S+") do
    devices[#devices + 1] = address
end

local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    threads[#threads + 1] = thread
end

local json = { ["Content-Type"] = "application/json" }
local counter = 0
local pending = {}     -- objects made, to drop again: {kind, id}
statuses = {}          -- status -> count (global: done() reads it from each thread)
local last_made = nil  -- the kind of object the previous request made, if any

local function device()
    return devices[(counter % #devices) + 1]
end

local function make(kind, path, body)
    last_made = kind
    return wrk.format("POST", "/api/v1/devices/" .. device() .. path, body and json or nil, body)
end

local mix = {
    function() return wrk.format("GET", "/api/v1/devices") end,
    function() return wrk.format("GET", "/api/v1/devices/" .. device() .. "/mmio/0x0") end,
    function() return wrk.format("GET", "/api/v1/devices/" .. device() .. "/mmio?offset=0x1400&count=16") end,
    function()
        return wrk.format("PUT", "/api/v1/devices/" .. device() .. "/mmio/0x1400", json,
            string.format('{"value":"0x%08x"}', counter % 0xffffffff))
    end,
    function() return wrk.format("GET", "/api/v1/devices/" .. device() .. "/ptimer") end,
    function() return make("timers", "/timers", '{"mode":"oneshot","delayNs":1000000000,"action":"read-ptimer"}') end,
    function() return make("work", "/work", '{"delayNs":0,"requeue":2,"action":"touch-bar"}') end,
    function() return make("files", "/files", nil) end,
    function() return wrk.format("GET", "/api/v1/events?limit=50") end,
    function() return wrk.format("GET", "/api/v1/modules") end,
    function() return wrk.format("GET", "/api/v1/violations") end,
    function() return wrk.format("GET", "/api/v1/host") end,
}

function request()
    counter = counter + 1
    last_made = nil
    local drop = table.remove(pending, 1)
    if drop ~= nil then
        return wrk.format("DELETE", "/api/v1/" .. drop[1] .. "/" .. drop[2])
    end
    return mix[(counter % #mix) + 1]()
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status == 201 then
        local id = string.match(body, '"id":(%d+)') or string.match(body, '"fd":(%d+)')
        local kind = string.match(body, '"fd":') and "files" or (string.match(body, '"mode":') and "timers" or "work")
        if id ~= nil then
            pending[#pending + 1] = { kind, id }
        end
    end
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local counts = thread:get("statuses")
        for status, count in pairs(counts) do
            total[status] = (total[status] or 0) + count
        end
    end
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    local failed = 0
    local line = {}
    for status, count in pairs(total) do
        line[#line + 1] = status .. "=" .. count
        if status >= 400 then
            failed = failed + count
        end
    end
    table.sort(line)
    io.write(string.format("SOAK requests=%d duration_s=%.1f rps=%.0f statuses=%s http_errors=%d socket_errors=%d"
            .. " p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), table.concat(line, ","),
        failed, errors, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000))
end
