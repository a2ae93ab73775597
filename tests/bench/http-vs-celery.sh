#!/usr/bin/env bash
# Capsule over HTTP against Celery 5 + Redis, side by side in one run
# (docs/benchmarks.md: "HTTP end to end against Celery").
#
# Capsule: `capsule serve` (embedded SQLite, the release build) serving the
# echo fixture and the calendar component; wrk posts jobs (`POST /api/v1/{capability}/jobs`) for SECONDS with
# CONNECTIONS connections (each POST answers 202 with a job id once the job
# is durable), then the script waits until no job is queued or running.
# Celery: a prefork worker with 2 processes on the same Redis, running a
# no-op task and the same one-line parse in Python (tests/bench/celery);
# tests/bench/celery/load.py submits with CONNECTIONS threads for SECONDS,
# then waits for every result. Jobs/s is jobs ÷ (first submit → last job
# finished) on both sides.
#
#   tests/bench/http-vs-celery.sh        # SECONDS_PER_RUN=10 CONNECTIONS=8
#
# Installs wrk (Debian) and Celery (PyPI, into target/bench-python) when
# missing; needs Redis on 127.0.0.1:6379 (it uses database 14 and flushes it).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
seconds=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-8}
redis_db=${REDIS_DB:-14}

bench_tools
cargo build --release -q -p capsule
cargo build --release -q --target wasm32-wasip2 --target-dir target/guest -p fixture-echo -p calendar
guest=$PWD/target/guest/wasm32-wasip2/release

dir=$(mktemp -d)
cleanup() { kill "${pid:-}" "${celery_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

cat > "$dir/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-http"
[[trigger.job]]
component = "echo"
concurrency = 16
[component.echo]
source = "$guest/fixture_echo.wasm"
[[trigger.job]]
component = "calendar"
concurrency = 16
[component.calendar]
source = "$guest/calendar.wasm"
TOML
serve ./target/release/capsule "$dir" --cache-dir "$dir/cache" --rate-limit off --queue-capacity 10000000
rss_loaded=$(rss_kib "$pid")

capsule_run() { # name body
  local out=$dir/wrk-$1.txt start end total non2xx jobs
  start=$(date +%s.%N)
  BODY="$2" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s tests/bench/post.lua "$base/api/v1/$1/jobs" > "$out"
  until curl -s "$base/health" | "$py" -c 'import json,sys; j=json.load(sys.stdin)["data"]["jobs"]; sys.exit(0 if j["queued"] == 0 and j["processing"] == 0 else 1)'; do
    sleep 0.05
  done
  end=$(date +%s.%N)
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$out")
  jobs=$((total - ${non2xx:-0}))
  failed=$(curl -s "$base/api/v1/jobs?status=failed&limit=100" | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["jobs"]))')
  rate=$(awk -v n="$jobs" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", n / (e - s)}')
  printf '| Capsule (HTTP, wrk) | %s | %s | %s | %s ms | %s ms | %s refused, %s failed |\n' \
    "$1" "$jobs" "$rate" "$(pct_ms 50% "$out")" "$(pct_ms 99% "$out")" "${non2xx:-0}" "$failed"
  echo "$rate" > "$dir/rate-$1"
}

printf '| system | job | jobs | jobs/s end to end | submit p50 | submit p99 | errors |\n|---|---|---|---|---|---|---|\n'
capsule_run echo '{"message": "bench", "n": %d}'
capsule_run calendar '{"text": "서류 마감 9월 15일", "reference_date": "2026-09-01", "timezone": "Asia/Seoul"}'
rss_after=$(rss_kib "$pid")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

redis-cli -n "$redis_db" flushdb > /dev/null
(cd tests/bench/celery && BENCH_REDIS="redis://127.0.0.1:6379/$redis_db" \
  "$OLDPWD/$py" -m celery -A tasks worker -P prefork -c 2 --without-heartbeat --without-gossip --without-mingle \
  -l warning > "$dir/celery.log" 2>&1) &
celery_pid=$!
celery_run() { # task
  local line
  line=$(cd tests/bench/celery && BENCH_REDIS="redis://127.0.0.1:6379/$redis_db" "$OLDPWD/$py" load.py "$1" "$seconds" "$connections")
  "$py" -c 'import json,sys; r=json.loads(sys.argv[1]); print("| Celery 5 + Redis (apply_async, prefork 2) | %s | %d | %.0f | %.3f ms | %.3f ms | %d failed |" % (sys.argv[2], r["jobs"], r["jobs_per_s"], r["submit_p50_ms"], r["submit_p99_ms"], r["failed"]))' "$line" "$1"
  "$py" -c 'import json,sys; print(round(json.loads(sys.argv[1])["jobs_per_s"]))' "$line" > "$dir/rate-celery-$1"
}
celery_run noop
celery_run parse
kill "$celery_pid" 2>/dev/null; wait "$celery_pid" 2>/dev/null || true; celery_pid=
redis-cli -n "$redis_db" flushdb > /dev/null

ratio() { awk -v a="$(cat "$dir/rate-$1")" -v b="$(cat "$dir/rate-$2")" 'BEGIN {printf "%.1f×", a / b}'; }
echo
echo "| ratio (jobs/s, same run) | value |"
echo "|---|---|"
echo "| Capsule echo / Celery no-op | $(ratio echo celery-noop) |"
echo "| Capsule calendar / Celery no-op | $(ratio calendar celery-noop) |"
echo "| Capsule calendar / Celery parse | $(ratio calendar celery-parse) |"
echo "| capsule serve RSS after loading echo + calendar / after both runs | $((rss_loaded / 1024)) MiB / $((rss_after / 1024)) MiB |"
