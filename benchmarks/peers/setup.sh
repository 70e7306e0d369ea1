#!/usr/bin/env bash
# Makes the peers' virtual environments that benchmarks/compiled_bench.py --peers run uses:
#   benchmarks/peers/.venvs/annarchy  ANNarchy (default 5.0.4.1; ANNARCHY_VERSION=4.8.2.6 for the 4.x line)
#   benchmarks/peers/.venvs/brian2    Brian2 2.11 on Python 3.13 (PYTHON313=... or pyenv's 3.13.0)
# Usage: bash benchmarks/peers/setup.sh [annarchy] [brian2]   (both by default)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venvs="${ANNSTUDIO_PEER_VENVS:-$here/.venvs}"
mkdir -p "$venvs"
want="${*:-annarchy brian2}"
if [[ " $want " == *" annarchy "* ]]; then
  python3 -m venv "$venvs/annarchy"
  "$venvs/annarchy/bin/pip" install -q "annarchy==${ANNARCHY_VERSION:-5.0.4.1}"
fi
if [[ " $want " == *" brian2 "* ]]; then
  py="${PYTHON313:-}"
  if [ -z "$py" ] && command -v pyenv >/dev/null 2>&1; then py="$(pyenv root)/versions/3.13.0/bin/python3"; fi
  "${py:-python3.13}" -m venv "$venvs/brian2"
  "$venvs/brian2/bin/pip" install -q "brian2==2.11.*"
fi
echo "peer venvs in $venvs"
