-- wrk -s bench/percentiles.lua: after the run, one line with the request
-- rate and the latency percentiles in milliseconds (wrk's own --latency
-- table has no p95).
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("requests %d  req/s %.0f  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms  non-2xx %d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status))
end
