#!/usr/bin/env bash
# HTTP load on MlServing variants, measured in one run: the server pinned to core 0, wrk pinned to core 1,
# the same distinct request bodies for every variant, variants alternated within each round so machine drift
# hits all alike. Prints one RESULT line per (round, variant, connections).
#
#   load.sh MODEL_DIR BODIES_FILE [VARIANT ...]
#   VARIANT = name:ENV=value,ENV=value   (e.g. batching-on:  batching-off:MlServing__Batching__Enabled=false)
#   Settings starting with @ change the run, not the server: @path=/health/live (GET without a body), @bodies=FILE
#   (other request bodies), @dll=PATH (another build of the service), @raw=1 (the shared bench's bare Kestrel peer,
#   /tmp/aspnet_raw_pub/AspnetRaw.dll, instead of the service).
# Env: DUR (s, default 8), CONNS (default "1 8 32 128"), ROUNDS (default 3), DLL (published MlServing.Api.dll,
#      default: publish to /tmp/mlserving-pub), PORT (default 18180), PROFILE (a profile.json copied into the model
#      folder, so the server exports drift; monitoring on vs off: MlServing__Monitoring__Enabled=false in a variant),
#      KEEP=1 (start every variant's server once, on ports PORT, PORT+1, ..., and measure them in a rotated order each
#      round while the others idle: no restart between rounds, for small differences on a noisy machine),
#      HEADERS (extra request headers, one "Name: value" a line, sent by wrk to every variant alike; e.g. an API key
#      for a keys-on/keys-off comparison: HEADERS="Authorization: Bearer $KEY", and the keys-on variant configures
#      the key by its hash: keys-on:MlServing__Auth__Keys__0__Name=load,MlServing__Auth__Keys__0__Sha256=$HASH,...).
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
wrk_headers=()
while IFS= read -r header; do [[ -n $header ]] && wrk_headers+=(-H "$header"); done <<<"${HEADERS:-}"
repo=$(mktemp -d); trap 'rm -rf "$repo"; for p in "${pids[@]}"; do [[ -n $p ]] && kill "$p" 2>/dev/null; done; true' EXIT
cp -r "$model_dir" "$repo/"
if [[ -n ${PROFILE:-} ]]; then cp "$PROFILE" "$repo/$(basename "$model_dir")/profile.json"; fi

# Rows and batches executed so far by the server on port $1, summed over models: the batch size the batcher really formed.
batch_stats() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^mlserving_batch_size_sum/ { s += $NF } /^mlserving_batch_size_count/ { n += $NF } END { printf "%d %d\n", s, n }'
}

# Variant $1 (an index into variants): sets its name, settings and port, starts its server pinned to core 0, warms it.
start_variant() {
  local index=$1 variant=${variants[$1]} e
  names[index]=${variant%%:*}
  local settings=${variant#*:} port=$((PORT + index))
  local envs=(MlServing__ModelRepository__Path="$repo" ASPNETCORE_URLS="http://127.0.0.1:$port" Serilog__MinimumLevel__Default=Warning
        MlServing__Runtime__IntraOpThreads=1 MlServing__Batching__MaxQueueSize=100000 MlServing__Grpc__Port=0)
  local dll=$DLL ready=/health/ready extra
  paths[index]=/predict run_bodies[index]=$bodies scripts[index]=$here/bodies.lua ports[index]=$port
  IFS=',' read -ra extra <<<"$settings"
  for e in "${extra[@]}"; do
    case $e in
      @path=*) paths[index]=${e#@path=}; scripts[index]=$here/result.lua ;;
      @bodies=*) run_bodies[index]=${e#@bodies=} ;;
      @dll=*) dll=${e#@dll=} ;;
      @raw=1) dll=/tmp/aspnet_raw_pub/AspnetRaw.dll ready=/
              [[ -f $dll ]] || dotnet publish "$root/../shared/bench/peers/aspnet_raw" -c Release -o /tmp/aspnet_raw_pub >/dev/null ;;
      "") ;;
      *) envs+=("$e") ;;
    esac
  done
  env "${envs[@]}" taskset -c 0 dotnet "$dll" >"/tmp/mlserving-load-${names[index]}.log" 2>&1 &
  pids[index]=$!
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port$ready" && break; sleep 0.5; done
  BODIES=${run_bodies[index]} taskset -c 1 wrk -t1 -c8 -d3s ${wrk_headers[@]+"${wrk_headers[@]}"} -s "${scripts[index]}" "http://127.0.0.1:$port${paths[index]}" >/dev/null 2>&1  # warm-up
}

stop_variant() { kill "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null || true; pids[$1]=; }

# One RESULT line per connection count for variant $1 in round $2.
measure_variant() {
  local index=$1 round=$2 c pid=${pids[$1]} port=${ports[$1]}
  for c in $CONNS; do
    read -r bsum0 bcount0 < <(batch_stats "$port")
    cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
    line=$(BODIES=${run_bodies[index]} taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s ${wrk_headers[@]+"${wrk_headers[@]}"} -s "${scripts[index]}" "http://127.0.0.1:$port${paths[index]}" 2>&1 | grep RESULT)
    cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
    total=$(sed -E 's/.*total=([0-9]+).*/\1/' <<<"$line")
    # Server CPU time per request (clock ticks are 1/100 s).
    cpu_us=$(awk -v t="$((cpu_after - cpu_before))" -v n="$total" 'BEGIN { printf "%.1f", (n > 0 ? t * 10000 / n : 0) }')
    read -r bsum1 bcount1 < <(batch_stats "$port")
    batch=$(awk -v s="$((bsum1 - bsum0))" -v n="$((bcount1 - bcount0))" 'BEGIN { printf "%.1f", (n > 0 ? s / n : 0) }')
    echo "round=$round variant=${names[index]} conns=$c $line cpu_us_per_req=$cpu_us mean_batch_rows=$batch rss_kb=$(ps -o rss= -p "$pid" | tr -d ' ')"
  done
}

names=() ports=() pids=() paths=() run_bodies=() scripts=()
count=${#variants[@]}
if [[ ${KEEP:-0} == 1 ]]; then
  # Every variant's server runs for the whole measurement (each on its own port, all on core 0, idle while another is
  # measured); each round measures them in a rotated order.
  for index in $(seq 0 $((count - 1))); do start_variant "$index"; done
  for round in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((count - 1))); do measure_variant $(((round + k) % count)) "$round"; done
  done
  for index in $(seq 0 $((count - 1))); do stop_variant "$index"; done
else
  for round in $(seq 1 "$ROUNDS"); do
    for index in $(seq 0 $((count - 1))); do
      start_variant "$index"; measure_variant "$index" "$round"; stop_variant "$index"
    done
  done
fi
