-- wrk script: POST /api/orders with one valid order of the prod menu, as a client behind the mesh sends it.
-- x-request-id is what Envoy adds to every request (mocha forwards it to latte and logs it); no trace headers, so
-- mocha's own sampler (parentbased_traceidratio, the environment's rate) decides which orders are traced.
wrk.method = "POST"
wrk.path = "/api/orders"
wrk.body = '{"drink":"latte","size":"medium","notes":"oat milk"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["x-request-id"] = "bench-3f6c2a1e-7d41-4c1b-9a55-0e8b6f2d9c10"

-- One machine-readable line for the harness (latencies in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
