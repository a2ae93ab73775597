#!/usr/bin/env bash
# Resident memory of `capsule serve` before and after N event-stream requests
# (`GET /api/v1/jobs/{id}/events`), each for a different job id: FINISHED of
# them for jobs that completed, the rest for ids that do not exist. Runs once
# per binary given, so a build before a change and one after it are measured
# in the same run (docs/benchmarks.md: "Event streams").
#
#   tests/bench/event-streams.sh BINARY...      # N=20000 FINISHED=1000 PARALLEL=8
#
# Needs curl (7.66+, for --parallel) and the echo fixture:
#   cargo build --release --target wasm32-wasip2 --target-dir target/guest -p fixture-echo
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
n=${N:-20000}
finished=${FINISHED:-1000}
parallel=${PARALLEL:-8}
echo_wasm=$PWD/target/guest/wasm32-wasip2/release/fixture_echo.wasm
[ -f "$echo_wasm" ] || { echo "build the echo fixture first (see the header of $0)" >&2; exit 1; }
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 1; }

# curl --parallel over a config of requests; on failure, say why and stop the host.
fetch_all() {
  curl -s --parallel --parallel-max "$parallel" -K "$1" 2>>"$dir/curl.log" \
    || { cat "$dir/curl.log" >&2; kill "$pid"; exit 1; }
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

printf '| binary | RSS before | RSS after %s streams | growth | per stream | liveChannels after |\n' "$n"
printf '|---|---|---|---|---|---|\n'
for bin in "$@"; do
  dir=$(mktemp -d)
  cat > "$dir/spin.toml" <<EOF
spin_manifest_version = 2
[application]
name = "bench-event-streams"
[[trigger.job]]
component = "echo"
concurrency = 8
[component.echo]
source = "$echo_wasm"
EOF
  serve "$bin" "$dir"

  # Jobs that finish: synchronous echo calls, one response file each.
  mkdir "$dir/jobs"
  # (`next` starts another request in a curl config; options do not carry over.)
  for i in $(seq "$finished"); do
    [ "$i" -gt 1 ] && echo next
    printf 'silent\nurl = "%s/api/v1/echo?wait=30"\nheader = "content-type: application/json"\ndata = "{\\"message\\": \\"m%s\\"}"\noutput = "%s/jobs/%s.json"\n' \
      "$base" "$i" "$dir" "$i"
  done > "$dir/submit.cfg"
  fetch_all "$dir/submit.cfg"
  grep -ho '"jobId":"job_[0-9a-f]*"' "$dir"/jobs/*.json | cut -d'"' -f4 > "$dir/ids"
  [ "$(wc -l < "$dir/ids")" -eq "$finished" ] || { echo "only $(wc -l < "$dir/ids") of $finished jobs answered" >&2; exit 1; }
  seq $((n - finished)) | awk '{printf "job_%032x\n", $1 + 1000000}' >> "$dir/ids"

  # Warm-up (connection buffers, allocator arenas): 200 streams of one id.
  for _ in $(seq 200); do printf 'url = "%s/api/v1/jobs/job_warmup/events"\noutput = "/dev/null"\n' "$base"; done > "$dir/warm.cfg"
  fetch_all "$dir/warm.cfg"
  sleep 1
  before=$(rss_kib "$pid")

  awk -v base="$base" '{printf "url = \"%s/api/v1/jobs/%s/events\"\noutput = \"/dev/null\"\n", base, $1}' "$dir/ids" > "$dir/streams.cfg"
  fetch_all "$dir/streams.cfg"
  sleep 1
  after=$(rss_kib "$pid")
  live=$(curl -s "$base/health" | grep -o '"liveChannels":[0-9]*' | cut -d: -f2 || true)

  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  printf '| %s | %s MiB | %s MiB | %s MiB | %s B | %s |\n' "$bin" "$(mib "$before")" "$(mib "$after")" \
    "$(mib $((after - before)))" "$(( (after - before) * 1024 / n ))" "${live:-(not reported)}"
done
