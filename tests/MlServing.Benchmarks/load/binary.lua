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
-- The RESULT line every load script prints (result.lua, beside this script).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
