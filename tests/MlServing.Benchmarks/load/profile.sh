#!/usr/bin/env bash
# Where the server's CPU goes under load: the published service pinned to core 0 with JIT symbols (perf map), wrk on
# core 1 (JIT code symbolised: perf map on, W^X double mapping and ReadyToRun images off), `perf record` sampling the server while wrk runs, and the samples grouped by stage of the request path
# (self time per symbol, mapped to a stage by namespace or library). Prints one line per stage: share of samples and,
# with the server's CPU time per request measured over the same window, microseconds per request.
#
#   profile.sh MODEL_DIR BODIES_FILE [ENV=value ...]
# Env: DUR (s, default 10), CONNS (default 32), DLL (published MlServing.Api.dll, default: publish to /tmp/mlserving-pub),
#      PORT (default 18190), FREQ (samples/s, default 997), HEADERS (extra request headers, one "Name: value" a line,
#      as load.sh: e.g. an API key).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
model_dir=$1 bodies=$2; shift 2
DUR=${DUR:-10} CONNS=${CONNS:-32} PORT=${PORT:-18190} FREQ=${FREQ:-997}
DLL=${DLL:-}
if [[ -z $DLL ]]; then
  dotnet publish "$root/src/MlServing.Api" -c Release -o /tmp/mlserving-pub >/dev/null
  DLL=/tmp/mlserving-pub/MlServing.Api.dll
fi
wrk_headers=()
while IFS= read -r header; do [[ -n $header ]] && wrk_headers+=(-H "$header"); done <<<"${HEADERS:-}"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf"; exit 1; }
repo=$(mktemp -d); out=${KEEP:-$(mktemp -d)}; mkdir -p "$out"; trap 'rm -rf "$repo"; [[ -z ${KEEP:-} ]] && rm -rf "$out"; [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null' EXIT
cp -r "$model_dir" "$repo/"
env MlServing__ModelRepository__Path="$repo" ASPNETCORE_URLS="http://127.0.0.1:$PORT" Serilog__MinimumLevel__Default=Warning \
    MlServing__Runtime__IntraOpThreads=1 MlServing__Batching__MaxQueueSize=100000 MlServing__Grpc__Port=0 \
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 "$@" taskset -c 0 dotnet "$DLL" >"$out/server.log" 2>&1 & pid=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.5; done
BODIES=$bodies taskset -c 1 wrk -t1 -c8 -d3s ${wrk_headers[@]+"${wrk_headers[@]}"} -s "$here/bodies.lua" "http://127.0.0.1:$PORT/predict" >/dev/null 2>&1  # warm-up
cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
BODIES=$bodies taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --timeout 5s ${wrk_headers[@]+"${wrk_headers[@]}"} -s "$here/bodies.lua" "http://127.0.0.1:$PORT/predict" >"$out/wrk.txt" 2>&1 &
wrk_pid=$!
perf record -F "$FREQ" -g -p "$pid" -o "$out/perf.data" -- sleep "$((DUR - 1))" >/dev/null 2>&1
wait "$wrk_pid"
cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
line=$(grep RESULT "$out/wrk.txt")
total=$(sed -E 's/.*total=([0-9]+).*/\1/' <<<"$line")
cpu_us=$(awk -v t="$((cpu_after - cpu_before))" -v n="$total" 'BEGIN { printf "%.2f", (n > 0 ? t * 10000 / n : 0) }')
echo "$line cpu_us_per_req=$cpu_us"
perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | /usr/bin/python3 "$here/stages.py" "$cpu_us"
