#!/usr/bin/env bash
# HTTP load on MlServing variants, measured in one run: the server pinned to core 0, wrk pinned to core 1,
# the same distinct request bodies for every variant, variants alternated within each round so machine drift
# hits all alike. Prints one RESULT line per (round, variant, connections).
#
#   load.sh MODEL_DIR BODIES_FILE [VARIANT ...]
#   VARIANT = name:ENV=value,ENV=value   (e.g. batching-on:  batching-off:MlServing__Batching__Enabled=false)
# Env: DUR (s, default 8), CONNS (default "1 8 32 128"), ROUNDS (default 3), DLL (published MlServing.Api.dll,
#      default: publish to /tmp/mlserving-pub), PORT (default 18180).
# Bodies: ../shared/bench/make_bodies.py writes them (distinct rows, so no cache can help), one JSON a line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
model_dir=$1 bodies=$2; shift 2
variants=("${@:-batching-on:}")
DUR=${DUR:-8} CONNS=${CONNS:-"1 8 32 128"} ROUNDS=${ROUNDS:-3} PORT=${PORT:-18180}
DLL=${DLL:-}
if [[ -z $DLL ]]; then
  dotnet publish "$root/src/MlServing.Api" -c Release -o /tmp/mlserving-pub >/dev/null
  DLL=/tmp/mlserving-pub/MlServing.Api.dll
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
repo=$(mktemp -d); trap 'rm -rf "$repo"; [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null' EXIT
cp -r "$model_dir" "$repo/"

# Rows and batches executed so far, summed over models: the batch size the batcher really formed.
batch_stats() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^mlserving_batch_size_sum/ { s += $NF } /^mlserving_batch_size_count/ { n += $NF } END { printf "%d %d\n", s, n }'
}

for round in $(seq 1 "$ROUNDS"); do
  for variant in "${variants[@]}"; do
    name=${variant%%:*} settings=${variant#*:}
    envs=(MlServing__ModelRepository__Path="$repo" ASPNETCORE_URLS="http://127.0.0.1:$PORT" Serilog__MinimumLevel__Default=Warning
          MlServing__Runtime__IntraOpThreads=1 MlServing__Batching__MaxQueueSize=100000 MlServing__Grpc__Port=0)
    IFS=',' read -ra extra <<<"$settings"
    for e in "${extra[@]}"; do [[ -n $e ]] && envs+=("$e"); done
    env "${envs[@]}" taskset -c 0 dotnet "$DLL" >/tmp/mlserving-load-$name.log 2>&1 & pid=$!
    for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.5; done
    BODIES=$bodies taskset -c 1 wrk -t1 -c8 -d3s -s "$here/bodies.lua" "http://127.0.0.1:$PORT/predict" >/dev/null 2>&1  # warm-up (JIT tiers)
    for c in $CONNS; do
      read -r bsum0 bcount0 < <(batch_stats)
      cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
      line=$(BODIES=$bodies taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s -s "$here/bodies.lua" "http://127.0.0.1:$PORT/predict" 2>&1 | grep RESULT)
      cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
      total=$(sed -E 's/.*total=([0-9]+).*/\1/' <<<"$line")
      # Server CPU time per request (clock ticks are 1/100 s).
      cpu_us=$(awk -v t="$((cpu_after - cpu_before))" -v n="$total" 'BEGIN { printf "%.1f", (n > 0 ? t * 10000 / n : 0) }')
      read -r bsum1 bcount1 < <(batch_stats)
      batch=$(awk -v s="$((bsum1 - bsum0))" -v n="$((bcount1 - bcount0))" 'BEGIN { printf "%.1f", (n > 0 ? s / n : 0) }')
      echo "round=$round variant=$name conns=$c $line cpu_us_per_req=$cpu_us mean_batch_rows=$batch rss_kb=$(ps -o rss= -p "$pid" | tr -d ' ')"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
