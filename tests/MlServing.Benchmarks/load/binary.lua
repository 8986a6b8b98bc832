-- POSTs binary tensor extension bodies (JSON header + raw tensors, Inference-Header-Content-Length) read from the
-- file named by env BODIES (make_fastpath_bodies.py's OUT.bin), cycling through them. Prints the RESULT line of bodies.lua.
local bodies, lengths, i = {}, {}, 0
local file = assert(io.open(os.getenv("BODIES"), "rb"))
while true do
  local line = file:read("*l")
  if not line or #line == 0 then break end
  local json_length, total = line:match("^(%d+) (%d+)$")
  bodies[#bodies + 1] = file:read(tonumber(total))
  lengths[#lengths + 1] = json_length
end
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
request = function()
  i = i % #bodies + 1
  wrk.headers["Inference-Header-Content-Length"] = lengths[i]
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d total=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
