#!/usr/bin/env bash
# Seed 003 through one running host: how fast a 60 s video is transcribed
# (audio seconds per wall second, through the `transcription` component, the
# media engine and a self-hosted faster-whisper server with Whisper tiny.en
# speaking OpenAI's protocol) and rendered with burnt-in subtitles at 720p
# and 1080p (output seconds per wall second), each measured from the create
# request to `completed` as a client sees it (docs/benchmarks.md).
# usage: tests/bench/seed-003.sh [ROUNDS]   (after `cargo build --release` and the guests in target/guest)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
rounds=${1:-3}
dir=$(mktemp -d)
model=$(bash tests/speech-server/setup.sh)
venv=${CAPSULE_SPEECH_VENV:-$HOME/.cache/capsule/speech-venv}
"$venv/bin/python" tests/speech-server/server.py --port 0 --model-dir "$model" > "$dir/speech.out" 2>/dev/null &
speech=$!
trap 'kill $pid $speech 2>/dev/null || true; rm -rf "$dir"' EXIT
until grep -q listening "$dir/speech.out" 2>/dev/null; do sleep 0.2; done
speech_url=$(sed -n 's/^listening on //p' "$dir/speech.out")/v1
sed -e "s#target/guest#$PWD/target/guest#g" spin.toml > "$dir/spin.toml"
serve target/release/capsule "$dir" --speech "openai:whisper-1@$speech_url" --render-rate 100/m
# A 60 s 1280x720 video whose sound is espeak-ng reading a paragraph.
text="Capsule runs capabilities as sandboxed components. Every call is a durable job you can poll, stream and cancel. This sentence is read aloud so that the speech engine has something to recognise, and the editor has words to animate."
espeak-ng -v en -s 150 -w "$dir/speech.wav" "$text $text $text $text"
ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=30:duration=60 -i "$dir/speech.wav" -af apad -t 60 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac "$dir/video.mp4"
python3 - "$base" "$rounds" "$dir/video.mp4" <<'PY'
import json, statistics, sys, time, urllib.request

base, rounds, video = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def call(method, path, body=None, token=None, data=None, headers=None):
    h = dict(headers or {})
    if token:
        h["authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        h["content-type"] = "application/json"
    req = urllib.request.Request(path if path.startswith("http") else base + path, data, h, method=method)
    with urllib.request.urlopen(req, timeout=600) as r:
        raw = r.read()
        return json.loads(raw) if raw else None

token = call("POST", "/api/auth/signup", {"username": "bench", "email": "bench@example.com", "password": "benchmark1"})["access_token"]
url = call("POST", "/api/upload-video/generate-url", {"filename": "video.mp4", "content_type": "video/mp4"}, token)
call("PUT", url["upload_url"], data=open(video, "rb").read(), headers={"content-type": "video/mp4"})
key = url["file_key"]

def until_done(path):
    while True:
        s = call("GET", path, token=token)
        if s["status"] in ("completed", "failed"):
            assert s["status"] == "completed", s
            return s
        time.sleep(0.1)

def transcribe():
    t = time.perf_counter()
    job = call("POST", "/api/upload-video/request-process", {"fileKey": key, "language": "en"}, token)["job_id"]
    s = until_done(f"/api/upload-video/status/{job}")
    return s["result"]["metadata"]["duration"] / (time.perf_counter() - t)

cues = [{"id": f"c{i}", "track": "t", "hintTime": {"start": i * 3 + 0.2, "end": i * 3 + 2.8},
         "root": {"text": f"자막 {i} — subtitle number {i}"}} for i in range(20)]
scenario = {"version": "1.3", "timebase": {"unit": "seconds"}, "stage": {"baseAspect": "16:9"},
            "tracks": [{"id": "t", "type": "subtitle", "layer": 1}], "cues": cues}

def render(width, height):
    t = time.perf_counter()
    job = call("POST", "/api/render/create", {"videoUrl": key, "scenario": scenario,
               "options": {"width": width, "height": height, "fps": 30, "quality": 90, "format": "mp4"}}, token)["jobId"]
    s = until_done(f"/api/render/{job}/status")
    return s["duration"] / (time.perf_counter() - t)

rows = [("transcription (tiny.en, faster-whisper, 1 thread)", [transcribe() for _ in range(rounds)]),
        ("render 1280x720 mp4, 20 cues", [render(1280, 720) for _ in range(rounds)]),
        ("render 1920x1080 mp4, 20 cues", [render(1920, 1080) for _ in range(rounds)])]
print("| 60 s video | n | media s per wall s, median | min | max |\n|---|---|---|---|---|")
for name, xs in rows:
    print(f"| {name} | {len(xs)} | {statistics.median(xs):.2f} | {min(xs):.2f} | {max(xs):.2f} |")
PY
