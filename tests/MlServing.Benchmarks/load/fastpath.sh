#!/usr/bin/env bash
# REST JSON vs REST binary tensors vs gRPC raw on the same seeded tensors, measured in one run: the server pinned to
# core 0, the load (wrk, or the gRPC load generator) pinned to core 1, the variants alternated within each round.
# Prints one RESULT line per (round, model, path, connections). Cache off, so every request runs the model.
#
#   fastpath.sh [MODEL ...]      (default: paddleocr-cls digits-mlp-large, from ../shared/models)
# Env: DUR (s, default 8), CONNS (default "1 16"), ROUNDS (default 3), COUNT (bodies per model, default 200),
#      MODELS_ROOT (default ../shared/models beside the repository), DLL (published MlServing.Api.dll, default: publish),
#      PORT / GRPC_PORT (default 18180 / 18181).
# gRPC load: h2load (Debian nghttp2-client) when installed — one request body, the gRPC-framed first tensor written by
# the repo's generator (--write-frame), calls checked by the server's grpc outcome counters —, otherwise the repo's
# .NET generator (tests/MlServing.Benchmarks/grpc), which needs a core of its own to keep up with the server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if (($#)); then models=("$@"); else models=(paddleocr-cls digits-mlp-large); fi
DUR=${DUR:-8} CONNS=${CONNS:-"1 16"} ROUNDS=${ROUNDS:-3} COUNT=${COUNT:-200} PORT=${PORT:-18180} GRPC_PORT=${GRPC_PORT:-18181}
MODELS_ROOT=${MODELS_ROOT:-$(cd "$root/.." && pwd)/shared/models}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
DLL=${DLL:-}
if [[ -z $DLL ]]; then
  dotnet publish "$root/src/MlServing.Api" -c Release -o /tmp/mlserving-pub >/dev/null
  DLL=/tmp/mlserving-pub/MlServing.Api.dll
fi
dotnet publish "$root/tests/MlServing.Benchmarks/grpc" -c Release -o /tmp/mlserving-grpcload >/dev/null
GRPCLOAD=/tmp/mlserving-grpcload/MlServing.GrpcLoad.dll
work=$(mktemp -d); trap 'rm -rf "$work"; [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null' EXIT

for model in "${models[@]}"; do
  mkdir -p "$work/repo"
  cp -r "$MODELS_ROOT/$model" "$work/repo/"
  /usr/bin/python3 "$here/make_fastpath_bodies.py" "$model" "$COUNT" "$work/$model"
  dotnet "$GRPCLOAD" --model "$model" --bodies "$work/$model.bin" --write-frame "$work/$model.grpc"
done

# gRPC calls of this run that did not end in success, from the server's counters.
grpc_failures() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^mlserving_inference_requests_total\{.*protocol="grpc"/ && !/outcome="success"/ { n += $NF } END { printf "%d\n", n }'
}

# h2load over h2c with one gRPC body; prints a RESULT line like the wrk scripts' (percentiles from its request log).
h2load_grpc() {
  local model=$1 conns=$2 seconds=$3 log out failed_before failed_after
  log=$(mktemp) out=$(mktemp)
  failed_before=$(grpc_failures)
  h2load -D "$seconds" -c "$(((conns + 7) / 8))" -m "$((conns < 8 ? conns : 8))" -d "$work/$model.grpc" \
    -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$log" \
    "http://127.0.0.1:$GRPC_PORT/inference.GRPCInferenceService/ModelInfer" >"$out" 2>&1 || true
  failed_after=$(grpc_failures)
  cut -f3 "$log" | sort -n >"$log.sorted"
  awk -v failed="$((failed_after - failed_before))" -v sorted="$log.sorted" '
    /^finished in/ { rps = $4 }
    /^requests:/ { total = $8; errors = $10 + $12 + $14 }
    /^status codes:/ { non2xx = $5 + $7 + $9 }
    END {
      n = 0
      while ((getline v < sorted) > 0) ms[++n] = v / 1000
      printf "RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d total=%d grpc_failed=%d\n",
        rps, ms[int(n * 0.50) + 1], ms[int(n * 0.90) + 1], ms[int(n * 0.99) + 1], errors, non2xx, total, failed
    }' "$out"
  rm -f "$log" "$log.sorted" "$out"
}

# Runs a load command, prints its RESULT line with the server's CPU time per request (clock ticks are 1/100 s): a
# load generator that cannot saturate the server shows up as a low rate at a low CPU cost per request.
measured() {
  local before after line total
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  line=$("$@" 2>&1 | grep RESULT)
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  total=$(sed -E 's/.*total=([0-9]+).*/\1/' <<<"$line")
  echo "$line cpu_us_per_req=$(awk -v t="$((after - before))" -v n="$total" 'BEGIN { printf "%.1f", (n > 0 ? t * 10000 / n : 0) }')"
}

for round in $(seq 1 "$ROUNDS"); do
  for model in "${models[@]}"; do
    env MlServing__ModelRepository__Path="$work/repo" ASPNETCORE_URLS="http://127.0.0.1:$PORT" MlServing__Grpc__Port="$GRPC_PORT" \
        Serilog__MinimumLevel__Default=Warning MlServing__Runtime__IntraOpThreads=1 MlServing__Batching__MaxQueueSize=100000 \
        MlServing__Cache__Provider=none taskset -c 0 dotnet "$DLL" >"/tmp/mlserving-fastpath.log" 2>&1 & pid=$!
    for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.5; done
    url="http://127.0.0.1:$PORT/v2/models/$model/infer"
    BODIES="$work/$model.json" taskset -c 1 wrk -t1 -c8 -d3s -s "$here/bodies.lua" "$url" >/dev/null 2>&1   # warm-up (JIT)
    for c in $CONNS; do
      line=$(BODIES="$work/$model.json" measured taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s -s "$here/bodies.lua" "$url")
      echo "round=$round model=$model path=rest-json conns=$c $line"
      line=$(BODIES="$work/$model.bin" measured taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s -s "$here/binary.lua" "$url")
      echo "round=$round model=$model path=rest-binary conns=$c $line"
      # One HTTP/2 connection per 8 calls in flight, as a pool of client channels would spread them.
      if command -v h2load >/dev/null; then
        line=$(measured taskset -c 1 bash -c "$(declare -f h2load_grpc grpc_failures); work=$work PORT=$PORT GRPC_PORT=$GRPC_PORT h2load_grpc $model $c $DUR")
      else
        grpc=(taskset -c 1 dotnet "$GRPCLOAD" --address "http://127.0.0.1:$GRPC_PORT" --model "$model" --bodies "$work/$model.bin"
              --concurrency "$c" --channels $(((c + 7) / 8)))
        "${grpc[@]}" --duration 2 --warmup 0 >/dev/null 2>&1   # the generator's own JIT warm-up, outside the measurement
        line=$(measured "${grpc[@]}" --duration "$DUR" --warmup 0)
      fi
      echo "round=$round model=$model path=grpc-raw conns=$c $line"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
