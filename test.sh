#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the few system tools the tests use
# (promtool to lint /metrics, redis-server for the cache tests), checks formatting, then runs every test.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (Debian packages) for the test suite"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build MlServing.sln -c Release -warnaserror
dotnet format MlServing.sln --verify-no-changes --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test MlServing.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain summary line for CI: "N passed, N failed, N skipped".
read -r passed failed skipped < <(awk '
  /^ +Passed: +[0-9]+$/  { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
  END { print p+0, f+0, s+0 }' "$log")
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
