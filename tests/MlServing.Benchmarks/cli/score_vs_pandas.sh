#!/usr/bin/env bash
# Batch scoring, one run on one machine: `mlserving score` in this process, `mlserving score --url` through a running
# server, and the pandas + scikit-learn batch script of the ML-engineering guides (read_csv in chunks of 1,000,
# predict, to_csv), on the same rows of breast_cancer scored by the same model (breast-cancer-forest; the peer
# retrains the identical scikit-learn estimator). Each scorer is pinned with taskset: in-process and pandas to core 0
# with one compute thread; through the server, the server on core 0 and the CLI on core 1.
# Prints one RESULT line per system: rows, wall seconds and rows/s of the whole command (start-up and model load
# included), the rows/s the tool reports itself (scoring only), and peak resident memory (GNU time's maximum RSS;
# for the server, its own VmHWM too).
#
#   score_vs_pandas.sh [ROWS]          (default 1000000; the data file is made once and kept in /tmp)
# Env: PIN=0 runs every system as a user would, without taskset and with its default threads (the CLI's pipeline and
#      ONNX Runtime may then use every core; pandas + scikit-learn use one), and the server with its defaults too,
#      SHARED (the shared folder with models/ and bench/, default: ../shared beside this repository),
#      MODEL (default breast-cancer-forest), BATCH (CLI --batch-size, default 1024), PORT (default 18280).
# Needs: the .NET SDK, Debian python3-pandas python3-sklearn, and GNU time (Debian package `time`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
SHARED=${SHARED:-$(cd "$root/.." && pwd)/shared}
MODEL=${MODEL:-breast-cancer-forest} BATCH=${BATCH:-1024} PORT=${PORT:-18280} PIN=${PIN:-1}
# The prefixes pinning a command to core 0 or 1 (none with PIN=0), and the one-thread settings of the pinned runs.
core0=(taskset -c 0) core1=(taskset -c 1) one_thread=(--threads 1) server_threads=(MlServing__Runtime__IntraOpThreads=1)
if [[ $PIN == 0 ]]; then core0=() core1=() one_thread=() server_threads=(); fi
rows=${1:-1000000}
data=/tmp/bc$rows.csv
peer=$SHARED/bench/peers/pandas_batch/batch_predict.py
[[ -x /usr/bin/time ]] || { echo "GNU time is missing: apt-get install time"; exit 1; }
[[ -f $data ]] || /usr/bin/python3 "$peer" --make breast_cancer "$rows" "$data"

dotnet publish "$root/src/MlServing.Cli" -c Release -o /tmp/mlserving-cli-pub >/dev/null
dotnet publish "$root/src/MlServing.Api" -c Release -o /tmp/mlserving-pub >/dev/null
cli=(dotnet /tmp/mlserving-cli-pub/MlServing.Cli.dll score --repo "$SHARED/models" --model "$MODEL" --input "$data" --batch-size "$BATCH")
out=$(mktemp -d); trap 'rm -rf "$out"; [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null || true' EXIT

# RESULT line from GNU time's "%e %M" (seconds, max RSS in kB) in the file $2, for system $1.
result() {
  read -r seconds rss < <(tail -1 "$2")
  awk -v s="$seconds" -v n="$rows" -v r="$rss" -v name="$1" -v extra="${3:-}" \
    'BEGIN { printf "RESULT system=%s rows=%d seconds=%.2f rows_per_s=%.0f peak_rss_kb=%d%s\n", name, n, s, n / s, r, extra }'
}

# The scoring rate the CLI prints in its summary line ("... (123,456 rows/s)").
own_rate() { grep -o '([0-9,]* rows/s)' "$1" | tail -1 | tr -d '(),' | cut -d' ' -f1; }

# 1. In this process: the engine on one core, one ONNX Runtime thread.
/usr/bin/time -f "%e %M" -o "$out/time" "${core0[@]}" "${cli[@]}" --output "$out/inproc.csv" "${one_thread[@]}" 2>"$out/inproc.log"
result mlserving-inprocess "$out/time" " own_rows_per_s=$(own_rate "$out/inproc.log")"

# 2. Through a server: the service on core 0 (cache off, one ONNX Runtime thread), the CLI on core 1.
env MlServing__ModelRepository__Path="$SHARED/models" ASPNETCORE_URLS="http://127.0.0.1:$PORT" Serilog__MinimumLevel__Default=Warning \
    MlServing__Cache__Provider=none "${server_threads[@]}" MlServing__Limits__MaxRowsPerRequest="$BATCH" \
    "${core0[@]}" dotnet /tmp/mlserving-pub/MlServing.Api.dll >"$out/server.log" 2>&1 & pid=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.5; done
/usr/bin/time -f "%e %M" -o "$out/time" "${core1[@]}" "${cli[@]}" --output "$out/remote.csv" --url "http://127.0.0.1:$PORT" 2>"$out/remote.log"
server_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
result mlserving-server "$out/time" " own_rows_per_s=$(own_rate "$out/remote.log") server_peak_rss_kb=$server_hwm"

# 3. The pandas + scikit-learn peer on core 0 (OpenBLAS overrides unset for this command only, as for any numpy benchmark).
/usr/bin/time -f "%e %M" -o "$out/time" "${core0[@]}" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    /usr/bin/python3 "$peer" "$MODEL" "$data" "$out/pandas.csv" >"$out/pandas.log" 2>&1
result pandas-sklearn "$out/time" " own_rows_per_s=$(grep -o 'rows_per_s=[0-9]*' "$out/pandas.log" | cut -d= -f2)"
cmp -s <(cut -d, -f1-30 "$out/inproc.csv") <(cut -d, -f1-30 "$out/remote.csv") && echo "in-process and server outputs carry the same input columns"
