#!/usr/bin/env bash
# The one publish command: both Dockerfiles run it, so the image holds what CI builds and tests.
#   docker/publish.sh OUTPUT_DIR [extra dotnet publish args, e.g. -p:UseGpu=true]
set -euo pipefail
out=${1:?output directory}; shift
dotnet publish src/MlServing.Api/MlServing.Api.csproj -c Release -o "$out" --no-restore "$@"
