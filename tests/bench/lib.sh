# Shared by the shell benchmarks (sourced): start `capsule serve`, read its memory.

# serve BINARY DIR [FLAG...]: runs `BINARY serve` on DIR/spin.toml with its data in
# DIR/data and its log in DIR/host.log, on a free loopback port, plus the flags;
# returns once /health answers, with $pid and $base set. Exits if it dies first.
serve() {
  local bin=$1 dir=$2 port
  shift 2
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base=http://127.0.0.1:$port
  "$bin" serve --manifest "$dir/spin.toml" --data-dir "$dir/data" --listen "127.0.0.1:$port" --log warn "$@" \
    > "$dir/host.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "$base/health"; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/host.log" >&2; exit 1; }
    sleep 0.1
  done
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk's latency distribution line for a percentile, in ms: pct_ms 99% FILE.
pct_ms() {
  awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.3f", v }' "$2"
}

# wrk (Debian) and Celery (PyPI, into target/bench-python) when missing; sets $py.
bench_tools() {
  command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
  py=target/bench-python/bin/python
  [ -x "$py" ] || python3 -m venv target/bench-python
  "$py" -c 'import celery, redis' 2>/dev/null || target/bench-python/bin/pip install -q 'celery[redis]>=5,<6'
}
