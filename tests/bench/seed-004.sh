#!/usr/bin/env bash
# Seed 004's promise: `POST /jobs` answers its `event_id` in under 200 ms.
# wrk with 50 connections (50 concurrent clients) posts guidelines for
# SECONDS against one `capsule serve` on its embedded defaults (SQLite, files
# in the data directory) running the `guideline` pipeline (summarize →
# checklist, extractive: no model), which keeps working through the queue
# while the posts arrive (docs/benchmarks.md, "The GPT job queue").
#
#   tests/bench/seed-004.sh        # SECONDS_PER_RUN=20 CONNECTIONS=50
#
# Installs wrk (Debian) when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
seconds=${SECONDS_PER_RUN:-20}
connections=${CONNECTIONS:-50}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release -q -p capsule
cargo build --release -q --target wasm32-wasip2 --target-dir target/guest -p summarize -p checklist
guest=$PWD/target/guest/wasm32-wasip2/release

dir=$(mktemp -d)
cleanup() {
  kill "${pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

cat > "$dir/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-seed-004"
[[trigger.job]]
component = "summarize"
[component.summarize]
source = "$guest/summarize.wasm"
engines = ["llm"]
ai_models = ["default"]
[[trigger.job]]
component = "checklist"
[component.checklist]
source = "$guest/checklist.wasm"
engines = ["llm"]
ai_models = ["default"]
$(sed -n '/^pipeline = "guideline"/,/^checklist_method/p' spin.toml | sed '1i [[trigger.job]]')
TOML

# Room for every post: the queue grows while the pipeline works through it.
serve target/release/capsule "$dir" --queue-capacity 10000000
text='성인 고혈압 환자는 진료실 혈압을 정기적으로 측정해야 한다. 나트륨 섭취는 하루 2g 이하로 제한해야 한다. 임신 중에는 ACE 억제제를 사용해서는 안 된다. 환자 %d.'
BODY="{\"input_text\": \"$text\"}" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s tests/bench/post.lua \
  "$base/jobs" > "$dir/wrk.txt"
cat "$dir/wrk.txt" >&2
posted=$(awk '/requests in/ {print $1}' "$dir/wrk.txt")
errors=$(awk '/Non-2xx/ {print $NF}' "$dir/wrk.txt")
health=$(curl -s "$base/health")
queued=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"]["jobs"]["queued"])' "$health")
printf 'POST /jobs, %s connections, %ss: %s posts (%s/s), non-2xx %s, p50 %s ms, p90 %s ms, p99 %s ms; jobs still queued when the posts stopped (pipelines and their steps): %s\n' \
  "$connections" "$seconds" "$posted" "$(awk -v n="$posted" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')" "${errors:-0}" \
  "$(pct_ms 50% "$dir/wrk.txt")" "$(pct_ms 90% "$dir/wrk.txt")" "$(pct_ms 99% "$dir/wrk.txt")" "$queued"
