#!/usr/bin/env bash
# The calendar crate now against an older revision of it, in one run:
# corpus accuracy per family, native per-call time, and the wasm's size.
#
#   components/calendar/bench/compare.sh [REV]     # REV defaults to HEAD
#
# The old crate is `git archive`d into target/calendar-baseline (the repository
# is only read), given this checkout's corpus, bench data and bench example, and
# built against this checkout's SDK with the workspace's release profile, so the
# two differ only in the calendar's own code.
set -euo pipefail

rev="${1:-HEAD}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
crate="$root/components/calendar"
base="$root/target/calendar-baseline"

rm -rf "$base"
mkdir -p "$base"
git -C "$root" archive "$rev" components/calendar | tar -x -C "$base"
rm -rf "$base/components/calendar/tests" "$base/components/calendar/examples"
cp -r "$crate/tests" "$crate/examples" "$base/components/calendar/"
cp "$root/Cargo.lock" "$base/"
# The workspace manifest with the calendar as its only member and the SDK by absolute path.
awk -v sdk="$root/components/sdk" '
  /^members = \[/ { print "members = [\"components/calendar\"]"; skip = 1; next }
  skip && /^\]/ { skip = 0; next }
  skip { next }
  /^default-members/ { next }
  /^capsule-sdk = / { print "capsule-sdk = { path = \"" sdk "\" }"; next }
  { print }
' "$root/Cargo.toml" >"$base/Cargo.toml"

# The corpus test fails below its targets; the tables it prints first are what counts here.
corpus_table() { (cd "$1" && { cargo test -q -p calendar --test corpus -- --nocapture 2>&1 || true; } | grep -E "^(\\||As sent.*\\)$|Plain.*\\)$)"); }
echo "== corpus accuracy, $rev"
corpus_table "$base" 
echo "== corpus accuracy, working tree"
corpus_table "$root" 

echo "== per-call time (release, native; medians of 15 rounds; old and new alternate)"
(cd "$base" && cargo build -q --release -p calendar --example parse_bench)
(cd "$root" && cargo build -q --release -p calendar --example parse_bench --target-dir target/calendar-bench)
old_bin="$base/target/release/examples/parse_bench"
new_bin="$root/target/calendar-bench/release/examples/parse_bench"
median() { grep -o 'median): [0-9.]*' | grep -o '[0-9.]*$'; }
olds=()
news=()
for _ in 1 2 3; do
  out="$("$old_bin")"
  echo "  $rev: $out"
  olds+=("$(echo "$out" | median)")
  out="$("$new_bin")"
  echo "  working tree: $out"
  news+=("$(echo "$out" | median)")
done
best() { printf '%s\n' "$@" | sort -g | head -1; }
old_us="$(best "${olds[@]}")"
new_us="$(best "${news[@]}")"
echo "per call (best of the three medians): $rev ${old_us} µs, working tree ${new_us} µs, ratio $(echo "scale=3; $new_us / $old_us" | bc)"

echo "== wasm size (cargo build --release --target wasm32-wasip2)"
(cd "$base" && cargo build -q --release --target wasm32-wasip2 -p calendar)
(cd "$root" && cargo build -q --release --target wasm32-wasip2 --target-dir target/guest -p calendar)
old_size="$(stat -c %s "$base/target/wasm32-wasip2/release/calendar.wasm")"
new_size="$(stat -c %s "$root/target/guest/wasm32-wasip2/release/calendar.wasm")"
echo "calendar.wasm: $rev ${old_size} bytes, working tree ${new_size} bytes, ratio $(echo "scale=3; $new_size / $old_size" | bc)"
