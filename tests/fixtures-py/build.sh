#!/usr/bin/env bash
# Builds the Python fixture component (tests/fixtures-py/echo/app.py) with
# componentize-py into target/guest/python-echo.wasm and prints that path.
#
# The tool lives in a venv under target/py-venv, installed from PyPI at a
# pinned version. componentize-py's output is not byte-for-byte reproducible,
# so the component is rebuilt only when its inputs (the app, the WIT, this
# script, the tool version) change: an unchanged digest lets the host reuse
# its compiled artifact. CAPSULE_PY_REBUILD=1 forces a rebuild.
set -euo pipefail

COMPONENTIZE_PY_VERSION=0.25.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/py-venv"
out_dir="$root/target/guest"
out="$out_dir/python-echo.wasm"
stamp="$out.inputs"
python="${PYTHON:-python3}"

log() { echo "build.sh: $*" >&2; }

# The venv: (re)created when missing or broken, the tool installed when its
# version differs from the pin.
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "creating $venv with $("$python" --version 2>&1)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
if [ "$("$venv/bin/componentize-py" --version 2>/dev/null || true)" != "componentize-py $COMPONENTIZE_PY_VERSION" ]; then
    log "installing componentize-py==$COMPONENTIZE_PY_VERSION"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY_VERSION" >&2
fi

inputs="$(
    cd "$root"
    {
        echo "componentize-py $COMPONENTIZE_PY_VERSION"
        find tests/fixtures-py/echo wit -type f \( -name '*.py' -o -name '*.wit' \) -print0 | sort -z | xargs -0 sha256sum
        sha256sum tests/fixtures-py/build.sh
    } | sha256sum | cut -d' ' -f1
)"
if [ "${CAPSULE_PY_REBUILD:-0}" != 1 ] && [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    log "$out is up to date"
    echo "$out"
    exit 0
fi

mkdir -p "$out_dir"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
log "componentizing tests/fixtures-py/echo/app.py"
# componentize-py imports the app while pre-initialising it, which writes a
# __pycache__ beside it: build from a copy so the source tree stays clean.
src="$root/target/py-build/echo"
rm -rf "$src"
mkdir -p "$src"
cp "$here"/echo/*.py "$src/"
(
    cd "$root"
    "$venv/bin/componentize-py" --quiet -d wit -w capability \
        componentize --python-path "$src" app -o "$tmp"
) >&2
mv -f "$tmp" "$out"
echo "$inputs" >"$stamp"
log "built $out ($(stat -c %s "$out") bytes)"
echo "$out"
