-- wrk script: POST /api/orders with one valid order of the prod menu, as mocha receives it from its sidecar in the mesh.
-- Envoy gives every request a unique x-request-id and a W3C traceparent that carries the mesh's sampling decision (the
-- Telemetry's randomSamplingPercentage, the environment's cafe.trace.sampling): mocha follows that decision, forwards
-- both headers to latte, and logs with the request id. The sampled share is the script's argument (wrk ... -- 0.05).
-- The requests are made once per thread, a pool of 4096 cycled through, so that per-request Lua work does not load the
-- cores the services run on: ids repeat only every 4096 requests, more than HTTP/2's header table can hold.
local POOL = 4096

local function hex(n)
  local out = {}
  for i = 1, n / 4 do
    out[i] = string.format("%04x", math.random(0, 0xffff))
  end
  return table.concat(out)
end

local requests = {}
local next_request = 1
local threads = 0

-- Runs in wrk's main state once per thread: each thread's own seed, so that the threads' pools differ.
function setup(thread)
  threads = threads + 1
  thread:set("seed", os.time() * 1000 + threads)
end

function init(args)
  local sampled = tonumber(args[1] or "0.05")
  math.randomseed(seed or os.time())
  local body = '{"drink":"latte","size":"medium","notes":"oat milk"}'
  for i = 1, POOL do
    -- Order i is sampled when the running count of sampled orders, i * share rounded down, steps up at it: the pool
    -- holds the share exactly (to one order in 4096), spread evenly (1 in 20 at 0.05, 1 in 4 at 0.25, all at 1).
    local flags = (math.floor(i * sampled) > math.floor((i - 1) * sampled)) and "01" or "00"
    requests[i] = wrk.format("POST", "/api/orders", {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
      ["x-request-id"] = hex(8) .. "-" .. hex(4) .. "-" .. hex(4) .. "-" .. hex(4) .. "-" .. hex(12),
      ["traceparent"] = "00-" .. hex(32) .. "-" .. hex(16) .. "-" .. flags,
    }, body)
  end
  next_request = math.random(1, POOL)
end

function request()
  local r = requests[next_request]
  next_request = next_request % POOL + 1
  return r
end

-- One machine-readable line for the harness (latencies in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
