#!/usr/bin/env bash
# One, two and three `capsule serve` hosts sharing PostgreSQL (and Redis for
# the notices between hosts), over HTTP, beside the embedded host and Celery
# in the same run (docs/benchmarks.md: "A cluster on PostgreSQL + Redis").
#
# Each Capsule run: N hosts serving the echo fixture (concurrency 16 per
# host) in a fresh schema; one wrk per host, CONNECTIONS connections split
# between them, posts jobs for SECONDS (each 202 is a committed row); then the
# script waits until /health (which counts the whole schema) shows nothing
# queued or running. Jobs/s is accepted jobs ÷ (first post → last job
# finished); submit p99 is the worst of the hosts' wrk p99s.
# Celery: tests/bench/celery (a no-op task, prefork 2) on the same Redis.
# Orphan recovery: two hosts; the first runs 8 one-second jobs and is killed
# with SIGKILL; the time from the kill until all 8 completed on the other.
#
#   tests/bench/cluster.sh        # SECONDS_PER_RUN=10 CONNECTIONS=8 HOST_COUNTS="1 2 3"
#
# Installs wrk (Debian) and Celery (PyPI, into target/bench-python) when
# missing; needs PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth;
# DATABASE_URL overrides) and Redis on 127.0.0.1:6379 (database 14, flushed).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
seconds=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-8}
host_counts=${HOST_COUNTS:-1 2 3}
database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
redis_db=${REDIS_DB:-14}
redis_url=redis://127.0.0.1:6379/$redis_db

bench_tools
cargo build --release -q -p capsule
cargo build --release -q --target wasm32-wasip2 --target-dir target/guest -p fixture-echo -p fixture-slow -p fixture-busy-loop
guest=$PWD/target/guest/wasm32-wasip2/release

