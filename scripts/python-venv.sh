#!/usr/bin/env bash
# Create (idempotently) the Python venv used by the CloudForet conformance tests.
#
# Usage: scripts/python-venv.sh <venv-dir>
#
# Installs CloudForet's own published stubs (`spaceone-api`) plus the gRPC runtime they need,
# pinned to a set known to work together (see ../shared/docs/cloudforet-wire.md §7): the stubs
# were generated for protobuf 5.x, and newer grpcio-reflection/health require protobuf 6.
# Re-running is cheap: when the venv already holds exactly these pins, nothing is installed.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 <venv-dir>" >&2
  exit 2
fi
venv="$1"
python="${PYTHON:-python3}"

pins=(
  "grpcio==1.71.2"
  "grpcio-reflection==1.71.2"
  "grpcio-health-checking==1.71.2"
  "protobuf==5.29.6"
  "googleapis-common-protos==1.69.2"
  "spaceone-api==2.0.435"
)
stamp="$venv/.cloudforet-conformance-pins"
want="$(printf '%s\n' "${pins[@]}")"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "conformance venv up to date: $venv"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "creating venv: $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi

echo "installing into $venv: ${pins[*]}"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet "${pins[@]}"
# Smoke check: the stubs and the reflection client import together.
"$venv/bin/python" - <<'PY'
import grpc  # noqa: F401
from grpc_reflection.v1alpha import proto_reflection_descriptor_database  # noqa: F401
from spaceone.api.inventory.plugin import collector_pb2  # noqa: F401
PY
printf '%s\n' "${pins[@]}" > "$stamp"
echo "conformance venv ready: $venv"
