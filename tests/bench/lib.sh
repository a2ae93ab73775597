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
