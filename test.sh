#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the few system tools the tests use
# (promtool to lint /metrics and test the alert rules, redis-server for the cache and feedback tests, openssl to sign
# models), checks formatting, then runs every test, and the
# execution-provider tests once more against the GPU build (-p:UseGpu=true).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (Debian packages) for the test suite"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build MlServing.sln -c Release -warnaserror
# The GPU variant (Microsoft.ML.OnnxRuntime.Gpu.Linux) of the test project and the projects it references, built into
# artifacts/gpu so that the CPU build's bin/ and obj/ stay as they are. Its restore also puts the GPU package in the
# NuGet cache, where the Dockerfile.gpu consistency tests read the CUDA provider library.
gpu=(tests/MlServing.Tests/MlServing.Tests.csproj -c Release -p:UseGpu=true --artifacts-path artifacts/gpu)
dotnet build "${gpu[@]}" -warnaserror
dotnet format MlServing.sln --verify-no-changes --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test MlServing.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "GPU build (-p:UseGpu=true): the execution-provider tests"
dotnet test "${gpu[@]}" --no-build --filter "Category=ExecutionProvider" --logger "console;verbosity=normal" 2>&1 | tee -a "$log"
gpu_status=${PIPESTATUS[0]}
set -e
((status != 0)) || status=$gpu_status
# One plain summary line for CI, over both runs: "N passed, N failed, N skipped".
read -r passed failed skipped < <(awk '
  /^ +Passed: +[0-9]+$/  { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
  END { print p+0, f+0, s+0 }' "$log")
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
