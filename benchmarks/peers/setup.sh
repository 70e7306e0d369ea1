#!/usr/bin/env bash
# Makes the peers' virtual environments that `benchmarks/compiled_bench.py --peers run` uses, in a cache
# folder that it prints at the end (and that compiled_bench.py looks in by default):
#   $ANNSTUDIO_PEER_VENVS if set, else ${XDG_CACHE_HOME:-~/.cache}/annstudio/peers
#     annarchy/  ANNarchy (default 5.0.4.1; ANNARCHY_VERSION=4.8.2.6 for the 4.x line), on `python3`
#     brian2/    Brian2 2.11 on Python 3.13 (its wheels and the tables' numbers were made with 3.13)
# Python 3.13 for Brian2 is the first of these that exists:
#   1. $PYTHON313 (a path or a command name),
#   2. `python3.13` on PATH,
#   3. `uv python find 3.13` (uv's managed Pythons; `uv python install 3.13` gets one),
#   4. `pyenv prefix 3.13` / the newest 3.13.x pyenv knows (`pyenv install 3.13` gets one).
# Usage: bash benchmarks/peers/setup.sh [annarchy] [brian2]   (both by default)
# Then:  python benchmarks/compiled_bench.py --peers run
#   (or --annarchy-python PY / --brian2-python PY to use other installs).
set -euo pipefail
venvs="${ANNSTUDIO_PEER_VENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/annstudio/peers}"
mkdir -p "$venvs"
want="${*:-annarchy brian2}"

is_python313() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; }

find_python313() {
  # each candidate is tried in turn (a pyenv shim named python3.13 may exist and still not run)
  local candidates=() prefix v
  if [ -n "${PYTHON313:-}" ]; then candidates+=("$(command -v "$PYTHON313" || echo "$PYTHON313")"); fi
  candidates+=("$(command -v python3.13 || true)")
  if command -v uv >/dev/null 2>&1; then candidates+=("$(uv python find 3.13 2>/dev/null || true)"); fi
  if command -v pyenv >/dev/null 2>&1; then
    prefix="$(pyenv prefix 3.13 2>/dev/null || true)"
    if [ -z "$prefix" ]; then
      v="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$' | sort -V | tail -n 1 || true)"
      if [ -n "$v" ]; then prefix="$(pyenv root)/versions/$v"; fi
    fi
    if [ -n "$prefix" ]; then candidates+=("$prefix/bin/python3"); fi
  fi
  for py in "${candidates[@]}"; do
    if is_python313 "$py"; then echo "$py"; return 0; fi
  done
  echo "setup.sh: no Python 3.13 found for Brian2 (tried \$PYTHON313, python3.13, uv, pyenv);" >&2
  echo "  install one (e.g. 'uv python install 3.13' or 'pyenv install 3.13') or set PYTHON313=/path/to/python3.13" >&2
  return 1
}

if [[ " $want " == *" annarchy "* ]]; then
  python3 -m venv "$venvs/annarchy"
  "$venvs/annarchy/bin/pip" install -q "annarchy==${ANNARCHY_VERSION:-5.0.4.1}"
  echo "annarchy: $venvs/annarchy/bin/python"
fi
if [[ " $want " == *" brian2 "* ]]; then
  py="$(find_python313)"
  echo "brian2: Python 3.13 found at $py"
  "$py" -m venv "$venvs/brian2"
  "$venvs/brian2/bin/pip" install -q "brian2==2.11.*"
  echo "brian2: $venvs/brian2/bin/python"
fi
echo "peer venvs in $venvs"