dir=$(mktemp -d)
pids=()
schemas=()
cleanup() {
  kill "${pids[@]}" "${celery_pid:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  for s in "${schemas[@]}"; do psql -q "$database_url" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

cat > "$dir/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-cluster"
[[trigger.job]]
component = "echo"
concurrency = 16
[component.echo]
source = "$guest/fixture_echo.wasm"
[[trigger.job]]
component = "slow"
concurrency = 8
[component.slow]
source = "$guest/fixture_slow.wasm"
[[trigger.job]]
component = "busy-loop"
concurrency = 1
timeout = "60s"
[component.busy-loop]
source = "$guest/fixture_busy_loop.wasm"
TOML

idle() { # base: nothing queued or running in the host's store
  curl -s "$1/health" | "$py" -c 'import json,sys; j=json.load(sys.stdin)["data"]["jobs"]; sys.exit(0 if j["queued"] == 0 and j["processing"] == 0 else 1)'
}

# start_hosts N NAME [FLAG...]: N hosts, each in its own directory, with $bases set.
start_hosts() {
  local n=$1 name=$2 i
  shift 2
  bases=()
  for i in $(seq 1 "$n"); do
    mkdir -p "$dir/$name-$i"
    cp "$dir/spin.toml" "$dir/$name-$i/spin.toml"
    serve ./target/release/capsule "$dir/$name-$i" --cache-dir "$dir/cache" --rate-limit off \
      --queue-capacity 10000000 "$@"
    pids+=("$pid")
    bases+=("$base")
  done
}

stop_hosts() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

# run_load LABEL: one wrk per host in $bases, then wait until the store is idle.
run_load() {
  local label=$1 n=${#bases[@]} per start end total=0 non2xx=0 worst=0 i out rate loaders=()
  per=$(( (connections + n - 1) / n ))
  start=$(date +%s.%N)
  for i in "${!bases[@]}"; do
    BODY='{"message": "bench", "n": %d}' wrk -t1 -c"$per" -d"${seconds}s" --latency -s tests/bench/post.lua \
      "${bases[$i]}/api/v1/echo/jobs" > "$dir/wrk-$label-$i.txt" &
    loaders+=($!)
  done
  wait "${loaders[@]}"
  until idle "${bases[0]}"; do sleep 0.05; done
  end=$(date +%s.%N)
  for i in "${!bases[@]}"; do
    out="$dir/wrk-$label-$i.txt"
    total=$((total + $(awk '/requests in/ {print $1}' "$out")))
    non2xx=$((non2xx + $(awk '/Non-2xx/ {print $5} END {print 0}' "$out" | head -1)))
    worst=$(awk -v a="$worst" -v b="$(pct_ms 99% "$out")" 'BEGIN {print (b > a ? b : a)}')
  done
  rate=$(awk -v n="$((total - non2xx))" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", n / (e - s)}')
  printf '| %s | %s | %s | %s ms | %s refused |\n' "$label" "$((total - non2xx))" "$rate" "$worst" "$non2xx"
  echo "$rate" > "$dir/rate-$label"
}

new_schema() {
  schema=bench_cluster_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  schemas+=("$schema")
}

echo "cores: $(nproc)"
printf '| setup | jobs | jobs/s end to end | submit p99 (worst host) | errors |\n|---|---|---|---|---|\n'
start_hosts 1 embedded
run_load "embedded (SQLite), 1 host"
stop_hosts
for n in $host_counts; do
  new_schema
  start_hosts "$n" "pg$n" --database-url "$database_url" --database-schema "$schema"
  run_load "PostgreSQL, $n host(s)"
  stop_hosts
  new_schema
  start_hosts "$n" "pgr$n" --database-url "$database_url" --database-schema "$schema" --redis-url "$redis_url"
  run_load "PostgreSQL + Redis, $n host(s)"
  stop_hosts
done

redis-cli -n "$redis_db" flushdb > /dev/null
(cd tests/bench/celery && BENCH_REDIS="$redis_url" \
  "$OLDPWD/$py" -m celery -A tasks worker -P prefork -c 2 --without-heartbeat --without-gossip --without-mingle \
  -l warning > "$dir/celery.log" 2>&1) &
celery_pid=$!
line=$(cd tests/bench/celery && BENCH_REDIS="$redis_url" "$OLDPWD/$py" load.py noop "$seconds" "$connections")
"$py" -c 'import json,sys; r=json.loads(sys.argv[1]); print("| Celery 5 + Redis (apply_async, prefork 2) | %d | %.0f | %.3f ms | %d failed |" % (r["jobs"], r["jobs_per_s"], r["submit_p99_ms"], r["failed"]))' "$line"
"$py" -c 'import json,sys; print(round(json.loads(sys.argv[1])["jobs_per_s"]))' "$line" > "$dir/rate-celery"
kill "$celery_pid" 2>/dev/null; wait "$celery_pid" 2>/dev/null || true; celery_pid=
redis-cli -n "$redis_db" flushdb > /dev/null

# Cross-host cancel: host B runs a busy loop in its only busy-loop slot; DELETE
# on host A (which does not serve busy-loop), then a second busy loop is
# submitted to B: the time until that one runs is the time for B to hear the
# cancel, stop its guest and free the slot (plus one claim), 10 times.
new_schema
start_hosts 1 cancel-b --database-url "$database_url" --database-schema "$schema" --redis-url "$redis_url"
cancel_b=$base
mkdir -p "$dir/cancel-a-1"
sed '/^\[\[trigger.job\]\]$/,$d' "$dir/spin.toml" > "$dir/cancel-a-1/spin.toml"
cat >> "$dir/cancel-a-1/spin.toml" <<TOML
[[trigger.job]]
component = "echo"
[component.echo]
source = "$guest/fixture_echo.wasm"
TOML
serve ./target/release/capsule "$dir/cancel-a-1" --cache-dir "$dir/cache" --rate-limit off \
  --database-url "$database_url" --database-schema "$schema" --redis-url "$redis_url"
pids+=("$pid")
cancel_a=$base
status_of() { curl -s "$cancel_b/api/v1/jobs/$1" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["data"]["status"])'; }
submit_busy() {
  curl -s -X POST -H 'content-type: application/json' -d "{\"n\": $1}" "$cancel_b/api/v1/busy-loop/jobs" \
    | "$py" -c 'import json,sys; print(json.load(sys.stdin)["data"]["jobId"])'
}
cancel_ms=()
running=$(submit_busy 0)
until [ "$(status_of "$running")" = processing ]; do sleep 0.02; done
for i in $(seq 1 10); do
  sleep 0.2
  t0=$(date +%s.%N)
  curl -s -o /dev/null -X DELETE "$cancel_a/api/v1/jobs/$running"
  running=$(submit_busy "$i")
  until [ "$(status_of "$running")" = processing ]; do sleep 0.005; done
  cancel_ms+=("$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", (e - s) * 1000}')")
done
curl -s -o /dev/null -X DELETE "$cancel_a/api/v1/jobs/$running"
stop_hosts
cancel_sorted=$(printf '%s\n' "${cancel_ms[@]}" | sort -n | tr '\n' ' ')

# Orphan recovery: kill -9 a host running 8 one-second jobs; the other runs them.
new_schema
start_hosts 1 doomed --database-url "$database_url" --database-schema "$schema" --lease 2s
doomed_pid=$pid doomed=$base
for i in $(seq 1 8); do
  curl -s -X POST -H 'content-type: application/json' -d "{\"steps\": 10, \"step_ms\": 100, \"tag\": \"$i\"}" \
    "$doomed/api/v1/slow/jobs" > /dev/null
done
until curl -s "$doomed/health" | "$py" -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["data"]["jobs"]["processing"] == 8 else 1)'; do sleep 0.05; done
start_hosts 1 heir --database-url "$database_url" --database-schema "$schema" --lease 2s
heir=$base
kill -9 "$doomed_pid"
killed=$(date +%s.%N)
until idle "$heir"; do sleep 0.05; done
recovered=$(awk -v s="$killed" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')
stop_hosts

ratio() { awk -v a="$(cat "$dir/rate-$1")" -v b="$(cat "$dir/rate-$2")" 'BEGIN {printf "%.2f×", a / b}'; }
echo
echo "| ratio (jobs/s, same run) | value |"
echo "|---|---|"
for n in $host_counts; do
  echo "| PostgreSQL + Redis, $n host(s) / Celery | $(ratio "PostgreSQL + Redis, $n host(s)" celery) |"
  echo "| PostgreSQL + Redis, $n host(s) / embedded | $(ratio "PostgreSQL + Redis, $n host(s)" "embedded (SQLite), 1 host") |"
done
echo "| orphan recovery: kill -9 → 8 one-second jobs completed elsewhere (lease 2 s, sweep 1 s) | ${recovered} s |"
echo "| cancel on host A → host B's busy loop stopped and its slot running the next job, 10 times (ms, sorted; PostgreSQL + Redis) | ${cancel_sorted}|"
